#!/usr/bin/env bash
# Side-by-side benchmark: zot-authz vs CNCF Distribution (Debian's docker-registry), on 127.0.0.1 only.
# Usage: bench/run.sh            (see bench/README.md; knobs: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_BLOB_MIB,
#                                 BENCH_IMAGES, BENCH_SKIP_BUILD=1, BENCH_BINARY=path)
# Prints a markdown table and writes it to bench/results/latest.md. Not a test: nothing here asserts timings.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${BENCH_DURATION:-10}"          # seconds per load run
CONNECTIONS="${BENCH_CONNECTIONS:-16}"    # concurrent connections per load run
BLOB_MIB="${BENCH_BLOB_MIB:-1024}"        # size of the big blob
IMAGES="${BENCH_IMAGES:-50}"              # images in the concurrent push
REPOS="${BENCH_REPOS:-100000}"            # repositories for the catalog measure
TAGS="${BENCH_TAGS:-10000}"               # tags for the tag-push measure
S3_MIB="${BENCH_S3_MIB:-256}"             # size of the blob pushed through S3
USER_NAME=bench
PASSWORD=benchpw
MANIFEST_ACCEPT="application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 && "$DURATION" -le 60 ]] || die "BENCH_DURATION must be 1…60"
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -ge 1 && "$CONNECTIONS" -le 256 ]] || die "BENCH_CONNECTIONS must be 1…256"
[[ "$BLOB_MIB" =~ ^[0-9]+$ && "$BLOB_MIB" -ge 1 && "$BLOB_MIB" -le 4096 ]] || die "BENCH_BLOB_MIB must be 1…4096"
[[ "$IMAGES" =~ ^[0-9]+$ && "$IMAGES" -ge 1 && "$IMAGES" -le 200 ]] || die "BENCH_IMAGES must be 1…200"
[[ "$REPOS" =~ ^[0-9]+$ && "$REPOS" -ge 200 && "$REPOS" -le 200000 ]] || die "BENCH_REPOS must be 200…200000"
[[ "$TAGS" =~ ^[0-9]+$ && "$TAGS" -ge 20 && "$TAGS" -le 20000 ]] || die "BENCH_TAGS must be 20…20000"
[[ "$S3_MIB" =~ ^[0-9]+$ && "$S3_MIB" -ge 16 && "$S3_MIB" -le 2048 ]] || die "BENCH_S3_MIB must be 16…2048"

# ---------------------------------------------------------------- tools
install_missing() {
    local missing=()
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    command -v htpasswd >/dev/null || missing+=(apache2-utils)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v hey >/dev/null || missing+=(hey)
    command -v curl >/dev/null || missing+=(curl)
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v python3 >/dev/null || missing+=(python3)
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
            || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
    fi
    python3 -c 'import requests, boto3, moto.server' 2>/dev/null || {
        log "installing python requests, boto3, moto[server]"
        python3 -m pip install --quiet requests boto3 'moto[server]' >/dev/null
    }
}
install_missing

BIN="${BENCH_BINARY:-$ROOT/.build-release/release/zot-authz}"
if [[ -z "${BENCH_BINARY:-}" && ( "${BENCH_SKIP_BUILD:-0}" != 1 || ! -x "$BIN" ) ]]; then
    # The shipped build (scripts/build-release.sh): self-contained like Distribution's Go binary, linked for a
    # small resident set. Its own scratch path, so the shared .build is never touched.
    log "building the release binaries (scripts/build-release.sh .build-release; ~20 min when cold)"
    "$ROOT/scripts/build-release.sh" .build-release >&2 || die "release build failed"
fi
[[ -x "$BIN" ]] || die "no binary at $BIN"
POLICY_BIN="$(dirname "$BIN")/policy-bench"   # the policy engine's micro-benchmark (Sources/policy-bench)

# ---------------------------------------------------------------- workspace, ports, cleanup
WORK="$(mktemp -d /tmp/zot-authz-bench.XXXXXX)"
RESULTS="$WORK/results.tsv"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    # moto_server ignores SIGTERM while serving: whatever is left gets SIGKILL.
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
record() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS"; }
now_ns() { date +%s%N; }

