"""`zot-authz test` with identities derived as the server would: a client certificate (--cert, through
http.auth.mtls), ID-token/JWT claims (--oidc-claims with the login or bearer claim mapping) and API key scopes
(--scope, through ScopeLimitedDecider). Runs the built binary; no server is started."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from authz_support import DevPKI, dev_pki  # noqa: F401 (fixture)
from conftest import server_binary

pytestmark = pytest.mark.zot_only

ACCESS = {"repositories": {"team/**": {"policies": [
    {"users": ["alice@example.test", "ci-repo"], "actions": ["read", "create"]},
    {"groups": ["dev"], "actions": ["read"]},
]}}}


@pytest.fixture
def config(tmp_path: Path, dev_pki: DevPKI) -> Path:
    """mTLS naming users by SAN email, a login provider mapping preferred_username/roles, and a CI bearer issuer
    mapping repository/teams; API keys enabled."""
    document = {
        "storage": {"rootDirectory": str(tmp_path / "store")},
        "http": {
            "address": "127.0.0.1", "port": "5000",
            "tls": dev_pki.tls_config(),
            "auth": {
                "mtls": {"identityAttributes": ["Email", "CommonName"]},
                "apikey": True,
                "openid": {"providers": {"oidc": {
                    "issuer": "https://idp.example", "clientid": "zot", "clientsecret": "s",
                    "claimMapping": {"username": "preferred_username", "groups": "roles"}}}},
                "bearer": {"oidc": [
                    {"issuer": "https://other.example", "audiences": ["zot"]},
                    {"issuer": "https://ci.example", "audiences": ["zot"],
                     "claimMapping": {"username": "repository", "groups": "teams"}},
                ]},
            },
            "accessControl": ACCESS,
        },
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document))
    return path


def dry_run(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(server_binary()), "test", str(config), *args], capture_output=True, text=True, timeout=30)


def as_json(config: Path, *args: str) -> dict:
    result = dry_run(config, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_certificate_names_the_user_by_the_configured_attribute(config, dev_pki):
    allowed = dry_run(config, "--cert", dev_pki.file("alice.crt"), "--repo", "team/app", "--action", "create")
    assert allowed.returncode == 0, allowed.stderr
    lines = allowed.stdout.splitlines()
    assert lines[0] == "ALLOW"
    assert lines[1] == ('  identity: user "alice@example.test", method mtls — from certificate alice.crt, '
                        'attribute Email (http.auth.mtls)')
    assert "warning" not in allowed.stdout

    denied = dry_run(config, "--cert", dev_pki.file("bob.crt"), "--repo", "team/app", "--action", "read")
    assert denied.returncode == 0, denied.stderr
    assert denied.stdout.startswith("DENY\n  identity: user \"bob@example.test\", method mtls")

    report = as_json(config, "--cert", dev_pki.file("alice.crt"), "--repo", "team/app", "--action", "read")
    assert report["decision"] == "allow"
    assert report["identity"]["method"] == "mtls"
    assert report["identity"]["user"] == "alice@example.test"
    assert report["certificate"]["attribute"] == "Email"
    assert report["certificate"]["expired"] is False
    assert report["warnings"] == []


def test_expired_certificate_is_a_warning_and_the_decision_stays_the_policys(config, dev_pki):
    result = dry_run(config, "--cert", dev_pki.file("alice-expired.crt"), "--repo", "team/app", "--action", "read")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ALLOW\n")
    assert "  warning:  the server would refuse this certificate: expired at 2020-01-02T00:00:00Z" in result.stdout

    report = as_json(config, "--cert", dev_pki.file("alice-expired.crt"), "--repo", "team/app", "--action", "read")
    assert report["decision"] == "allow"
    assert report["certificate"]["expired"] is True
    assert report["certificate"]["notValidAfter"] == "2020-01-02T00:00:00Z"
    assert any(w.startswith("the server would refuse this certificate: expired") for w in report["warnings"])


def test_login_claims_inline_use_the_providers_claim_mapping(config):
    claims = json.dumps({"iss": "https://idp.example", "sub": "u-17", "preferred_username": "bob", "roles": ["dev"]})
    result = dry_run(config, "--oidc-claims", claims, "--repo", "team/app", "--action", "read")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ALLOW\n  identity: user \"bob\", groups [dev], method oidc-session — from OIDC login claims")
    assert "matched by group \"dev\"" in result.stdout

    denied = as_json(config, "--oidc-claims", claims, "--oidc-source", "login", "--repo", "team/app", "--action", "create")
    assert denied["decision"] == "deny"
    assert denied["identity"] == {"user": "bob", "groups": ["dev"], "method": "oidc-session",
                                  "source": denied["identity"]["source"]}
    assert "http.auth.openid.providers.oidc" in denied["identity"]["source"]


def test_bearer_claims_from_a_file_use_the_issuer_matching_iss(config, tmp_path):
    claims = tmp_path / "ci-claims.json"
    claims.write_text(json.dumps({"iss": "https://ci.example", "sub": "repo:team/app:ref:main",
                                  "repository": "ci-repo", "teams": "builders"}))
    report = as_json(config, "--oidc-claims", f"@{claims}", "--oidc-source", "bearer", "--repo", "team/app", "--action", "create")
    assert report["decision"] == "allow"
    assert report["identity"]["user"] == "ci-repo"
    assert report["identity"]["groups"] == ["builders"]
    assert report["identity"]["method"] == "bearer"
    assert "http.auth.bearer.oidc[1]" in report["identity"]["source"]

    text = dry_run(config, "--oidc-claims", f"@{claims}", "--oidc-source", "bearer", "--repo", "team/app", "--action", "delete")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("DENY\n  identity: user \"ci-repo\", groups [builders], method bearer")


def test_scope_narrows_what_the_policy_allows(config):
    narrowed = dry_run(config, "--user", "alice@example.test", "--scope", "team/app:read",
                       "--repo", "team/app", "--action", "create")
    assert narrowed.returncode == 0, narrowed.stderr
    lines = narrowed.stdout.splitlines()
    assert lines[0] == "DENY"
    assert "method apikey" in lines[1]
    assert "  decided:  credential scopes team/app[read] do not cover create on team/app" in narrowed.stdout
    assert "  policy:   allow by repositories.\"team/**\".policies[0]" in narrowed.stdout

    report = as_json(config, "--user", "alice@example.test", "--scope", "team/app:read",
                     "--repo", "team/app", "--action", "create")
    assert report["decision"] == "deny"
    assert report["allowed"] is False
    assert report["scope"]["policyDecision"] == "allow"
    assert report["scope"]["scopes"] == [{"repositories": "team/app", "actions": ["read"]}]

    within = as_json(config, "--user", "alice@example.test", "--scope", "team/**:read,create",
                     "--scope", "other:delete", "--repo", "team/app", "--action", "create")
    assert within["decision"] == "allow"
    assert "within credential scope team/**" in within["scope"]["rule"]


@pytest.mark.parametrize(("args", "message"), [
    (["--oidc-claims", "[1, 2]"], "--oidc-claims: not a JSON object"),
    (["--oidc-claims", "{broken"], "--oidc-claims: not valid JSON"),
    (["--oidc-claims", "@/nonexistent/claims.json"], "--oidc-claims /nonexistent/claims.json: cannot read the file"),
    (["--oidc-claims", '{"sub": "x"}', "--oidc-source", "saml"], '--oidc-source: "saml" is not login or bearer'),
    (["--user", "a", "--scope", "team"], "--scope 'team': expected GLOB:actions"),
    (["--user", "a", "--scope", "team:push"], "--scope 'team:push': \"push\" is not read, create, update or delete"),
    (["--anonymous", "--cert", "CERT"], "give only one of --user, --anonymous, --cert, --oidc-claims, --token (got --anonymous and --cert)"),
    (["--cert", "CERT", "--group", "dev"], "--cert does not take --group"),
    (["--cert", "KEY"], "no certificate in file"),
    (["--cert", "/nonexistent.crt"], "--cert /nonexistent.crt: cannot read the file"),
])
def test_bad_identity_options_fail_with_a_precise_message(config, dev_pki, args, message):
    args = [dev_pki.file("alice.crt") if a == "CERT" else dev_pki.file("alice.key") if a == "KEY" else a for a in args]
    result = dry_run(config, *args, "--repo", "team/app", "--action", "read")
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Fatal error" not in result.stderr and result.stdout == ""


def test_fixture_cannot_be_combined_with_new_identity_options(config, dev_pki, tmp_path):
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps({"cases": []}))
    result = dry_run(config, "--fixture", str(fixture), "--cert", dev_pki.file("alice.crt"))
    assert result.returncode != 0
    assert "--fixture cannot be combined with identity options" in result.stderr
