#!/usr/bin/env bash
# Builds the release executables (zot-authz, policy-bench) the way we ship and benchmark them.
# Usage: scripts/build-release.sh [SCRATCH_PATH]     (default .build) → SCRATCH_PATH/release/zot-authz
#
# Self-contained binary: the Swift runtime and Foundation are linked in, so it runs without a Swift toolchain.
# The link is tuned for a small resident set (bench/README.md, "Idle RSS"):
#   - every function in its own section (Swift, C and C++ of all packages), unused ones dropped (--gc-sections);
#   - lld places the functions listed in scripts/link-order.txt (those that run at start-up and while serving
#     requests, recorded by scripts/update-link-order.sh) next to each other, so the code a running registry
#     touches fills ~2 MiB of pages instead of being spread over the whole 33 MiB text segment;
#   - Swift's symbol-less private helpers (.text..L__unnamed_N) kept together by scripts/link-layout.ld, instead
#     of each one pulling a 64 KiB window of unrelated code into memory;
#   - relative relocations packed (DT_RELR, glibc ≥ 2.36): the loader reads ~30 KiB instead of 3.6 MiB;
#   - no dynamic symbol table for our own symbols (--no-export-dynamic): nothing dlopens into the executable.
# A stale order file only makes the layout less tight; it never changes behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

scratch="${1:-.build}"
order="$PWD/scripts/link-order.txt"
layout="$PWD/scripts/link-layout.ld"
flags=(
    -c release --scratch-path "$scratch" --static-swift-stdlib
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections
    -Xswiftc -use-ld=lld
    -Xlinker --gc-sections -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
    -Xlinker -T -Xlinker "$layout"
)
# The Swift driver does not recompile a module when only -Xfrontend flags changed, so objects built with other
# flags (e.g. by an earlier version of this script, without function sections) would be linked silently.
# Start the release directory afresh whenever the flags differ from the last build's.
mkdir -p "$scratch"
stamp="$scratch/release-build-flags.txt"
printf '%s\n' "${flags[@]}" >"$stamp.new"
if [ -e "$scratch/release" ] && ! cmp -s "$stamp" "$stamp.new"; then
    release_dir="$(cd "$scratch/release" && pwd -P)"
    case "$release_dir" in
        "$(cd "$scratch" && pwd -P)"/*)
            echo "build-release: flags differ from the last build in $scratch: rebuilding $release_dir" >&2
            rm -rf "$release_dir" ;;
    esac
fi
mv "$stamp.new" "$stamp"
if [ -f "$order" ]; then
    flags+=(-Xlinker "--symbol-ordering-file=$order" -Xlinker --no-warn-symbol-ordering)
fi
# SwiftPM does not know these files are inputs of the link: relink when one changed.
for product in zot-authz policy-bench; do
    binary="$scratch/release/$product"
    for input in "$order" "$layout"; do
        if [ -e "$binary" ] && [ "$input" -nt "$binary" ]; then rm -f "$binary"; fi
    done
done
# Stamp the commit and build date into --version for this build, then restore the file.
info="Sources/zot-authz/BuildInfo.swift"
cp "$info" "$info.orig"
trap 'mv -f "$info.orig" "$info"' EXIT
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
sed -i "s/static let commit = \"unknown\"/static let commit = \"$commit\"/; s/static let date = \"unknown\"/static let date = \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"/" "$info"
swift build "${flags[@]}" --product zot-authz
swift build "${flags[@]}" --product policy-bench
echo "$scratch/release/zot-authz"