OURS_PORT=$(free_port); DIST_PORT=$(free_port); DIST_ANON_PORT=$(free_port)
OURS_COLD_PORT=$(free_port); DIST_COLD_PORT=$(free_port)
OURS="http://127.0.0.1:$OURS_PORT"; DIST="http://127.0.0.1:$DIST_PORT"; DIST_ANON="http://127.0.0.1:$DIST_ANON_PORT"
AUTH_HEADER="Basic $(printf '%s:%s' "$USER_NAME" "$PASSWORD" | base64)"

htpasswd -nbB -C 10 "$USER_NAME" "$PASSWORD" | sed '/^$/d' >"$WORK/htpasswd"
mkdir -p "$WORK/ours-data" "$WORK/dist-data" "$WORK/ours-cold-data" "$WORK/dist-cold-data"

ours_config() { # PORT DATA → JSON (Zot config format)
    cat <<EOF
{"http":{"address":"127.0.0.1","port":"$1","realm":"bench","auth":{"htpasswd":{"path":"$WORK/htpasswd"}},
 "accessControl":{"repositories":{"**":{"anonymousPolicy":["read"],"defaultPolicy":["read","create","update","delete"]}}}},
 "storage":{"rootDirectory":"$2"},"log":{"level":"error"}}
EOF
}
dist_config() { # PORT DATA WITH_AUTH → YAML (Distribution config)
    cat <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $2
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$1
EOF
    if [[ "$3" == auth ]]; then
        printf 'auth:\n  htpasswd:\n    realm: bench\n    path: %s\n' "$WORK/htpasswd"
    fi
}
ours_config "$OURS_PORT" "$WORK/ours-data" >"$WORK/ours.json"
ours_config "$OURS_COLD_PORT" "$WORK/ours-cold-data" >"$WORK/ours-cold.json"
dist_config "$DIST_PORT" "$WORK/dist-data" auth >"$WORK/dist.yml"
dist_config "$DIST_ANON_PORT" "$WORK/dist-data" none >"$WORK/dist-anon.yml"   # same storage, no auth
dist_config "$DIST_COLD_PORT" "$WORK/dist-cold-data" auth >"$WORK/dist-cold.yml"

wait_ready() { # BASE PID
    local deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        kill -0 "$2" 2>/dev/null || die "server for $1 exited; see $WORK/*.log"
        [[ "$(curl -s -o /dev/null -w '%{http_code}' -u "$USER_NAME:$PASSWORD" "$1/v2/")" == 200 ]] && return 0
        sleep 0.1
    done
    die "$1 not ready within 20 s"
}

# ---------------------------------------------------------------- cold start (before anything else runs)
log "cold start: 3 runs each"
record ours.coldstart_ms "$(python3 "$BENCH_DIR/helpers.py" coldstart "http://127.0.0.1:$OURS_COLD_PORT/v2/" \
    "$USER_NAME" "$PASSWORD" 3 -- "$BIN" serve "$WORK/ours-cold.json")"
record dist.coldstart_ms "$(python3 "$BENCH_DIR/helpers.py" coldstart "http://127.0.0.1:$DIST_COLD_PORT/v2/" \
    "$USER_NAME" "$PASSWORD" 3 -- docker-registry serve "$WORK/dist-cold.yml")"

# ---------------------------------------------------------------- servers
log "starting zot-authz on $OURS, Distribution on $DIST (htpasswd) and $DIST_ANON (no auth, same storage)"
"$BIN" serve "$WORK/ours.json" >"$WORK/ours.log" 2>&1 & OURS_PID=$!; PIDS+=("$OURS_PID")
docker-registry serve "$WORK/dist.yml" >"$WORK/dist.log" 2>&1 & DIST_PID=$!; PIDS+=("$DIST_PID")
docker-registry serve "$WORK/dist-anon.yml" >"$WORK/dist-anon.log" 2>&1 & DIST_ANON_PID=$!; PIDS+=("$DIST_ANON_PID")
wait_ready "$OURS" "$OURS_PID"; wait_ready "$DIST" "$DIST_PID"
for _ in $(seq 100); do curl -s -o /dev/null "$DIST_ANON/v2/" && break; sleep 0.1; done

