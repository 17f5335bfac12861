#!/usr/bin/env bash
# Installs what building zot-authz and running its tests need on Debian 12.
# Idempotent: when everything is already present it returns in well under a second.
set -euo pipefail

APT_PACKAGES=(
    skopeo umoci apache2-utils openssl ca-certificates
    libcrypt-dev libssl-dev libsqlite3-dev libldap2-dev
    slapd ldap-utils prometheus systemd buildah chromium chromium-driver podman docker-registry
)
PYTHON="${PYTHON:-python3}"
PIP_PACKAGES=(oras pytest requests oidc-provider-mock selenium cryptography PyJWT 'moto[server]' boto3)

log() { printf 'install-deps: %s\n' "$*" >&2; }

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done
if ! "$PYTHON" -m pip --version >/dev/null 2>&1 && ! is_installed python3-pip; then
    missing+=(python3-pip)
fi

if ((${#missing[@]} > 0)); then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import oras, pytest, requests, oidc_provider_mock, selenium, cryptography, jwt, moto.server, boto3' >/dev/null 2>&1; then
    log "pip install ${PIP_PACKAGES[*]}"
    # Debian's system Python is "externally managed" (PEP 668); this is a throwaway test machine.
    PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$PYTHON" -m pip install -q "${PIP_PACKAGES[@]}"
fi
