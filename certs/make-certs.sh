#!/usr/bin/env bash
# Makes a throwaway PKI for development and tests (never for production):
#   ca.crt/.key                   dev CA that the server trusts for client certificates
#   server.crt/.key               server certificate for 127.0.0.1 (IP SAN) and localhost (DNS SAN)
#   alice.crt/.key                client: CN=alice, SAN email:alice@example.test
#   bob.crt/.key                  client: CN=bob,   SAN email:bob@example.test
#   alice-expired.crt/.key        client CN=alice signed by the dev CA, expired since 2020
#   untrusted-ca.crt/.key         a second CA the server does not trust
#   alice-untrusted.crt/.key      client CN=alice signed by the untrusted CA
#   skopeo-alice/, skopeo-bob/    `skopeo --cert-dir` layouts (ca.crt + client.cert + client.key)
# Usage: certs/make-certs.sh [OUTDIR]   (default: certs/out, which is gitignored)
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")" && pwd)/out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# make_ca NAME SUBJECT
make_ca() {
    new_key "$OUT/$1.key"
    openssl req -x509 -new -key "$OUT/$1.key" -sha256 -days 3650 -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$OUT/$1.crt"
}

# sign NAME CA SUBJECT EXTENSIONS   (valid from now for 825 days)
sign() {
    new_key "$OUT/$1.key"
    openssl req -new -key "$OUT/$1.key" -subj "$3" -out "$WORK/$1.csr"
    printf '%s\n' "$4" > "$WORK/$1.ext"
    openssl x509 -req -in "$WORK/$1.csr" -CA "$OUT/$2.crt" -CAkey "$OUT/$2.key" \
        -CAcreateserial -CAserial "$WORK/$2.srl" -sha256 -days 825 \
        -extfile "$WORK/$1.ext" -out "$OUT/$1.crt" 2>/dev/null
}

client_ext() {
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=email:%s\n' "$1"
}

# sign_expired NAME CA SUBJECT EXTENSIONS   (validity 2020-01-01 .. 2020-01-02, via `openssl ca`)
sign_expired() {
    new_key "$OUT/$1.key"
    openssl req -new -key "$OUT/$1.key" -subj "$3" -out "$WORK/$1.csr"
    mkdir -p "$WORK/ca-db"
    : > "$WORK/ca-db/index.txt"
    echo 1000 > "$WORK/ca-db/serial"
    cat > "$WORK/ca.cnf" <<CNF
[ca]
default_ca = dev
[dev]
database = $WORK/ca-db/index.txt
serial = $WORK/ca-db/serial
new_certs_dir = $WORK/ca-db
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
organizationName = optional
commonName = supplied
[ext]
$4
CNF
    openssl ca -batch -notext -config "$WORK/ca.cnf" -extensions ext \
        -cert "$OUT/$2.crt" -keyfile "$OUT/$2.key" \
        -startdate 20200101000000Z -enddate 20200102000000Z \
        -in "$WORK/$1.csr" -out "$OUT/$1.crt" 2>/dev/null
}

make_ca ca "/O=zot-authz dev/CN=zot-authz dev CA"
sign server ca "/O=zot-authz dev/CN=localhost" \
    "$(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n')"
sign alice ca "/O=zot-authz dev/CN=alice" "$(client_ext alice@example.test)"
sign bob ca "/O=zot-authz dev/CN=bob" "$(client_ext bob@example.test)"
sign_expired alice-expired ca "/O=zot-authz dev/CN=alice" "$(client_ext alice@example.test)"
make_ca untrusted-ca "/O=somebody else/CN=untrusted CA"
sign alice-untrusted untrusted-ca "/O=somebody else/CN=alice" "$(client_ext alice@example.test)"

for user in alice bob; do
    dir="$OUT/skopeo-$user"
    mkdir -p "$dir"
    cp "$OUT/ca.crt" "$dir/ca.crt"
    cp "$OUT/$user.crt" "$dir/client.cert"
    cp "$OUT/$user.key" "$dir/client.key"
done
chmod 644 "$OUT"/*.crt "$OUT"/skopeo-*/ca.crt "$OUT"/skopeo-*/client.cert

# Self-check: what must verify does, what must not does not.
verify() { openssl verify -CAfile "$OUT/ca.crt" "$OUT/$1.crt" >/dev/null 2>&1; }
verify server && verify alice && verify bob || { echo "make-certs: chain check failed" >&2; exit 1; }
if verify alice-expired || verify alice-untrusted; then
    echo "make-certs: expired/untrusted certificate unexpectedly verifies" >&2; exit 1
fi
echo "make-certs: wrote $OUT"
