#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with libFuzzer (Sources/zot-authz-fuzz/FuzzTargets.swift).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]     default: 30 s, every target
# Builds with -sanitize=fuzzer in .build-fuzz (its own scratch path, so the normal build is untouched), starts each
# target from the seed corpus in fuzz/corpus/<target>/ (copied to a temporary directory: the repository is not
# changed), and exits non-zero on the first crash, hang or trap, leaving the reproducer in fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
seconds="${1:-30}"
shift || true

swift build --scratch-path .build-fuzz --product zot-authz-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
binary=".build-fuzz/debug/zot-authz-fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(ls fuzz/corpus)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p fuzz/crashes
status=0
for target in "${targets[@]}"; do
    mkdir -p "$work/$target"
    cp -R "fuzz/corpus/$target/." "$work/$target/" 2>/dev/null || true
    if FUZZ_TARGET="$target" "$binary" "$work/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -artifact_prefix="fuzz/crashes/$target-" -print_final_stats=1 >"$work/$target.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz $target: ${runs} runs in ${seconds} s, no crash"
    else
        echo "fuzz $target: FAILED — reproducer in fuzz/crashes/, log tail:" >&2
        tail -30 "$work/$target.log" >&2
        status=1
    fi
done
exit "$status"
