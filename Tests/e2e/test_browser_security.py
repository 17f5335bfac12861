"""Browser and account surface hardening (issue 15, items 1, 2, 3, 7) against the real binary, a real OIDC provider
(oidc-provider-mock) and a real slapd: no open redirect through `\\` or user info, 413 (never 500) for oversized
bodies, no cross-origin logout, and API keys that die with their htpasswd or LDAP owner."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import requests

from authz_support import authz_registry, replace_htpasswd  # noqa: F401 (fixtures)
from ldap_support import PEOPLE_DN, ROOT_DN, ROOT_PASSWORD, USERS, ldap_directory, ldap_pki, user_dn  # noqa: F401
from oidc_support import (HTPASSWD_USERS, REDIRECTS, SESSION_COOKIE, authorize_at_provider, oidc_login,  # noqa: F401
                          oidc_provider, oidc_registry, start_login)

pytestmark = pytest.mark.zot_only

KEY_PATH = "/zot/auth/apikey"
BOB = ("bob", HTPASSWD_USERS["bob"])


def oci_error(response: requests.Response) -> dict:
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    errors = response.json()["errors"]
    assert errors and errors[0]["code"] and errors[0]["message"], errors
    return errors[0]


# --- item 1: open redirect after the OIDC login ----------------------------------------------------------------

@pytest.mark.parametrize("target", ["http://evil.example\\@allowed.example/", "http://evil.example%5C@allowed.example/",
                                    "http://allowed.example\\.evil.example/", "http://user@allowed.example/",
                                    "http://allowed.example@evil.example/", "http://allowed.example/\\evil.example"])
def test_a_backslash_or_user_info_in_callback_ui_never_leaves_the_registry(oidc_registry, oidc_provider, target):
    server = oidc_registry(provider=oidc_provider, callback_allow_origins=["http://allowed.example"])
    browser = requests.Session()
    callback = authorize_at_provider(browser, start_login(server, browser, callback_ui=target), "alice")
    landed = browser.get(callback, allow_redirects=False, timeout=10)
    assert landed.status_code in REDIRECTS, landed.status_code
    assert landed.headers["Location"] == "/auth/apikeys", f"sent to {landed.headers['Location']!r}"
    assert landed.cookies.get(SESSION_COOKIE), "the login itself must still succeed"


def test_an_allowed_origin_is_reached_with_the_reserialised_url(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider, callback_allow_origins=["http://allowed.example"])
    browser = requests.Session()
    callback = authorize_at_provider(browser, start_login(server, browser, callback_ui="HTTP://Allowed.Example:80/ui?x=1"),
                                     "alice")
    landed = browser.get(callback, allow_redirects=False, timeout=10)
    assert landed.headers["Location"] == "http://allowed.example/ui?x=1", landed.headers["Location"]


# --- item 2: oversized bodies ----------------------------------------------------------------------------------

def test_a_100_kb_key_label_is_413_with_an_oci_error(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    answer = requests.post(server.url + KEY_PATH, json={"label": "a" * 100_000}, auth=BOB, timeout=10)
    assert answer.status_code == 413, f"{answer.status_code}: {answer.text[:300]}"
    assert oci_error(answer)["code"] == "SIZE_INVALID"


@pytest.mark.parametrize("path", ["/auth/apikeys", "/auth/apikeys/revoke", "/zot/auth/logout"])
def test_a_20_kb_form_post_is_413_with_an_oci_error(oidc_registry, oidc_provider, path):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")
    answer = session.post(server.url + path, data={"csrf": "x", "label": "b" * 20_000}, allow_redirects=False, timeout=10)
    assert answer.status_code == 413, f"{answer.status_code}: {answer.text[:300]}"
    assert oci_error(answer)["code"] == "SIZE_INVALID"
    assert session.get(server.url + KEY_PATH, timeout=10).status_code == 200, "the session should live on"


def test_a_manifest_put_declaring_too_large_a_body_is_413_before_the_body_is_sent(oidc_registry):
    server = oidc_registry()
    host, port = server.host.split(":")
    credentials = requests.auth._basic_auth_str(*BOB)
    head = (f"PUT /v2/bob/app/manifests/v1 HTTP/1.1\r\nHost: {server.host}\r\nAuthorization: {credentials}\r\n"
            "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 10485760\r\n\r\n")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 3, "the server waited for the body"


# --- item 7: logout CSRF ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Sec-Fetch-Site": "cross-site", "Origin": "http://127.0.0.1:1"}])
def test_a_cross_origin_text_plain_logout_is_refused_and_the_session_lives_on(oidc_registry, oidc_provider, headers):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")
    cookie = session.cookies.get(SESSION_COOKIE)
    forged = requests.post(server.url + "/zot/auth/logout", data="x=1", cookies={SESSION_COOKIE: cookie},
                           headers={"Content-Type": "text/plain", **headers}, timeout=10)
    assert forged.status_code == 403, f"{forged.status_code}: {forged.text[:200]}"
    assert oci_error(forged)["code"] == "DENIED"
    assert requests.get(server.url + KEY_PATH, cookies={SESSION_COOKIE: cookie}, timeout=10).status_code == 200
    assert any(e.get("result") == "deny" and "CSRF" in str(e.get("reason")) for e in server.audit_events())

    own = requests.post(server.url + "/zot/auth/logout", cookies={SESSION_COOKIE: cookie},
                        headers={"Origin": server.url}, timeout=10)
    assert own.status_code == 200, own.text
    assert requests.get(server.url + KEY_PATH, cookies={SESSION_COOKIE: cookie}, timeout=10).status_code == 401


def test_cookie_authenticated_writes_from_another_origin_are_refused(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    session = oidc_login(server, "alice")
    cookie = {SESSION_COOKIE: session.cookies.get(SESSION_COOKIE)}
    evil = {"Origin": "http://evil.example"}
    assert requests.post(server.url + "/v2/team/app/blobs/uploads/", cookies=cookie, headers=evil,
                         timeout=10).status_code == 403
    assert requests.post(server.url + KEY_PATH, json={"label": "x"}, cookies=cookie, headers=evil,
                         timeout=10).status_code == 403
    assert session.post(server.url + "/v2/team/app/blobs/uploads/", timeout=10).status_code == 202


# --- item 3: deprovisioning ------------------------------------------------------------------------------------

def test_a_key_stops_working_when_its_owner_leaves_the_htpasswd_file(oidc_registry, oidc_provider):
    server = oidc_registry(provider=oidc_provider)
    created = requests.post(server.url + KEY_PATH, json={"label": "ci"}, auth=BOB, timeout=10)
    assert created.status_code == 201, created.text
    key = created.json()["apiKey"]
    assert requests.get(server.url + "/v2/", auth=("bob", key), timeout=10).status_code == 200
    admin_key = requests.post(server.url + KEY_PATH, json={"label": "ops"}, auth=("admin", HTPASSWD_USERS["admin"]),
                              timeout=10).json()["apiKey"]

    replace_htpasswd(server.htpasswd_path, {"admin": HTPASSWD_USERS["admin"]})
    deadline = time.monotonic() + 5
    status = 200
    while time.monotonic() < deadline and status == 200:
        time.sleep(0.3)
        status = requests.get(server.url + "/v2/", auth=("bob", key), timeout=10).status_code
    assert status == 401, "the key of a removed htpasswd user still works"
    assert requests.get(server.url + "/v2/", auth=("admin", admin_key), timeout=10).status_code == 200
    server.assert_no_secret_logged(key, admin_key)


def test_a_key_stops_working_when_its_owner_is_deleted_from_ldap(authz_registry, ldap_directory):
    policy = {"repositories": {"**": {"defaultPolicy": ["read"]}}}
    server = authz_registry(users={}, access_control=policy,
                            auth={"ldap": ldap_directory.auth_config("ldap"), "apikey": True})
    keys = {}
    for name in ("carol", "dave"):
        created = requests.post(server.url + KEY_PATH, json={"label": "ci"}, auth=(name, USERS[name]), timeout=20)
        assert created.status_code == 201, created.text
        keys[name] = created.json()["apiKey"]
    assert requests.get(server.url + "/v2/", auth=("carol", keys["carol"]), timeout=20).status_code == 200

    subprocess.run(["ldapdelete", "-x", "-H", ldap_directory.ldap_url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, user_dn("dave")],
                   check=True, capture_output=True, timeout=30)
    assert requests.get(server.url + "/v2/", auth=("dave", keys["dave"]), timeout=20).status_code == 401
    assert requests.get(server.url + "/v2/", auth=("carol", keys["carol"]), timeout=20).status_code == 200
