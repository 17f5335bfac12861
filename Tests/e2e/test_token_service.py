"""The built-in Docker token service (`http.auth.tokenService`) with real clients: the registry always challenges
with `Bearer realm="<externalUrl>/auth/token",service="<realm>"`; skopeo logs in, pushes and pulls through tokens
it gets with Basic credentials; an anonymous skopeo pulls a public repository through an anonymous token while a
private one is refused; oras-py's default token backend pushes and pulls; Basic on /v2/ keeps working."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from authz_support import REALM, authz_registry  # noqa: F401 (fixture)
from conftest import USERS, build_oci_image, layout_manifest_digest

pytestmark = pytest.mark.zot_only

PLAIN_HTTP = "--tls-verify=false"
ALL = ["read", "create", "update", "delete"]
POLICY = {"repositories": {
    "public/**": {"anonymousPolicy": ["read"], "defaultPolicy": ["read"],
                  "policies": [{"users": ["alice"], "actions": ALL}]},
    "private/**": {"policies": [{"users": ["alice"], "actions": ALL}]},
    "team/**": {"policies": [{"users": ["alice"], "actions": ["read", "create", "update"]}]},
}}


@pytest.fixture
def token_registry(authz_registry, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = authz_registry(users=USERS, access_control=POLICY, auth={"tokenService": {"lifetime": "5m"}, "failDelay": 1},
                            log={"audit": str(audit)})
    server.audit_path = audit
    return server


def audit_events(server) -> list[dict]:
    return [json.loads(line) for line in server.audit_path.read_text().splitlines() if line.strip()]


def test_the_registry_challenges_with_its_token_endpoint_and_keeps_basic(token_registry):
    base = requests.get(token_registry.url + "/v2/", timeout=10)
    assert base.status_code == 401
    assert base.headers["WWW-Authenticate"] == f'Bearer realm="{token_registry.url}/auth/token",service="{REALM}"'
    assert requests.get(token_registry.url + "/v2/", auth=("alice", USERS["alice"]), timeout=10).status_code == 200
    jwks = requests.get(token_registry.url + "/.well-known/jwks.json", timeout=10).json()
    assert [key["kty"] for key in jwks["keys"]] == ["EC"]


def test_skopeo_logs_in_pushes_and_pulls_through_tokens(token_registry, skopeo, tmp_path):
    host = token_registry.host
    skopeo.run("login", PLAIN_HTTP, "-u", "alice", "-p", USERS["alice"], host)
    layout = build_oci_image(tmp_path, {"hello.txt": b"hello through tokens\n"})
    digest = layout_manifest_digest(layout, "latest")
    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{host}/team/app:v1")
    inspected = json.loads(skopeo.run("inspect", PLAIN_HTTP, f"docker://{host}/team/app:v1").stdout)
    assert inspected["Digest"] == digest
    pulled = tmp_path / "pulled"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{host}/team/app:v1", f"oci:{pulled}:copy")
    assert layout_manifest_digest(pulled, "copy") == digest
    issued = [e for e in audit_events(token_registry) if e.get("event") == "token-issued"]
    assert any(e.get("user") == "alice" and "team/app" in (e.get("reason") or "") for e in issued), issued[-3:]
    assert USERS["alice"] not in token_registry.log_text()


def test_skopeo_with_a_wrong_password_cannot_log_in(token_registry, skopeo):
    result = skopeo.run("login", PLAIN_HTTP, "-u", "alice", "-p", "wrong", token_registry.host, check=False)
    assert result.returncode != 0
    assert "401" in result.stderr or "unauthorized" in result.stderr.lower() or "invalid" in result.stderr.lower(), result.stderr


def test_anonymous_skopeo_pulls_a_public_repository_but_not_a_private_one(token_registry, skopeo, tmp_path):
    host = token_registry.host
    layout = build_oci_image(tmp_path, {"pub.txt": b"public\n"})
    creds = f"alice:{USERS['alice']}"
    for repo in ("public/app", "private/app"):
        skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds, f"oci:{layout}:latest", f"docker://{host}/{repo}:v1")
    anonymous = tmp_path / "anon"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{host}/public/app:v1", f"oci:{anonymous}:copy")
    assert layout_manifest_digest(anonymous, "copy") == layout_manifest_digest(layout, "latest")
    refused = skopeo.run("inspect", PLAIN_HTTP, f"docker://{host}/private/app:v1", check=False)
    assert refused.returncode != 0
    assert any(word in refused.stderr.lower() for word in ("unauthorized", "authentication required", "denied")), refused.stderr
    # The token endpoint itself answered the anonymous callers (no 401 for a public read).
    issued = [e for e in audit_events(token_registry) if e.get("event") == "token-issued" and not e.get("user")]
    assert issued, "no anonymous token was issued"


def test_oras_py_default_token_backend_pushes_and_pulls(token_registry, tmp_path, monkeypatch):
    oras_client = pytest.importorskip("oras.client")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    client = oras_client.OrasClient(hostname=token_registry.host, insecure=True)
    client.login(username="alice", password=USERS["alice"], tls_verify=False, config_path=str(tmp_path / "oras-config.json"))
    payload = tmp_path / "in" / "report.bin"
    payload.parent.mkdir()
    payload.write_bytes(os.urandom(4096))
    target = f"{token_registry.host}/team/artifact:v1"
    response = client.push(target=target, files=[str(payload)], disable_path_validation=True, quiet=True)
    assert response.status_code == 201, response.text
    files = client.pull(target=target, outdir=str(tmp_path / "out"))
    assert [Path(f).read_bytes() for f in files] == [payload.read_bytes()]


def test_podman_logs_in_and_pulls_through_tokens(token_registry, skopeo, tmp_path, request):
    assert shutil.which("podman"), "podman is not installed (scripts/install-deps.sh installs it)"
    host = token_registry.host
    layout = build_oci_image(tmp_path, {"podman.txt": b"podman\n"})
    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"alice:{USERS['alice']}", f"oci:{layout}:latest",
               f"docker://{host}/private/podman:v1")
    # podman refuses a runroot longer than 50 characters: a short one of our own, removed afterwards.
    runroot = Path(tempfile.mkdtemp(prefix="zpr-"))
    request.addfinalizer(lambda: shutil.rmtree(runroot, ignore_errors=True))
    base = ["podman", "--storage-driver", "vfs", "--root", str(tmp_path / "podman-root"), "--runroot", str(runroot)]
    env = dict(os.environ, REGISTRY_AUTH_FILE=str(tmp_path / "podman-auth.json"), HOME=str(tmp_path / "podman-home"))

    def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([*base, *args], capture_output=True, text=True, env=env, timeout=180, stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            pytest.fail(f"podman {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    anonymous = podman("pull", PLAIN_HTTP, f"{host}/private/podman:v1", check=False)
    assert anonymous.returncode != 0
    podman("login", PLAIN_HTTP, "-u", "alice", "-p", USERS["alice"], host)
    podman("pull", PLAIN_HTTP, f"{host}/private/podman:v1")
    podman("push", PLAIN_HTTP, f"{host}/private/podman:v1", f"{host}/private/podman:v2")


def test_an_offline_refresh_token_is_stored_hashed_refreshes_and_can_be_revoked(token_registry):
    url = token_registry.url
    alice = ("alice", USERS["alice"])
    first = requests.get(f"{url}/auth/token", params={"service": REALM, "offline_token": "true", "client_id": "e2e"},
                         auth=alice, timeout=10)
    assert first.status_code == 200, first.text
    refresh = first.json()["refresh_token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "service": REALM, "client_id": "e2e",
            "scope": "repository:team/app:pull,push"}
    renewed = requests.post(f"{url}/auth/token", data=form, timeout=10)
    assert renewed.status_code == 200, renewed.text
    token = renewed.json()["access_token"]
    assert requests.post(f"{url}/v2/team/app/blobs/uploads/", headers={"Authorization": f"Bearer {token}"},
                         timeout=10).status_code == 202
    listed = requests.get(f"{url}/zot/auth/refreshtoken", auth=alice, timeout=10).json()["refreshTokens"]
    assert [entry["owner"] for entry in listed] == ["alice"]
    database = b"".join(path.read_bytes() for path in (token_registry.root_dir / "metadata").glob("zot-authz.db*"))
    assert b"alice" in database, "the refresh token row was not found in the database files"
    assert refresh.encode() not in database and refresh[4:].encode() not in database
    assert requests.delete(f"{url}/zot/auth/refreshtoken", params={"id": listed[0]["id"]}, auth=alice, timeout=10).status_code == 200
    assert requests.post(f"{url}/auth/token", data=form, timeout=10).status_code == 401
    events = {e.get("event") for e in audit_events(token_registry)}
    assert {"refresh-token-issued", "token-refreshed", "refresh-token-revoked", "token-refused"} <= events, events
    for secret in (refresh, token):
        assert secret not in token_registry.log_text() and secret not in token_registry.audit_path.read_text()


def test_distribution_in_proxy_mode_pulls_through_us_with_tokens(token_registry, skopeo, tmp_path):
    assert shutil.which("docker-registry"), "docker-registry is not installed (scripts/install-deps.sh installs it)"
    """Distribution 2.8 as a pull-through cache (`proxy.remoteurl` = us, with username/password) follows our Bearer
    challenge to the token service and pulls a private image; its own clients need no credentials."""
    import time

    from conftest import free_port, stop_process

    host = token_registry.host
    layout = build_oci_image(tmp_path, {"proxied.txt": b"through the proxy\n"})
    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"alice:{USERS['alice']}", f"oci:{layout}:latest",
               f"docker://{host}/private/proxied:v1")
    port = free_port()
    config = tmp_path / "proxy.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem: {{rootdirectory: {tmp_path / 'proxy-storage'}}}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        "log: {level: info}\n"
        f"proxy:\n  remoteurl: {token_registry.url}\n  username: alice\n  password: {USERS['alice']}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    with open(tmp_path / "proxy.log", "wb") as log:
        proxy = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        pulled = tmp_path / "via-proxy"
        result = skopeo.run("copy", "--src-tls-verify=false", f"docker://127.0.0.1:{port}/private/proxied:v1",
                            f"oci:{pulled}:copy", check=False)
        assert result.returncode == 0, result.stderr + "\n--- proxy log ---\n" + (tmp_path / "proxy.log").read_text()[-3000:]
        assert layout_manifest_digest(pulled, "copy") == layout_manifest_digest(layout, "latest")
        issued = [e for e in audit_events(token_registry) if e.get("event") == "token-issued" and e.get("user") == "alice"
                  and "private/proxied" in (e.get("reason") or "")]
        assert issued, "the proxy did not fetch a token as alice"
    finally:
        stop_process(proxy)


def test_skopeo_pushes_with_an_api_key_through_the_token_flow_and_its_scopes_trim_the_token(authz_registry, skopeo, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = authz_registry(users=USERS, access_control=POLICY, auth={"tokenService": {}, "apikey": True},
                            log={"audit": str(audit)})
    made = requests.post(server.url + "/zot/auth/apikey", auth=("alice", USERS["alice"]), timeout=10,
                         json={"label": "ci", "scopes": [{"repositories": "team/**", "actions": ["read", "create"]}]})
    assert made.status_code == 201, made.text
    key = made.json()["apiKey"]
    host = server.host
    skopeo.run("login", PLAIN_HTTP, "-u", "alice", "-p", key, host)
    layout = build_oci_image(tmp_path, {"key.txt": b"pushed with an API key\n"})
    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{host}/team/keyed:v1")
    assert json.loads(skopeo.run("inspect", PLAIN_HTTP, f"docker://{host}/team/keyed:v1").stdout)["Digest"] == \
        layout_manifest_digest(layout, "latest")
    # The key's scopes trim what a token may carry: no push outside team/**, although alice may push to private/**.
    token = requests.get(server.url + "/auth/token", params={"service": REALM, "scope": "repository:private/app:pull,push"},
                         auth=("alice", key), timeout=10).json()["token"]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["access"] == [], payload
    assert key not in server.log_text() and key not in audit.read_text()


def test_refresh_tokens_are_listed_with_the_users_api_keys(authz_registry):
    server = authz_registry(users=USERS, access_control=POLICY, auth={"tokenService": {"lifetime": "5m"}, "apikey": True})
    alice = ("alice", USERS["alice"])
    issued = requests.get(f"{server.url}/auth/token", params={"service": REALM, "offline_token": "true", "client_id": "laptop"},
                          auth=alice, timeout=10)
    assert issued.status_code == 200, issued.text
    key = requests.post(f"{server.url}/zot/auth/apikey", json={"label": "ci"}, auth=alice, timeout=10)
    assert key.status_code == 201, key.text
    listed = requests.get(f"{server.url}/zot/auth/apikey", auth=alice, timeout=10).json()
    assert [entry["label"] for entry in listed["apiKeys"]] == ["ci"]
    assert [entry["clientID"] for entry in listed["refreshTokens"]] == ["laptop"]
    assert issued.json()["refresh_token"] not in json.dumps(listed)
    # Another user sees neither.
    other = next(name for name in USERS if name != "alice")
    theirs = requests.get(f"{server.url}/zot/auth/apikey", auth=(other, USERS[other]), timeout=10).json()
    assert theirs["apiKeys"] == [] and theirs["refreshTokens"] == []
