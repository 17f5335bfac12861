#!/usr/bin/env bash
# Regenerates scripts/link-order.txt: the functions that run while zot-authz starts and serves a representative
# workload (htpasswd auth, pushes, pulls, HEAD, listings, anonymous reads, 401/404 answers), recorded with
# valgrind's callgrind on the release build. scripts/build-release.sh hands the list to lld, which places those
# functions side by side (see bench/README.md, "Idle RSS"). Run it after large changes; it takes ~2 minutes
# plus the release build.
# Usage: scripts/update-link-order.sh [BINARY]     (default: builds .build-release/release/zot-authz)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
ROOT="$PWD"

log() { printf 'update-link-order: %s\n' "$*" >&2; }

for tool in valgrind htpasswd curl; do
    if ! command -v "$tool" >/dev/null; then
        package="$tool"; [ "$tool" = htpasswd ] && package=apache2-utils
        log "installing $package"
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
        $SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null \
            || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null; }
    fi
done

binary="${1:-}"
if [ -z "$binary" ]; then
    binary="$(scripts/build-release.sh .build-release | tail -n 1)"
fi
[ -x "$binary" ] || { log "no executable at $binary"; exit 1; }

work="$(mktemp -d /tmp/zot-authz-link-order.XXXXXX)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# valgrind (3.19 in Debian 12) cannot read the DWARF 5 our toolchain writes; the symbol table is all it needs.
strip --strip-debug -o "$work/zot-authz" "$binary"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
htpasswd -nbB -C 10 ci s3cret | sed '/^$/d' >"$work/htpasswd"
cat >"$work/config.json" <<EOF
{"http":{"address":"127.0.0.1","port":"$port","realm":"zot-authz","auth":{"htpasswd":{"path":"$work/htpasswd"}},
 "accessControl":{"repositories":{"**":{"anonymousPolicy":["read"],"defaultPolicy":["read","create","update","delete"]}}}},
 "storage":{"rootDirectory":"$work/data"},"log":{"level":"error"}}
EOF

log "running $binary under callgrind"
valgrind --tool=callgrind --demangle=no --compress-strings=no --callgrind-out-file="$work/callgrind.out" \
    "$work/zot-authz" serve "$work/config.json" >"$work/server.log" 2>&1 &
server=$!
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' -u ci:s3cret "$base/v2/")" = 200 ]; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; log "server exited"; exit 1; }
    ((SECONDS < deadline)) || { log "server not ready within 120 s"; exit 1; }
    sleep 0.2
done

push() { python3 bench/oci_push.py one "$base" "$1" "$2" --user ci --password s3cret >/dev/null; }
push bench/small latest
push bench/small v2
push library/other v1
accept='Accept: application/vnd.oci.image.manifest.v1+json'
for _ in 1 2 3; do
    curl -s -o /dev/null -u ci:s3cret -H "$accept" "$base/v2/bench/small/manifests/latest"
    curl -s -o /dev/null -I -u ci:s3cret -H "$accept" "$base/v2/bench/small/manifests/latest"
    curl -s -o /dev/null -I -H "$accept" "$base/v2/bench/small/manifests/latest"
    curl -s -o /dev/null -u ci:wrong "$base/v2/bench/small/manifests/latest"
    curl -s -o /dev/null -u nobody:s3cret "$base/v2/bench/small/manifests/latest"
    curl -s -o /dev/null "$base/v2/"
    curl -s -o /dev/null -u ci:s3cret "$base/v2/bench/small/tags/list"
    curl -s -o /dev/null -u ci:s3cret "$base/v2/_catalog"
    curl -s -o /dev/null -u ci:s3cret "$base/v2/bench/small/manifests/missing"
    curl -s -o /dev/null -u ci:s3cret "$base/v2/Bad..Name/manifests/latest"
done
layer="$(curl -s -u ci:s3cret -H "$accept" "$base/v2/bench/small/manifests/latest" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')"
curl -s -o /dev/null -u ci:s3cret "$base/v2/bench/small/blobs/$layer"
curl -s -o /dev/null -I -u ci:s3cret "$base/v2/bench/small/blobs/$layer"
curl -s -o /dev/null -u ci:s3cret -X DELETE "$base/v2/bench/small/manifests/v2"
sleep 1
kill -INT "$server"
wait "$server" || true
server=""

# Function names callgrind saw (recursion suffixes 'N removed), kept only if the executable defines them.
grep '^fn=' "$work/callgrind.out" | sed -e 's/^fn=//' -e "s/'[0-9]*\$//" | sort -u >"$work/executed.txt"
nm --defined-only "$work/zot-authz" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$work/defined.txt"
comm -12 "$work/executed.txt" "$work/defined.txt" >scripts/link-order.txt
log "scripts/link-order.txt: $(wc -l <scripts/link-order.txt) functions"
