#!/usr/bin/env bash
# Writes policies/journeys.htpasswd for the example journey configs: every user's password is "<user>-secret"
# (alice → alice-secret, ci-bot → ci-bot-secret). Examples only: never use these passwords anywhere else.
# Usage: policies/make-journeys-htpasswd.sh [OUTFILE]   (needs htpasswd from apache2-utils)
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")" && pwd)/journeys.htpasswd}"
USERS=(alice bob ci-bot root carol dave erin frank)
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
for user in "${USERS[@]}"; do
    htpasswd -nbB -C 10 "$user" "$user-secret" | sed '/^$/d' >> "$tmp"
done
mv "$tmp" "$OUT"
trap - EXIT
echo "wrote $OUT (${#USERS[@]} users, password <user>-secret)"
