"""Zot's token-server mode (`http.auth.bearer {realm, service, cert}`) against the real binary: tokens minted here
with a test token server's key in Distribution's format. The registry challenges with Bearer and the scope each
request needs; a token's `access` is intersected with `accessControl` — push-scope tokens cannot delete, and no
token reaches a repository the policy denies."""

from __future__ import annotations

import pytest
import requests

from authz_support import authz_registry  # noqa: F401 (fixture)
from registry_client import RegistryClient
from token_support import BearerAuth, TokenServerKey

pytestmark = pytest.mark.zot_only

SERVICE = "zot-authz-e2e"
ISSUER = "test-token-server"
REALM_URL = "https://auth.example.test/token"
ALL = ["read", "create", "update", "delete"]
POLICY = {"repositories": {
    "team/**": {"policies": [{"users": ["alice"], "actions": ALL}], "anonymousPolicy": ["read"]},
    "secret/**": {"policies": [{"users": ["bob"], "actions": ["read"]}]},
}}


def token_registry(authz_registry, tmp_path, key: TokenServerKey):
    cert = key.write_cert(tmp_path / f"token-server-{key.kind}.pem")
    return authz_registry(users={}, access_control=POLICY,
                          auth={"bearer": {"realm": REALM_URL, "service": SERVICE, "issuer": ISSUER, "cert": str(cert)}})


def client_with(server, token: str) -> RegistryClient:
    client = RegistryClient(server.url)
    client.session.auth = BearerAuth(token)
    return client


@pytest.fixture(params=["rsa", "ec"])
def key(request) -> TokenServerKey:
    return TokenServerKey(request.param)


def test_the_registry_challenges_with_bearer_and_the_scope_a_request_needs(authz_registry, tmp_path, key):
    server = token_registry(authz_registry, tmp_path, key)
    base = requests.get(server.url + "/v2/", timeout=10)
    assert base.status_code == 401
    assert base.headers["WWW-Authenticate"] == f'Bearer realm="{REALM_URL}",service="{SERVICE}"'
    pull = requests.get(server.url + "/v2/secret/x/tags/list", timeout=10)
    assert pull.headers["WWW-Authenticate"] == f'Bearer realm="{REALM_URL}",service="{SERVICE}",scope="repository:secret/x:pull"'
    push = requests.post(server.url + "/v2/secret/x/blobs/uploads/", timeout=10)
    assert push.headers["WWW-Authenticate"].endswith('scope="repository:secret/x:pull,push"')


