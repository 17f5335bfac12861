"""OIDC bearer JWTs (`http.auth.bearer.oidc`, CI workload identity) against the real binary: tokens minted here
by our own issuer (discovery + JWKS on loopback), sent raw as `Authorization: Bearer` (skopeo cannot). A valid
token is an identity like any other — the access policy still decides; every malformed or foreign token is 401."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from oidc_support import HTPASSWD_USERS, SigningKey, oidc_registry, token_issuer, workload_token_issuer  # noqa: F401 (fixtures)
from registry_client import RegistryClient

pytestmark = pytest.mark.zot_only


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def client_with(server, token: str) -> RegistryClient:
    client = RegistryClient(server.url)
    client.session.auth = BearerAuth(token)
    return client


def status_with(server, token: str, path: str = "/v2/", method: str = "GET") -> int:
    return requests.request(method, server.url + path, headers={"Authorization": f"Bearer {token}"},
                            timeout=10).status_code


def test_a_valid_token_pushes_and_pulls_as_its_groups_allow(oidc_registry, token_issuer):
    server = oidc_registry(token_issuer=token_issuer)  # team/**: group devs may read and push
    token = token_issuer.mint("ci-bot", ["devs"])
    client = client_with(server, token)

    assert client.get("/v2/").status_code == 200
    digest, _ = client.push_image("team/app", "1")
    pulled = client.get("/v2/team/app/manifests/1", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    assert pulled.status_code == 200, pulled.text
    assert pulled.headers.get("Docker-Content-Digest") == digest
    deleted = client.delete(f"/v2/team/app/manifests/{digest}")
    assert deleted.status_code == 403, f"delete is not granted to devs, got {deleted.status_code}"

    events = server.audit_events()
    assert any(e.get("user") == "ci-bot" and e.get("result") == "allow" for e in events), events[-5:]
    server.assert_no_secret_logged(token, token.split(".")[2])


@pytest.mark.parametrize("case", ["wrong issuer", "wrong audience", "expired", "not yet valid", "no subject",
                                  "empty subject", "no expiry"])
def test_a_token_with_bad_claims_is_refused(oidc_registry, token_issuer, case):
    server = oidc_registry(token_issuer=token_issuer)  # team/**: group devs may read and push
    now = int(time.time())
    claims = {
        "wrong issuer": {"iss": "http://127.0.0.1:1"},
        "wrong audience": {"aud": "someone-else"},
        "expired": {"exp": now - 300, "iat": now - 900, "nbf": now - 900},
        "not yet valid": {"nbf": now + 600, "iat": now + 600, "exp": now + 900},
        "no subject": {"drop": ("sub",)},
        "empty subject": {"sub": ""},
        "no expiry": {"drop": ("exp",)},
    }[case]
    assert status_with(server, token_issuer.mint("ci-bot", ["devs"])) == 200  # the issuer works
    token = token_issuer.mint(claims.pop("sub", "ci-bot"), ["devs"], **claims)
    assert status_with(server, token) == 401, f"{case}: accepted"
    upload = status_with(server, token, "/v2/team/app/blobs/uploads/", "POST")
    assert upload == 401, f"{case}: upload start answered {upload}"
    server.assert_no_secret_logged(token)


def test_unsigned_and_algorithm_confused_tokens_are_refused(oidc_registry, token_issuer):
    server = oidc_registry(token_issuer=token_issuer)  # team/**: group devs may read and push
    assert status_with(server, token_issuer.mint("ci-bot", ["devs"])) == 200  # the issuer works
    confused = token_issuer.mint_hs256_with_public_key("ci-bot", ["devs"])
    for name, token in (("alg none", token_issuer.mint_unsigned("ci-bot", ["devs"])),
                        ("HS256 keyed with the public key", confused),
                        ("foreign key, same kid", token_issuer.mint("ci-bot", ["devs"],
                                                                   key=SigningKey(kid=token_issuer.key.kid))),
                        ("garbage", "not.a.jwt"),
                        ("truncated signature", token_issuer.mint("ci-bot", ["devs"])[:-6])):
        assert status_with(server, token) == 401, f"{name}: accepted"
        assert status_with(server, token, "/v2/team/app/tags/list") == 401, f"{name}: reached a repository"


#: The server refetches a JWKS at most once per this many seconds (JWKSKeyCache.minimumRefreshInterval), so a flood
#: of made-up kids cannot make it hammer the issuer; a rotation is only noticed once that much time has passed.
JWKS_REFETCH_COOLDOWN_SECONDS = 2.5


def test_the_server_fetches_the_new_key_when_the_issuer_rotates(oidc_registry, token_issuer):
    server = oidc_registry(token_issuer=token_issuer)  # team/**: group devs may read and push
    assert status_with(server, token_issuer.mint("ci-bot", ["devs"])) == 200
    first_fetch = time.monotonic()
    fetches_before = token_issuer.jwks_fetches
    old_key = token_issuer.rotate()
    time.sleep(max(0.0, JWKS_REFETCH_COOLDOWN_SECONDS - (time.monotonic() - first_fetch)))

    assert status_with(server, token_issuer.mint("ci-bot", ["devs"])) == 200, "first token with the new kid refused"
    assert token_issuer.jwks_fetches > fetches_before, "accepted a new kid without fetching the JWKS"
    assert status_with(server, token_issuer.mint("ci-bot", ["devs"])) == 200
    assert status_with(server, token_issuer.mint("ci-bot", ["devs"], key=old_key)) == 401, \
        "a token signed by the retired key is still accepted after the JWKS was refetched"


def test_unknown_kids_do_not_make_the_server_hammer_the_issuer(oidc_registry, token_issuer):
    server = oidc_registry(token_issuer=token_issuer)  # team/**: group devs may read and push
    assert status_with(server, token_issuer.mint("ci-bot", ["devs"])) == 200
    fetches_before = token_issuer.jwks_fetches
    for _ in range(20):
        assert status_with(server, token_issuer.mint("ci-bot", ["devs"], key=SigningKey())) == 401
    assert token_issuer.jwks_fetches - fetches_before <= 3, \
        f"20 tokens with unknown kids caused {token_issuer.jwks_fetches - fetches_before} JWKS downloads"


def test_a_valid_token_without_a_grant_is_forbidden_never_let_through(oidc_registry, token_issuer):
    server = oidc_registry(token_issuer=token_issuer)  # team/**: group devs may read and push
    setup = client_with(server, token_issuer.mint("ci-bot", ["devs"]))
    setup.push_image("team/app", "1")

    for name, token in (("other group", token_issuer.mint("guest-bot", ["guests"])),
                        ("no groups claim", token_issuer.mint("lonely-bot")),
                        ("group named like a user", token_issuer.mint("devs", []))):
        client = client_with(server, token)
        assert client.get("/v2/").status_code == 200, f"{name}: a valid token was not authenticated"
        for method, path in (("GET", "/v2/team/app/tags/list"), ("GET", "/v2/team/app/manifests/1"),
                             ("POST", "/v2/team/app/blobs/uploads/")):
            status = client.request(method, path).status_code
            assert status == 403, f"{name}: {method} {path} answered {status}"


def test_an_issuer_with_a_workload_discovery_document_is_accepted(oidc_registry, workload_token_issuer):
    """GitHub Actions and Kubernetes publish discovery without `authorization_endpoint` and `token_endpoint` (they
    never log browsers in); both are irrelevant to verifying a bearer token, so they must not be required."""
    server = oidc_registry(token_issuer=workload_token_issuer)
    token = workload_token_issuer.mint("ci-bot", ["devs"])
    answer = requests.get(server.url + "/v2/team/app/tags/list", headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    assert answer.status_code in (200, 404), f"a GitHub-style issuer is unusable: {answer.status_code} {answer.text}"
    assert status_with(server, workload_token_issuer.mint("ci-bot", ["devs"], aud="other")) == 401


def test_without_a_username_mapping_a_token_for_sub_admin_is_not_the_local_admin(oidc_registry, token_issuer):
    """Zot's default claim mapping names a bearer user `<iss>/<sub>`: a token with `sub=admin` must not get the
    htpasswd admin's adminPolicy rights."""
    server = oidc_registry(token_issuer=token_issuer, bearer_claim_mapping={"groups": "groups"})
    bob = RegistryClient(server.url, auth=("bob", HTPASSWD_USERS["bob"]))
    bob.push_image("bob/app", "1")
    impostor = client_with(server, token_issuer.mint("admin", []))
    assert impostor.get("/v2/").status_code == 200
    assert impostor.get("/v2/bob/app/tags/list").status_code == 403, "sub=admin got the local admin's rights"
    events = server.audit_events()
    assert any(e.get("user") == f"{token_issuer.issuer}/admin" for e in events), events[-3:]
    assert not any(e.get("user") == "admin" and e.get("authMethod") == "bearer" for e in events)


