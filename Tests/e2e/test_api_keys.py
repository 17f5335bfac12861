"""API keys through Zot's JSON API (`/zot/auth/apikey`) against the real binary and a real OIDC provider
(oidc-provider-mock): the session comes from the login flow done with `requests`, keys are then used as Basic
passwords by `requests` and skopeo."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from authz_support import PLAIN_HTTP, failure_text, image_layout, refused_as_forbidden
from oidc_support import (HTPASSWD_USERS, SESSION_COOKIE, oidc_login, oidc_provider,  # noqa: F401 (fixtures)
                          oidc_registry)

pytestmark = pytest.mark.zot_only

KEY_PATH = "/zot/auth/apikey"
TEAM_READ_CREATE = [{"repositories": "team/**", "actions": ["read", "create"]}]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def in_seconds(seconds: float) -> str:
    return rfc3339(datetime.now(timezone.utc) + timedelta(seconds=seconds))


def create_key(server, session: requests.Session | None = None, auth: tuple[str, str] | None = None,
               label: str = "ci", expiration: str | None = None, scopes: list[dict] | None = None,
               expect: int = 201) -> dict | requests.Response:
    """POST a key request as JSON; returns the key object on 201, else the response (after checking the status)."""
    body: dict = {"label": label}
    if expiration is not None:
        body["expirationDate"] = expiration
    if scopes is not None:
        body["scopes"] = scopes
    client = session or requests
    answer = client.post(server.url + KEY_PATH, json=body, auth=auth, timeout=10)
    assert answer.status_code == expect, f"create key: expected {expect}, got {answer.status_code}: {answer.text}"
    if expect != 201:
        return answer
    key = answer.json()
    for field in ("uuid", "label", "apiKey", "createdAt", "scopes"):
        assert field in key, f"{field} missing from {key}"
    assert key["apiKey"].startswith("zak_"), key
    assert key["label"] == label
    return key


def list_keys(server, session: requests.Session | None = None, auth: tuple[str, str] | None = None) -> list[dict]:
    client = session or requests
    answer = client.get(server.url + KEY_PATH, auth=auth, timeout=10)
    assert answer.status_code == 200, f"list keys: {answer.status_code} {answer.text}"
    return answer.json()["apiKeys"]


def v2_status(server, user: str, password: str) -> int:
    return requests.get(server.url + "/v2/", auth=(user, password), timeout=10).status_code


def push(skopeo, server, tmp_path, creds: str, target: str, name: str = "img"):
    source = image_layout(tmp_path, name, f"content of {name}\n".encode())
    return skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds, source,
                      f"docker://{server.host}/{target}", check=False)


def test_a_signed_in_user_creates_lists_uses_and_revokes_a_key(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")

    key = create_key(server, session, label="laptop", expiration=in_seconds(3600), scopes=TEAM_READ_CREATE)
    assert key["scopes"] == [{"repositories": "team/**", "actions": ["create", "read"]}] \
        or key["scopes"] == TEAM_READ_CREATE, key["scopes"]
    listed = list_keys(server, session)
    assert [entry["uuid"] for entry in listed] == [key["uuid"]]
    for entry in listed:
        assert "apiKey" not in entry or entry["apiKey"] is None, f"the list reveals a secret: {entry}"
    assert key["apiKey"] not in session.get(server.url + KEY_PATH, timeout=10).text

    assert v2_status(server, "alice", key["apiKey"]) == 200

    revoked = session.delete(server.url + KEY_PATH, params={"id": key["uuid"]}, timeout=10)
    assert revoked.status_code == 200, revoked.text
    assert v2_status(server, "alice", key["apiKey"]) == 401
    assert list_keys(server, session) == []
    again = session.delete(server.url + KEY_PATH, params={"id": key["uuid"]}, timeout=10)
    assert again.status_code == 404, f"revoking a revoked key: {again.status_code}"
    unknown = session.delete(server.url + KEY_PATH, params={"id": "00000000-0000-0000-0000-000000000000"}, timeout=10)
    assert unknown.status_code == 404, unknown.text

    events = server.audit_events()
    assert any(e.get("credentialId") == key["uuid"] and "create" in str(e.get("event")) for e in events), events
    assert any(e.get("credentialId") == key["uuid"] and "revoke" in str(e.get("event")) for e in events), events
    assert any("login" in str(e.get("event")) and e.get("user") == "alice" for e in events), events
    server.assert_no_secret_logged(key["apiKey"], session.cookies[SESSION_COOKIE], *HTPASSWD_USERS.values())


def test_anonymous_callers_and_api_keys_cannot_manage_keys(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    for method in ("GET", "POST", "DELETE"):
        answer = requests.request(method, server.url + KEY_PATH, json={"label": "x"}, timeout=10)
        assert answer.status_code == 401, f"anonymous {method}: {answer.status_code} {answer.text}"

    session = oidc_login(server, "alice")
    key = create_key(server, session)
    with_key = ("alice", key["apiKey"])
    create_key(server, auth=with_key, label="child", expect=403)
    listed = requests.get(server.url + KEY_PATH, auth=with_key, timeout=10)
    assert listed.status_code == 403, f"an API key listed keys: {listed.status_code}"
    deleted = requests.delete(server.url + KEY_PATH, params={"id": key["uuid"]}, auth=with_key, timeout=10)
    assert deleted.status_code == 403, f"an API key revoked a key: {deleted.status_code}"
    assert [entry["uuid"] for entry in list_keys(server, session)] == [key["uuid"]]

    wrong_type = session.post(server.url + KEY_PATH, data='{"label":"form"}',
                              headers={"Content-Type": "text/plain"}, timeout=10)
    assert wrong_type.status_code in (400, 415), f"a non-JSON key request: {wrong_type.status_code}"


def test_a_key_works_only_for_its_owner_and_htpasswd_users_get_keys_too(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    alice = create_key(server, oidc_login(server, "alice"))
    alice_key = alice["apiKey"]
    bob = ("bob", HTPASSWD_USERS["bob"])
    bob_key = create_key(server, auth=bob, label="bob-ci")

    assert v2_status(server, "alice", alice_key) == 200
    assert v2_status(server, "bob", alice_key) == 401, "alice's key worked for bob"
    assert v2_status(server, "mallory", alice_key) == 401
    assert v2_status(server, "bob", bob_key["apiKey"]) == 200
    assert v2_status(server, "alice", bob_key["apiKey"]) == 401, "bob's key worked for alice"
    assert v2_status(server, "alice", alice_key[:-1] + ("A" if alice_key[-1] != "A" else "B")) == 401

    someone_elses = requests.delete(server.url + KEY_PATH, params={"id": alice["uuid"]}, auth=bob, timeout=10)
    assert someone_elses.status_code == 404, f"bob revoking alice's key by id: {someone_elses.status_code}"
    assert v2_status(server, "alice", alice_key) == 200
    own = requests.delete(server.url + KEY_PATH, params={"id": bob_key["uuid"]}, auth=bob, timeout=10)
    assert own.status_code == 200, own.text
    assert v2_status(server, "bob", bob_key["apiKey"]) == 401


def test_an_expired_key_is_refused_and_lifetimes_beyond_the_maximum_are_rejected(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider, apikey={"enable": True, "maxLifetime": "720h"})
    session = oidc_login(server, "alice")

    short = create_key(server, session, label="short", expiration=in_seconds(3))
    assert v2_status(server, "alice", short["apiKey"]) == 200
    time.sleep(4)
    assert v2_status(server, "alice", short["apiKey"]) == 401, "an expired key still authenticates"

    too_long = create_key(server, session, label="forever", expiration=in_seconds(31 * 24 * 3600), expect=400)
    assert "expir" in too_long.text.lower() or "lifetime" in too_long.text.lower(), too_long.text
    in_the_past = create_key(server, session, label="past", expiration=in_seconds(-60), expect=400)
    assert in_the_past.status_code == 400
    create_key(server, session, label="garbage", expiration="next tuesday", expect=400)
    within = create_key(server, session, label="month", expiration=in_seconds(29 * 24 * 3600))
    assert within["expirationDate"], within

    no_expiry = create_key(server, session, label="default")
    assert no_expiry["expirationDate"], "with maxLifetime a key without expirationDate must get one"
    expires = datetime.fromisoformat(no_expiry["expirationDate"].replace("Z", "+00:00"))
    assert expires <= datetime.now(timezone.utc) + timedelta(hours=720, minutes=1), no_expiry


def test_a_key_scope_narrows_what_its_owner_may_do(oidc_registry, oidc_provider, skopeo, tmp_path):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")
    full = create_key(server, session, label="full")["apiKey"]
    read_app = create_key(server, session, label="read-app",
                          scopes=[{"repositories": "team/app", "actions": ["read"]}])["apiKey"]

    assert push(skopeo, server, tmp_path, f"alice:{full}", "team/app:1", "one").returncode == 0
    assert push(skopeo, server, tmp_path, f"alice:{full}", "team/other:1", "two").returncode == 0

    inspected = skopeo.run("inspect", PLAIN_HTTP, "--creds", f"alice:{read_app}", f"docker://{server.host}/team/app:1",
                           check=False)
    assert inspected.returncode == 0, f"the read-scoped key cannot read its repository: {inspected.stderr}"
    refused = push(skopeo, server, tmp_path, f"alice:{read_app}", "team/app:2", "three")
    assert refused_as_forbidden(refused), f"a read-only key pushed: {failure_text(refused)}"
    outside = requests.get(f"{server.url}/v2/team/other/tags/list", auth=("alice", read_app), timeout=10)
    assert outside.status_code == 403, f"a key scoped to team/app read team/other: {outside.status_code}"
    inside = requests.get(f"{server.url}/v2/team/app/tags/list", auth=("alice", read_app), timeout=10)
    assert inside.status_code == 200 and inside.json()["tags"] == ["1"], inside.text


def test_a_scope_never_widens_the_owners_rights(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    carol_session = oidc_login(server, "carol")  # group guests: no rights on team/**
    wide = create_key(server, carol_session, label="wide",
                      scopes=[{"repositories": "**", "actions": ["read", "create", "update", "delete"]}])["apiKey"]
    assert v2_status(server, "carol", wide) == 200
    upload = requests.post(f"{server.url}/v2/team/app/blobs/uploads/", auth=("carol", wide), timeout=10)
    assert upload.status_code == 403, f"a wide scope let carol push where the policy does not: {upload.status_code}"


def test_last_used_is_recorded_when_a_key_is_used(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")
    key = create_key(server, session)
    assert not key.get("lastUsed"), key
    assert not list_keys(server, session)[0].get("lastUsed")

    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    assert v2_status(server, "alice", key["apiKey"]) == 200
    deadline = time.monotonic() + 5
    last_used = None
    while time.monotonic() < deadline and not last_used:
        last_used = list_keys(server, session)[0].get("lastUsed")
        time.sleep(0.1)
    assert last_used, "lastUsed stayed empty after the key was used"
    assert datetime.fromisoformat(last_used.replace("Z", "+00:00")) >= before, last_used


def test_an_admin_revokes_all_keys_of_a_user_and_nobody_else_can(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")
    keys = [create_key(server, session, label=f"k{n}")["apiKey"] for n in range(2)]
    bob_key = create_key(server, auth=("bob", HTPASSWD_USERS["bob"]))["apiKey"]

    refused = requests.delete(server.url + KEY_PATH, params={"username": "alice"},
                              auth=("bob", HTPASSWD_USERS["bob"]), timeout=10)
    assert refused.status_code == 403, f"bob (not an admin) revoked alice's keys: {refused.status_code}"
    own = session.delete(server.url + KEY_PATH, params={"username": "bob"}, timeout=10)
    assert own.status_code == 403, f"alice (not an admin) revoked bob's keys: {own.status_code}"
    assert all(v2_status(server, "alice", key) == 200 for key in keys)

    revoked = requests.delete(server.url + KEY_PATH, params={"username": "alice"},
                              auth=("admin", HTPASSWD_USERS["admin"]), timeout=10)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"revoked": 2}, revoked.text
    assert [v2_status(server, "alice", key) for key in keys] == [401, 401]
    assert list_keys(server, session) == []
    assert v2_status(server, "bob", bob_key) == 200, "revoking alice's keys touched bob's"

    events = server.audit_events()
    assert any("revoke" in str(e.get("event")) and e.get("user") == "admin" for e in events), events
    server.assert_no_secret_logged(*keys, bob_key, *HTPASSWD_USERS.values())


def test_replaying_the_audit_trail_keeps_a_scoped_keys_denial(oidc_registry, oidc_provider):
    """The server's audit line records the key's method and scopes; `zot-authz test --replay` under the same config
    decides with them, so a denial caused by the scope is not reported as a change (no false deny → allow)."""
    import json
    import subprocess

    from conftest import server_binary

    server = oidc_registry(provider=oidc_provider)
    admin = ("admin", HTPASSWD_USERS["admin"])
    assert requests.post(f"{server.url}/v2/team/app/blobs/uploads/", auth=admin, timeout=10).status_code == 202
    key = create_key(server, auth=admin, label="read-only",
                     scopes=[{"repositories": "team/**", "actions": ["read"]}])["apiKey"]
    upload = requests.post(f"{server.url}/v2/team/app/blobs/uploads/", auth=("admin", key), timeout=10)
    assert upload.status_code == 403, upload.text
    denials = [event for event in server.audit_events()
               if event.get("result") == "deny" and event.get("repository") == "team/app"]
    assert denials and denials[-1]["authMethod"] == "apikey" and denials[-1].get("scopes"), denials
    replay = subprocess.run([str(server_binary()), "test", str(server.workdir / "config.json"),
                             "--replay", str(server.audit_path), "--json"], capture_output=True, text=True, timeout=30)
    assert replay.returncode == 0, replay.stderr
    report = json.loads(replay.stdout)
    assert report["replayed"] >= 1, report
    assert report["changes"] == [], f"the replay lost the key's scopes: {report['changes']}"
