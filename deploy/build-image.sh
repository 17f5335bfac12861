#!/usr/bin/env bash
# Builds the zot-authz container image without a daemon, with buildah:
#   FROM scratch + the binary + exactly the shared libraries `ldd` names for it (only glibc for the release
#   binary of scripts/build-release.sh) + libgcc_s.so.1, which glibc dlopens at thread exit + CA certificates + a passwd entry for user 65532 + a default config.
# Usage: deploy/build-image.sh BINARY [IMAGE]                 (default image name: localhost/zot-authz:latest)
#   BUILDAH_ROOT   buildah storage directory (default: buildah's own); the vfs driver is used, so this works as an
#                  unprivileged user and inside containers without fuse-overlayfs.
# Then e.g.: buildah push --root "$BUILDAH_ROOT" --storage-driver vfs IMAGE docker://registry/zot-authz:TAG
# Run it with your config mounted over /etc/zot-authz/config.json and a volume at /var/lib/zot-authz; the default
# config listens on 0.0.0.0:5000 and allows anonymous reads only.
set -euo pipefail

binary="${1:?usage: deploy/build-image.sh BINARY [IMAGE]}"
image="${2:-localhost/zot-authz:latest}"
[ -x "$binary" ] || { echo "build-image: $binary is not an executable" >&2; exit 2; }
buildah=(buildah --storage-driver vfs)
if [ -n "${BUILDAH_ROOT:-}" ]; then buildah+=(--root "$BUILDAH_ROOT/root" --runroot "$BUILDAH_ROOT/runroot"); fi

rootfs="$(mktemp -d)"
container=""
cleanup() {
    [ -n "$container" ] && "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true
    rm -rf "$rootfs"
}
trap cleanup EXIT

install -D -m 0755 "$binary" "$rootfs/usr/local/bin/zot-authz"
# Every library the dynamic loader would map, at the path it maps it from (the loader itself included).
ldd "$binary" | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | sort -u | while read -r library; do
    install -D -m 0755 "$(readlink -f "$library")" "$rootfs$library"
done
# glibc itself dlopens libgcc_s.so.1 when a thread exits (pthread_exit unwinds); ldd cannot show that.
gcc_s="$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/{print $NF; exit}')"
gcc_s="${gcc_s:-/lib/x86_64-linux-gnu/libgcc_s.so.1}"
[ -e "$rootfs$gcc_s" ] || install -D -m 0644 "$(readlink -f "$gcc_s")" "$rootfs$gcc_s"
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$rootfs/etc/zot-authz" "$rootfs/var/lib/zot-authz" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/:/sbin/nologin\nzot:x:65532:65532:zot-authz:/var/lib/zot-authz:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nzot:x:65532:\n' >"$rootfs/etc/group"
cat >"$rootfs/etc/zot-authz/config.json" <<'JSON'
{
  "distSpecVersion": "1.1.1",
  "http": {
    "address": "0.0.0.0", "port": "5000", "realm": "zot-authz",
    "accessControl": { "repositories": { "**": { "anonymousPolicy": ["read"] } } }
  },
  "storage": { "rootDirectory": "/var/lib/zot-authz" },
  "log": { "level": "info" }
}
JSON
version="$("$binary" --version 2>/dev/null | awk '{print $2}' || true)"

container="$("${buildah[@]}" from scratch)"
"${buildah[@]}" copy "$container" "$rootfs/" / >/dev/null
# The data directory belongs to the unprivileged user (copying a directory's contents applies --chown to them).
"${buildah[@]}" copy --chown 65532:65532 "$container" "$rootfs/var/lib" /var/lib >/dev/null
"${buildah[@]}" config \
    --entrypoint '["/usr/local/bin/zot-authz"]' --cmd 'serve /etc/zot-authz/config.json' \
    --user 65532:65532 --port 5000/tcp --volume /var/lib/zot-authz --workingdir /var/lib/zot-authz \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --label org.opencontainers.image.title=zot-authz \
    --label "org.opencontainers.image.version=${version:-unknown}" \
    --label org.opencontainers.image.description="OCI registry with an authentication and policy gateway, Zot-compatible" \
    "$container"
"${buildah[@]}" commit --quiet --format oci "$container" "$image"
echo "$image"