def test_cel_claim_mapping_names_the_user_and_validations_refuse_pull_requests(oidc_registry, token_issuer):
    mapping = {"username": "'ci/' + claims.repository", "groups": "[claims.repository_owner]",
               "variables": [{"name": "owner", "expression": "claims.repository_owner_id"}],
               "validations": [{"expression": "vars.owner == '4242'", "message": "wrong organisation"},
                               {"expression": "claims.event_name != 'pull_request'", "message": "pull requests may not push"}]}
    server = oidc_registry(token_issuer=token_issuer, bearer_claim_mapping=mapping,
                           access_control={"repositories": {"team/**": {"policies": [{"users": ["ci/acme/app"], "actions": ["read", "create"]}]}}})
    claims = {"repository": "acme/app", "repository_owner": "acme", "repository_owner_id": "4242"}
    push = token_issuer.mint("repo:acme/app", **claims, event_name="push")
    assert status_with(server, push, "/v2/team/app/blobs/uploads/", "POST") == 202
    assert any(e.get("user") == "ci/acme/app" for e in server.audit_events())
    for refused in (token_issuer.mint("repo:acme/app", **claims, event_name="pull_request"),
                    token_issuer.mint("repo:acme/app", **{**claims, "repository_owner_id": "1"}, event_name="push")):
        assert status_with(server, refused) == 401