log "pushing one small image to each"
python3 "$BENCH_DIR/oci_push.py" one "$OURS" bench/small latest --user "$USER_NAME" --password "$PASSWORD" >/dev/null
python3 "$BENCH_DIR/oci_push.py" one "$DIST" bench/small latest --user "$USER_NAME" --password "$PASSWORD" >/dev/null
sleep 2
read -r rss _ anon < <(python3 "$BENCH_DIR/helpers.py" status "$OURS_PID"); record ours.rss_idle_kb "$rss"; record ours.rss_anon_idle_kb "$anon"
read -r rss _ anon < <(python3 "$BENCH_DIR/helpers.py" status "$DIST_PID"); record dist.rss_idle_kb "$rss"; record dist.rss_anon_idle_kb "$anon"

# ---------------------------------------------------------------- manifest load
# HEAD runs use hey: wrk cannot parse a HEAD response that carries Content-Length (wg/wrk#198).
run_hey() { # KEY URL AUTH
    local out="$WORK/$1.hey" args=(-z "${DURATION}s" -c "$CONNECTIONS" -m HEAD -H "Accept: $MANIFEST_ACCEPT")
    [[ -n "$3" ]] && args+=(-H "Authorization: $3")
    log "$1: hey HEAD ${DURATION}s, $CONNECTIONS connections"
    timeout $((DURATION + 30)) hey "${args[@]}" "$2" >"$out" 2>&1 || true
    record "$1.rps" "$(awk '/Requests\/sec:/ {print $2}' "$out")"
    local p99; p99=$(awk '$1=="99%" && $2=="in" {print $3}' "$out")
    [[ -z "$p99" ]] && p99="max:$(awk '/Slowest:/ {print $2}' "$out")"   # hey omits percentiles for tiny samples
    record "$1.p99" "${p99}s"
    record "$1.errors" "$(awk '/^[ \t]+\[[0-9]+\]/ {gsub(/[\[\]]/,"",$1); if ($1!="200") n+=$2} /^Error distribution/ {e=1} END {print n+0+(e?1:0)}' "$out")"
}
run_wrk() { # KEY URL AUTH PID
    local out="$WORK/$1.wrk"
    log "$1: wrk GET ${DURATION}s, $CONNECTIONS connections"
    python3 "$BENCH_DIR/helpers.py" rss "$4" "$DURATION" >"$WORK/$1.rss" &
    local sampler=$!
    BENCH_METHOD=GET BENCH_AUTH="$3" timeout $((DURATION + 30)) \
        wrk -t2 -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$BENCH_DIR/manifest.lua" "$2" >"$out" 2>&1 || true
    wait "$sampler" || true
    record "$1.rps" "$(awk '/Requests\/sec:/ {print $2}' "$out")"
    record "$1.p99" "$(awk '$1=="99%" {print $2}' "$out")"
    record "$1.errors" "$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END {print n+0}' "$out")"
    record "$1.rss_load_kb" "$(cat "$WORK/$1.rss")"
}
MANIFEST_PATH=/v2/bench/small/manifests/latest
run_hey ours.head_auth "$OURS$MANIFEST_PATH" "$AUTH_HEADER"
run_hey ours.head_anon "$OURS$MANIFEST_PATH" ""
run_wrk ours.get_auth "$OURS$MANIFEST_PATH" "$AUTH_HEADER" "$OURS_PID"
run_hey dist.head_auth "$DIST$MANIFEST_PATH" "$AUTH_HEADER"
run_hey dist.head_anon "$DIST_ANON$MANIFEST_PATH" ""
run_wrk dist.get_auth "$DIST$MANIFEST_PATH" "$AUTH_HEADER" "$DIST_PID"

# ---------------------------------------------------------------- concurrent push
for side in ours dist; do
    base=$OURS; [[ $side == dist ]] && base=$DIST
    log "$side: concurrent push of $IMAGES small images"
    read -r seconds rate failures < <(timeout 180 python3 "$BENCH_DIR/oci_push.py" many "$base" "$IMAGES" \
        --user "$USER_NAME" --password "$PASSWORD" || echo "- - failed")
    record "$side.push_seconds" "$seconds"; record "$side.push_ips" "$rate"; record "$side.push_failures" "$failures"
