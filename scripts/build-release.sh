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
#
# A single binary: libsqlite3, libcrypt, libz, libstdc++ and libgcc_s (as libgcc_eh) are linked statically from
# Debian's .a files (a directory holding only those archives is searched first, so the linker finds the .a before
# the .so), leaving glibc as the only run-time dependency (libldap stays dlopen'ed, and only when LDAP is configured).
# Besides the unstripped SCRATCH_PATH/release/zot-authz (benchmarks, scripts/update-link-order.sh), it writes the
# shipped SCRATCH_PATH/release/dist/zot-authz, stripped, with its debug info in dist/zot-authz.debug (linked by
# .gnu_debuglink, so gdb and valgrind find it next to the binary).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

scratch="${1:-.build}"
mkdir -p "$scratch/static-libs"
static_libs="$(cd "$scratch/static-libs" && pwd -P)"
for archive in /usr/lib/x86_64-linux-gnu/libsqlite3.a /usr/lib/x86_64-linux-gnu/libcrypt.a \
               /usr/lib/x86_64-linux-gnu/libz.a "$(gcc -print-file-name=libstdc++.a 2>/dev/null || echo /usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a)"; do
    [ -f "$archive" ] || { echo "build-release: $archive is missing (scripts/install-deps.sh installs the -dev packages)" >&2; exit 1; }
    ln -sf "$archive" "$static_libs/$(basename "$archive")"
done
# The Swift driver links -lgcc_s (GCC's unwinder); libgcc_eh.a is the same unwinder as an archive.
gcc_eh="$(gcc -print-file-name=libgcc_eh.a 2>/dev/null || echo /usr/lib/gcc/x86_64-linux-gnu/12/libgcc_eh.a)"
[ -f "$gcc_eh" ] || { echo "build-release: $gcc_eh is missing (apt-get install gcc)" >&2; exit 1; }
ln -sf "$gcc_eh" "$static_libs/libgcc_s.a"
order="$PWD/scripts/link-order.txt"
layout="$PWD/scripts/link-layout.ld"
flags=(
    -c release --scratch-path "$scratch" --static-swift-stdlib
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections
    -Xswiftc -use-ld=lld -Xswiftc -L -Xswiftc "$static_libs"
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
dist="$scratch/release/dist"
mkdir -p "$dist"
rm -f "$dist/zot-authz" "$dist/zot-authz.debug"
objcopy --only-keep-debug "$scratch/release/zot-authz" "$dist/zot-authz.debug"
objcopy --strip-all --add-gnu-debuglink="$dist/zot-authz.debug" "$scratch/release/zot-authz" "$dist/zot-authz"
echo "$scratch/release/zot-authz"
