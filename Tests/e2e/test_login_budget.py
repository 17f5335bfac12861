"""Brute force across many addresses: a per-user-name budget of failed logins, whatever address they come from."""

from __future__ import annotations

import json
import time

import pytest
import requests

from authz_support import authz_registry  # noqa: F401 (fixture)
from conftest import ALL_ACTIONS

pytestmark = pytest.mark.zot_only

SECRET = "s3cret-alice"
SIGNED_IN_ONLY = {"repositories": {"**": {"defaultPolicy": ALL_ACTIONS}}}


@pytest.mark.parametrize("name", ["alice", "nobody-at-all"])
def test_forty_wrong_passwords_from_forty_addresses_are_throttled_with_retry_after(authz_registry, tmp_path, name):
    audit = tmp_path / "audit.jsonl"
    server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY, log={"audit": str(audit)},
                            http={"trustedProxies": ["127.0.0.0/8"], "ratelimit": {"rate": 1000}})
    session = requests.Session()
    answers = [session.get(f"{server.url}/v2/", auth=(name, f"guess-{index}"), timeout=10,
                           headers={"X-Forwarded-For": f"198.51.100.{index + 1}"}) for index in range(40)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:20] == [401] * 20, statuses
    assert statuses[20:] == [429] * 20, f"guesses for {name} from fresh addresses were not throttled: {statuses}"
    throttled = answers[-1]
    assert 1 <= int(throttled.headers["Retry-After"]) <= 15, dict(throttled.headers)
    error = throttled.json()["errors"][0]
    assert error["code"] == "TOOMANYREQUESTS" and name in error["message"], error

    other = session.get(f"{server.url}/v2/", auth=("bob", "wrong"), timeout=10)
    assert other.status_code == 401, "another user name was throttled too"
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert any(event.get("result") == "rate-limited" and name in (event.get("reason") or "") for event in events), events[-3:]


def test_throttling_is_not_a_lockout(authz_registry):
    server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY)
    session = requests.Session()
    for index in range(21):
        session.get(f"{server.url}/v2/", auth=("alice", f"guess-{index}"), timeout=10)
    blocked = session.get(f"{server.url}/v2/", auth=("alice", SECRET), timeout=10)
    assert blocked.status_code == 429
    time.sleep(int(blocked.headers["Retry-After"]) + 0.2)
    assert session.get(f"{server.url}/v2/", auth=("alice", SECRET), timeout=10).status_code == 200
    for index in range(20):
        assert session.get(f"{server.url}/v2/", auth=("alice", f"again-{index}"), timeout=10).status_code == 401, \
            "a successful login did not clear the failures"
