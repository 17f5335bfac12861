#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, debug build, Swift tests, then the end-to-end tests
# (pytest, Tests/e2e) against the built binary. Exits non-zero if anything fails or if no e2e test ran.
#   ZOT_AUTHZ_BIN   binary the e2e tests start (default: .build/debug/zot-authz)
#   E2E_SKIP_LARGE  set to 1 to skip the 1 GiB streaming test
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
PYTHON="${PYTHON:-python3}"
export PYTHON PYTHONDONTWRITEBYTECODE=1

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "swift build (debug)"
swift build

# Tests that measure wall-clock time (timeouts, overlapping delays, rate-limit refills) run on their own after the
# rest: the full parallel suite (SQLite floods, 20 MiB driver writes) starves a 2-core machine's cooperative pool.
TIMING_TESTS='FailDelayTests|LDAPAuthenticatorTests|MetricsContentTests|BlobTeeTests'
step "swift test (all but the timing tests)"
swift test --skip "$TIMING_TESTS"
step "swift test (timing tests, alone)"
swift test --skip-build --filter "$TIMING_TESTS"

step "fuzz corpus replay and a short libFuzzer run per target"
.build/debug/zot-authz-fuzz all fuzz/corpus
scripts/fuzz.sh "${FUZZ_SECONDS:-5}"

export ZOT_AUTHZ_BIN="${ZOT_AUTHZ_BIN:-$PWD/.build/debug/zot-authz}"
step "end-to-end tests against $ZOT_AUTHZ_BIN"
status=0
"$PYTHON" -m pytest -q Tests/e2e || status=$?
if [ "$status" -eq 5 ]; then
    echo "test.sh: pytest collected no end-to-end tests" >&2
    exit 1
fi
exit "$status"