done

# ---------------------------------------------------------------- big blob
BLOB="$WORK/blob.bin"
BLOB_BYTES=$((BLOB_MIB * 1024 * 1024))
log "creating a $BLOB_MIB MiB random file"
if command -v openssl >/dev/null; then
    # openssl dies of SIGPIPE when head has enough: that is the expected end, not a failure
    { openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:zot-authz-bench </dev/zero 2>/dev/null || true; } \
        | head -c "$BLOB_BYTES" >"$BLOB"
else
    head -c "$BLOB_BYTES" /dev/urandom >"$BLOB"
fi
[[ "$(stat -c %s "$BLOB")" == "$BLOB_BYTES" ]] || die "could not create the $BLOB_MIB MiB file"
sha256sum "$BLOB" >/dev/null   # warm the page cache
start=$(now_ns); BLOB_DIGEST="sha256:$(sha256sum "$BLOB" | cut -d' ' -f1)"; end=$(now_ns)
record anchor.sha256_mbps "$(awk -v b="$BLOB_BYTES" -v t=$((end - start)) 'BEGIN {printf "%.0f", b / (t / 1e9) / 1e6}')"

upload_once() { # BASE → "HTTP_CODE SECONDS"
    local location
    location=$(curl -s -m 30 -u "$USER_NAME:$PASSWORD" -X POST -D - -o /dev/null "$1/v2/bench/big/blobs/uploads/" \
        | awk 'tolower($1)=="location:" {print $2}' | tr -d '\r' || true)
    [[ -n "$location" ]] || { echo "000 0"; return; }
    [[ "$location" == http* ]] || location="$1$location"
    local separator='?'; [[ "$location" == *\?* ]] && separator='&'
    curl -s -m 300 -u "$USER_NAME:$PASSWORD" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
        -T "$BLOB" -o /dev/null -w '%{http_code} %{time_total}\n' "$location${separator}digest=$BLOB_DIGEST"
}
download_once() { # BASE → "HTTP_CODE SECONDS BYTES"
    curl -s -m 300 -u "$USER_NAME:$PASSWORD" -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' \
        "$1/v2/bench/big/blobs/$BLOB_DIGEST"
}
mbps() { awk -v b="$BLOB_BYTES" -v t="$1" 'BEGIN {if (t > 0) printf "%.0f", b / t / 1e6; else print "-"}'; }
for side in ours dist; do
    base=$OURS; [[ $side == dist ]] && base=$DIST
    best_up=0; best_down=0
    for attempt in 1 2; do
        log "$side: upload $attempt of $BLOB_MIB MiB"
        read -r code seconds < <(upload_once "$base")
        [[ "$code" == 201 ]] && best_up=$(awk -v a="$best_up" -v b="$(mbps "$seconds")" 'BEGIN {print (b > a ? b : a)}') \
            || log "$side: upload answered HTTP $code"
    done
    for attempt in 1 2; do
        log "$side: download $attempt"
        read -r code seconds bytes < <(download_once "$base")
        [[ "$code" == 200 && "$bytes" == "$BLOB_BYTES" ]] \
            && best_down=$(awk -v a="$best_down" -v b="$(mbps "$seconds")" 'BEGIN {print (b > a ? b : a)}') \
            || log "$side: download answered HTTP $code with $bytes bytes"
    done
    record "$side.upload_mbps" "$best_up"; record "$side.download_mbps" "$best_down"