def test_a_push_token_pushes_and_pulls_but_cannot_delete(authz_registry, tmp_path, key):
    server = token_registry(authz_registry, tmp_path, key)
    token = key.mint("alice", [("team/app", ["pull", "push"])], SERVICE, ISSUER)
    client = client_with(server, token)
    assert client.get("/v2/").status_code == 200
    digest, _ = client.push_image("team/app", "1")
    pulled = client.get("/v2/team/app/manifests/1", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    assert pulled.status_code == 200, pulled.text
    deleted = client.delete(f"/v2/team/app/manifests/{digest}")
    assert deleted.status_code == 403, f"a push token deleted: {deleted.status_code}"
    assert deleted.headers["WWW-Authenticate"].endswith('scope="repository:team/app:delete",error="insufficient_scope"')
    assert client.get("/v2/team/app/manifests/1").status_code == 200, "the manifest is gone"
    # The same user with a token that grants delete may delete: the policy allows alice to.
    full = client_with(server, key.mint("alice", [("team/app", ["*"])], SERVICE, ISSUER))
    assert full.delete(f"/v2/team/app/manifests/{digest}").status_code == 202


def test_a_token_cannot_reach_a_repository_the_policy_denies(authz_registry, tmp_path, key):
    server = token_registry(authz_registry, tmp_path, key)
    alice = client_with(server, key.mint("alice", [("secret/x", ["*"]), ("team/app", ["pull"])], SERVICE, ISSUER))
    denied = alice.get("/v2/secret/x/tags/list")
    assert denied.status_code == 403, denied.text
    assert alice.post("/v2/secret/x/blobs/uploads/").status_code == 403
    # Nor one the token does not name, even where the policy would allow.
    assert alice.post("/v2/team/other/blobs/uploads/").status_code == 403
    # bob may read secret/** but not push there, whatever his token says.
    bob = client_with(server, key.mint("bob", [("secret/x", ["pull", "push"])], SERVICE, ISSUER))
    assert bob.get("/v2/secret/x/tags/list").status_code == 404
    assert bob.post("/v2/secret/x/blobs/uploads/").status_code == 403


@pytest.mark.parametrize("case", ["other key", "other service", "other issuer", "expired", "HS256 with the public key",
                                  "algorithm of another key type"])
def test_foreign_or_forged_tokens_are_refused(authz_registry, tmp_path, case):
    key = TokenServerKey("rsa")
    server = token_registry(authz_registry, tmp_path, key)
    access = [("team/app", ["pull"])]
    if case == "other key":
        token = TokenServerKey("rsa").mint("alice", access, SERVICE, ISSUER)
    elif case == "other service":
        token = key.mint("alice", access, "someone-else", ISSUER)
    elif case == "other issuer":
        token = key.mint("alice", access, SERVICE, "elsewhere")
    elif case == "expired":
        token = key.mint("alice", access, SERVICE, ISSUER, lifetime=-300)
    elif case == "HS256 with the public key":
        import jwt
        from cryptography.hazmat.primitives import serialization
        secret = key.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
        import hmac, hashlib, base64, json  # noqa: E401
        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = b64(json.dumps(jwt.decode(key.mint("alice", access, SERVICE, ISSUER),
                                            options={"verify_signature": False})).encode())
        token = f"{header}.{payload}." + b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    else:
        token = key.mint("alice", access, SERVICE, ISSUER, algorithm="PS256")
    assert client_with(server, key.mint("alice", access, SERVICE, ISSUER)).get("/v2/team/app/tags/list").status_code == 404
    refused = client_with(server, token).get("/v2/team/app/tags/list")
    assert refused.status_code == 401, f"{case}: {refused.status_code}"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer realm=")


def test_zot_authz_test_explains_a_token_as_policy_intersected_with_its_access(tmp_path):
    import json
    import subprocess

    from conftest import server_binary

    key = TokenServerKey("ec")
    cert = key.write_cert(tmp_path / "token-server.pem")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"storage": {"rootDirectory": str(tmp_path / "storage")},
                                  "http": {"address": "127.0.0.1", "port": "5000", "realm": "zot",
                                           "auth": {"bearer": {"realm": REALM_URL, "service": SERVICE, "issuer": ISSUER,
                                                               "cert": str(cert)}},
                                           "accessControl": POLICY}}))

    def explain(token: str, action: str, repo: str = "team/app") -> subprocess.CompletedProcess:
        return subprocess.run([str(server_binary()), "test", str(config), "--token", token, "--repo", repo, "--action", action],
                              capture_output=True, text=True, timeout=60)

    push = key.mint("alice", [("team/app", ["pull", "push"])], SERVICE, ISSUER)
    allowed = explain(push, "create")
    assert allowed.returncode == 0 and allowed.stdout.startswith("ALLOW"), allowed.stdout + allowed.stderr
    assert "within token access team/app" in allowed.stdout and "verified with the config's key" in allowed.stdout
    denied = explain(push, "delete")
    assert denied.stdout.startswith("DENY") and "token access team/app[read,create,update] do not cover delete" in denied.stdout, denied.stdout
    assert "policy:   allow" in denied.stdout, "the policy alone would allow alice to delete"
    forged = TokenServerKey("ec").mint("alice", [("team/app", ["*"])], SERVICE, ISSUER)
    refused = explain(forged, "read")
    assert "the server would refuse this token" in refused.stdout + refused.stderr, refused.stdout + refused.stderr