def test_rfc_8693_exchanges_a_ci_jwt_for_a_registry_token_and_nothing_else(oidc_registry, token_issuer):
    server = oidc_registry(token_issuer=token_issuer, auth={"tokenService": {"lifetime": "2m"}})  # devs: read+push on team/**
    exchange = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                "scope": "repository:team/app:pull,push,delete", "service": "authz-e2e"}
    jwt_token = token_issuer.mint("ci-bot", ["devs"])
    answer = requests.post(f"{server.url}/auth/token", data={**exchange, "subject_token": jwt_token}, timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token" and body["token_type"] == "Bearer"
    token = body["access_token"]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["sub"].endswith("ci-bot") or payload["sub"] == "ci-bot"
    assert payload["access"] == [{"type": "repository", "name": "team/app", "actions": ["pull", "push"]}]
    assert status_with(server, token, "/v2/team/app/blobs/uploads/", "POST") == 202
    # A registry token, a forged JWT or a wrong token type cannot be exchanged.
    assert requests.post(f"{server.url}/auth/token", data={**exchange, "subject_token": token}, timeout=10).status_code == 400
    forged = token_issuer.mint("ci-bot", ["devs"], key=SigningKey())
    assert requests.post(f"{server.url}/auth/token", data={**exchange, "subject_token": forged}, timeout=10).status_code == 401
    wrong_type = {**exchange, "subject_token": jwt_token, "subject_token_type": "urn:ietf:params:oauth:token-type:saml2"}
    assert requests.post(f"{server.url}/auth/token", data=wrong_type, timeout=10).status_code == 400
    assert any(e.get("event") == "token-exchanged" for e in server.audit_events())
    server.assert_no_secret_logged(jwt_token, token)


def test_a_ci_jwt_works_as_the_basic_password_for_basic_only_clients_and_at_the_token_endpoint(oidc_registry, token_issuer, skopeo, tmp_path):
    from conftest import build_oci_image, layout_manifest_digest

    server = oidc_registry(token_issuer=token_issuer, auth={"tokenService": {}})  # devs: read+push on team/**
    jwt_token = token_issuer.mint("ci-bot", ["devs"])
    assert requests.get(server.url + "/v2/team/app/tags/list", auth=("oauth2accesstoken", jwt_token), timeout=10).status_code == 404
    assert requests.get(server.url + "/v2/team/app/tags/list", auth=("ci-bot", jwt_token), timeout=10).status_code == 404
    assert requests.get(server.url + "/v2/team/app/tags/list", auth=("someone-else", jwt_token), timeout=10).status_code == 401
    forged = token_issuer.mint("ci-bot", ["devs"], key=SigningKey())
    assert requests.get(server.url + "/v2/", auth=("oauth2accesstoken", forged), timeout=10).status_code == 401
    # skopeo speaks Basic only: it sends the JWT to the token endpoint and pushes with the token it gets.
    layout = build_oci_image(tmp_path, {"ci.txt": b"keyless CI\n"})
    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"oauth2accesstoken:{jwt_token}", f"oci:{layout}:latest",
               f"docker://{server.host}/team/keyless:v1")
    inspected = json.loads(skopeo.run("inspect", "--tls-verify=false", "--creds", f"oauth2accesstoken:{jwt_token}",
                                      f"docker://{server.host}/team/keyless:v1").stdout)
    assert inspected["Digest"] == layout_manifest_digest(layout, "latest")
    server.assert_no_secret_logged(jwt_token)