done
# ---------------------------------------------------------------- physical ceilings for the big blob
# Hashing: one core's SHA-256 rate (a registry must hash every byte it receives); serving: nginx with sendfile.
record anchor.openssl_sha256_mbps "$(openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null \
    | awk '/^sha256/ {v=$NF; sub(/k$/, "", v); printf "%.0f", v * 1000 / 1e6}')"
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/root" "$WORK/nginx/tmp"
ln "$BLOB" "$WORK/nginx/root/blob.bin"
# The workspace is mode 0700: nginx's workers must run as this user to read the file.
cat >"$WORK/nginx/nginx.conf" <<EOF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
daemon off; worker_processes 1; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on; client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp; fastcgi_temp_path $WORK/nginx/tmp; uwsgi_temp_path $WORK/nginx/tmp; scgi_temp_path $WORK/nginx/tmp;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/nginx/root; } }
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.log" 2>&1 & NGINX_PID=$!; PIDS+=("$NGINX_PID")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.1; done
best=0
for attempt in 1 2; do
    read -r code seconds bytes < <(curl -s -m 300 -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' \
        "http://127.0.0.1:$NGINX_PORT/blob.bin")
    [[ "$code" == 200 && "$bytes" == "$BLOB_BYTES" ]] && best=$(awk -v a="$best" -v b="$(mbps "$seconds")" 'BEGIN {print (b > a ? b : a)}')
done
record anchor.nginx_mbps "$best"
kill "$NGINX_PID" 2>/dev/null || true
rm -f "$BLOB" "$WORK/nginx/root/blob.bin"

# ---------------------------------------------------------------- tag push: flat in the number of tags?
for side in ours dist; do
    base=$OURS; [[ $side == dist ]] && base=$DIST
    log "$side: $TAGS tag pushes to one repository"
    read -r first last < <(timeout 900 python3 "$BENCH_DIR/storage_bench.py" tags "$base" "$USER_NAME" "$PASSWORD" "$TAGS" \
        || echo "- -")
    record "$side.tag_first_ms" "$first"; record "$side.tag_last_ms" "$last"
done

read -r _ hwm _ < <(python3 "$BENCH_DIR/helpers.py" status "$OURS_PID"); record ours.rss_peak_kb "$hwm"
read -r _ hwm _ < <(python3 "$BENCH_DIR/helpers.py" status "$DIST_PID"); record dist.rss_peak_kb "$hwm"

# ---------------------------------------------------------------- catalog at $REPOS repositories
CAT_OURS_PORT=$(free_port); CAT_DIST_PORT=$(free_port)
mkdir -p "$WORK/cat-ours" "$WORK/cat-dist"
log "laying out $REPOS repositories for each registry"
python3 "$BENCH_DIR/storage_bench.py" mkrepos ours "$WORK/cat-ours" "$REPOS"
python3 "$BENCH_DIR/storage_bench.py" mkrepos dist "$WORK/cat-dist" "$REPOS"
ours_config "$CAT_OURS_PORT" "$WORK/cat-ours" >"$WORK/cat-ours.json"
dist_config "$CAT_DIST_PORT" "$WORK/cat-dist" auth >"$WORK/cat-dist.yml"
"$BIN" serve "$WORK/cat-ours.json" >"$WORK/cat-ours.log" 2>&1 & CAT_OURS_PID=$!; PIDS+=("$CAT_OURS_PID")
docker-registry serve "$WORK/cat-dist.yml" >"$WORK/cat-dist.log" 2>&1 & CAT_DIST_PID=$!; PIDS+=("$CAT_DIST_PID")
wait_ready "http://127.0.0.1:$CAT_OURS_PORT" "$CAT_OURS_PID"; wait_ready "http://127.0.0.1:$CAT_DIST_PORT" "$CAT_DIST_PID"
for side in ours dist; do
    port=$CAT_OURS_PORT; runs=50; [[ $side == dist ]] && { port=$CAT_DIST_PORT; runs=3; }
    log "$side: _catalog?n=100 at $REPOS repositories ($runs runs per page)"
    read -r first middle < <(timeout 900 python3 "$BENCH_DIR/storage_bench.py" catalog "http://127.0.0.1:$port" \
        "$USER_NAME" "$PASSWORD" "$runs" "$REPOS" || echo "- -")
    record "$side.catalog_first_ms" "$first"; record "$side.catalog_middle_ms" "$middle"
done
kill "$CAT_OURS_PID" "$CAT_DIST_PID" 2>/dev/null || true
rm -rf "$WORK/cat-ours" "$WORK/cat-dist"

# ---------------------------------------------------------------- S3 (moto_server): through us vs boto3 directly
MOTO_PORT=$(free_port); S3_OURS_PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 & MOTO_PID=$!; PIDS+=("$MOTO_PID")
S3_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
for _ in $(seq 100); do curl -s -o /dev/null "$S3_ENDPOINT/" && break; sleep 0.2; done
python3 -c "import boto3,sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='bench', aws_secret_access_key='bench').create_bucket(Bucket='bench')" "$S3_ENDPOINT"
cat >"$WORK/s3-ours.json" <<EOF
{"http":{"address":"127.0.0.1","port":"$S3_OURS_PORT","realm":"bench","auth":{"htpasswd":{"path":"$WORK/htpasswd"}},
 "accessControl":{"repositories":{"**":{"defaultPolicy":["read","create","update","delete"]}}}},
 "storage":{"rootDirectory":"$WORK/s3-local","storageDriver":{"name":"s3","rootdirectory":"/zot","region":"us-east-1",
  "bucket":"bench","regionendpoint":"127.0.0.1:$MOTO_PORT","secure":false,"forcepathstyle":true,
  "accesskey":"bench","secretkey":"bench","chunksize":10485760}},"log":{"level":"error"}}
EOF
"$BIN" serve "$WORK/s3-ours.json" >"$WORK/s3-ours.log" 2>&1 & S3_OURS_PID=$!; PIDS+=("$S3_OURS_PID")
wait_ready "http://127.0.0.1:$S3_OURS_PORT" "$S3_OURS_PID"
BLOB_BYTES=$((S3_MIB * 1024 * 1024))
{ openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:zot-authz-s3 </dev/zero 2>/dev/null || true; } | head -c "$BLOB_BYTES" >"$BLOB"
BLOB_DIGEST="sha256:$(sha256sum "$BLOB" | cut -d' ' -f1)"
log "S3: $S3_MIB MiB through zot-authz, then with boto3 directly (10 MiB parts both)"
read -r code seconds < <(upload_once "http://127.0.0.1:$S3_OURS_PORT")
[[ "$code" == 201 ]] && record ours.s3_upload_mbps "$(mbps "$seconds")" || log "S3 upload through us answered HTTP $code"
read -r code seconds bytes < <(download_once "http://127.0.0.1:$S3_OURS_PORT")
[[ "$code" == 200 && "$bytes" == "$BLOB_BYTES" ]] && record ours.s3_download_mbps "$(mbps "$seconds")" \
    || log "S3 download through us answered HTTP $code with $bytes bytes"
read -r up down < <(timeout 600 python3 "$BENCH_DIR/storage_bench.py" s3-boto3 "$S3_ENDPOINT" bench "$BLOB" 10 || echo "- -")
record boto3.s3_upload_mbps "$up"; record boto3.s3_download_mbps "$down"
kill "$S3_OURS_PID" 2>/dev/null || true; kill -KILL "$MOTO_PID" 2>/dev/null || true
rm -f "$BLOB"

# ---------------------------------------------------------------- policy micro-benchmark (ours only)
policy="n/a (no micro-benchmark yet)"
if [[ -x "$POLICY_BIN" ]]; then
    log "policy micro-benchmark: policy-bench 1000 patterns, 2,000,000 decisions"
    out=$(timeout 120 "$POLICY_BIN" 1000 2000000 2>&1 || true)
    rate=$(grep -oE 'decisions_per_second=[0-9.]+' <<<"$out" | cut -d= -f2 || true)
    policy=${rate:-"n/a (policy-bench printed no rate)"}
fi
record ours.policy_dps "$policy"

# ---------------------------------------------------------------- report
{
    echo "commit	$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "load	$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "cores	$(nproc)"
    echo "params	${DURATION}s per load run, $CONNECTIONS connections, $BLOB_MIB MiB blob, $IMAGES images, $REPOS repositories, $TAGS tags, $S3_MIB MiB through S3"
    echo "distribution	$(docker-registry --version 2>/dev/null | awk '{print $NF}')"
} >>"$RESULTS"
mkdir -p "$BENCH_DIR/results"
python3 "$BENCH_DIR/report.py" "$RESULTS" | tee "$BENCH_DIR/results/latest.md"
