#!/usr/bin/env bash
# Registry hygiene benchmarks (Sources/hygiene-bench): retention evaluation over synthetic metadata, a GC pass over
# many blob files on the filesystem driver, and the request-path cost of recording pulls.
# Usage: bench/hygiene.sh   (knobs: HYGIENE_REPOS=10000 HYGIENE_TAGS=50 HYGIENE_BLOBS=100000 HYGIENE_EVENTS=1000000,
#                            BENCH_SKIP_BUILD=1 to use an existing .build-release/release/hygiene-bench)
# Writes bench/results/hygiene.md. Not a test: nothing here asserts timings.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
REPOS="${HYGIENE_REPOS:-10000}"
TAGS="${HYGIENE_TAGS:-50}"
BLOBS="${HYGIENE_BLOBS:-100000}"
EVENTS="${HYGIENE_EVENTS:-1000000}"
for value in "$REPOS" "$TAGS" "$BLOBS" "$EVENTS"; do
    [[ "$value" =~ ^[0-9]+$ && "$value" -ge 1 && "$value" -le 10000000 ]] || { echo "hygiene.sh: knobs must be 1…10000000" >&2; exit 1; }
done
BIN="$ROOT/.build-release/release/hygiene-bench"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -x "$BIN" ]]; then
    # The flags of scripts/build-release.sh, so the release objects it built are reused.
    static_libs="$ROOT/.build-release/static-libs"
    (cd "$ROOT" && swift build -c release --scratch-path .build-release --static-swift-stdlib \
        -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections \
        -Xswiftc -use-ld=lld -Xswiftc -L -Xswiftc "$static_libs" -Xlinker --gc-sections -Xlinker -z \
        -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic -Xlinker -T -Xlinker "$ROOT/scripts/link-layout.ld" \
        --product hygiene-bench) >&2
fi
out="$BENCH_DIR/results/hygiene.md"
{
    echo "# Hygiene benchmarks — $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo '```'
    timeout 600 "$BIN" retention "$REPOS" "$TAGS"
    timeout 900 "$BIN" gc "$BLOBS"
    timeout 300 "$BIN" record "$EVENTS"
    echo '```'
} | tee "$out"
