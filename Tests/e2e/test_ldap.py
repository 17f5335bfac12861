"""LDAP authentication and groups against a real OpenLDAP slapd (plain, LDAPS and StartTLS), with the real
zot-authz binary: passwords, injection attempts, group policies with skopeo, a directory that stops, freezes
and comes back, service credentials reloaded from `credentialsFile`, and certificate checking."""

from __future__ import annotations

import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from authz_support import assert_challenge, authz_registry, image_layout, refused_as_forbidden  # noqa: F401
from conftest import free_port, server_binary
from ldap_support import SERVICE_DN, SERVICE_PASSWORD, USERS, ldap_directory, ldap_pki  # noqa: F401

pytestmark = pytest.mark.zot_only

#: Everyone signed in may read; members of the LDAP group `devs` may also push under team/.
TEAM_POLICY = {"repositories": {
    "team/**": {"policies": [{"groups": ["devs"], "actions": ["read", "create"]}], "defaultPolicy": ["read"]},
    "**": {"defaultPolicy": ["read"]},
}}


def start_with_ldap(authz_registry, ldap: dict, access_control: dict = TEAM_POLICY):
    return authz_registry(users={}, access_control=access_control, auth={"ldap": ldap})


def status(server, user: str, password: str, path: str = "/v2/", timeout: float = 20) -> int:
    return requests.get(f"{server.url}{path}", auth=(user, password), timeout=timeout).status_code


def test_right_password_logs_in_over_plain_ldap_and_wrong_ones_do_not(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "alice", USERS["alice"]) == 200
    assert status(server, "alice", USERS["alice"]) == 200  # cached
    assert_challenge(requests.get(f"{server.url}/v2/", auth=("alice", "wrong-password"), timeout=20))
    assert_challenge(requests.get(f"{server.url}/v2/", auth=("alice", USERS["bob"]), timeout=20))
    assert_challenge(requests.get(f"{server.url}/v2/", auth=("nobody", "whatever"), timeout=20))


def test_empty_password_is_refused_although_ldap_would_accept_an_unauthenticated_bind(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert_challenge(requests.get(f"{server.url}/v2/", auth=("alice", ""), timeout=20))
    # Proof that the directory was never asked: the server logs the refusal as an empty password.
    assert "empty password" in server.log_text()


@pytest.mark.parametrize("username", ["*", "*)(uid=*", "al*", "alice)(|(uid=*", "*)(objectClass=*", "alice\\", "(uid=alice)"])
def test_filter_injection_attempts_do_not_log_in(authz_registry, ldap_directory, username):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    for password in (USERS["alice"], USERS["bob"], "x"):
        assert_challenge(requests.get(f"{server.url}/v2/", auth=(username, password), timeout=20))
    assert status(server, "alice", USERS["alice"]) == 200, "the directory itself works"


def test_a_user_whose_name_contains_a_star_logs_in_by_that_exact_name(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "star*name", USERS["star*name"]) == 200
    assert status(server, "star*", USERS["star*name"]) == 401


def test_a_login_name_that_matches_two_entries_is_refused(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "twin", USERS["twin"]) == 401


def test_ldaps_with_the_directory_ca_logs_in(authz_registry, ldap_directory, ldap_pki):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldaps", ca_cert=ldap_pki.ca))
    assert status(server, "alice", USERS["alice"]) == 200
    assert status(server, "alice", "wrong-password") == 401


def test_starttls_with_the_directory_ca_logs_in(authz_registry, ldap_directory, ldap_pki):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("starttls", ca_cert=ldap_pki.ca))
    assert status(server, "alice", USERS["alice"]) == 200
    assert status(server, "bob", "wrong-password") == 401


@pytest.mark.parametrize("transport", ["ldaps", "starttls"])
def test_a_certificate_from_another_ca_is_refused_unless_skip_verify(authz_registry, ldap_directory, ldap_pki, transport):
    # Also proves StartTLS really negotiates TLS on the ldap:// port: otherwise the CA would not matter.
    strict = start_with_ldap(authz_registry, ldap_directory.auth_config(transport, ca_cert=ldap_pki.wrong_ca))
    assert status(strict, "alice", USERS["alice"]) in (401, 503)
    lax = start_with_ldap(authz_registry, ldap_directory.auth_config(transport, ca_cert=ldap_pki.wrong_ca, skip_verify=True))
    assert status(lax, "alice", USERS["alice"]) == 200


def test_group_members_push_under_team_and_others_are_forbidden(authz_registry, ldap_directory, skopeo, tmp_path):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    source = image_layout(tmp_path, "app", b"built by a member of devs\n")
    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"alice:{USERS['alice']}", source,
               f"docker://{server.host}/team/app:v1")
    inspected = json.loads(skopeo.run("inspect", "--tls-verify=false", "--creds", f"bob:{USERS['bob']}",
                                      f"docker://{server.host}/team/app:v1").stdout)
    assert inspected["RepoTags"] == ["v1"]

    denied = skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"bob:{USERS['bob']}", source,
                        f"docker://{server.host}/team/bob:v1", check=False)
    assert refused_as_forbidden(denied), denied.stderr
    upload = requests.post(f"{server.url}/v2/team/bob/blobs/uploads/", auth=("bob", USERS["bob"]), timeout=20)
    assert upload.status_code == 403


def test_policies_may_name_the_full_group_dn(authz_registry, ldap_directory):
    access = {"repositories": {"ops/**": {"policies": [
        {"groups": ["cn=ops,ou=groups,dc=example,dc=org"], "actions": ["read", "create"]}]}}}
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"), access_control=access)
    allowed = requests.post(f"{server.url}/v2/ops/tool/blobs/uploads/", auth=("alice", USERS["alice"]), timeout=20)
    assert allowed.status_code == 202, allowed.text
    denied = requests.post(f"{server.url}/v2/ops/tool/blobs/uploads/", auth=("carol", USERS["carol"]), timeout=20)
    assert denied.status_code == 403


def test_many_concurrent_logins_share_the_bounded_pool(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    users = ["alice", "bob", "carol", "dave", "star*name"] * 4
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        codes = list(pool.map(lambda user: status(server, user, USERS[user]), users))
    assert codes == [200] * len(users)


def test_directory_down_answers_quickly_and_recovers_after_restart(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "alice", USERS["alice"]) == 200  # leaves a pooled, service-bound connection

    ldap_directory.stop()
    started = time.monotonic()
    code = status(server, "bob", USERS["bob"], timeout=15)  # bob is not cached
    assert code == 503, code
    assert time.monotonic() - started < 3
    assert status(server, "alice", USERS["alice"]) == 200, "a cached login survives a short outage"

    ldap_directory.start()
    assert status(server, "bob", USERS["bob"]) == 200
    assert status(server, "carol", USERS["carol"]) == 200
    log = server.log_text()
    assert "LDAP directory unavailable" in log and "Can't contact LDAP server" in log, log[-2000:]
    assert "LDAP directory answers again" in log


def test_a_frozen_directory_times_out_instead_of_hanging(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "alice", USERS["alice"]) == 200
    ldap_directory.freeze()
    try:
        started = time.monotonic()
        assert status(server, "bob", USERS["bob"], timeout=30) == 503
        elapsed = time.monotonic() - started
        assert elapsed < 12, f"took {elapsed:.1f} s"
    finally:
        ldap_directory.thaw()
    assert status(server, "bob", USERS["bob"]) == 200


def test_credentials_file_changes_are_picked_up_and_a_broken_file_keeps_the_last_good_one(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "alice", USERS["alice"]) == 200

    ldap_directory.write_credentials(SERVICE_DN, "not-the-service-password")
    time.sleep(1.2)
    assert status(server, "bob", USERS["bob"]) == 503, "the service bind now fails"

    ldap_directory.write_credentials(SERVICE_DN, SERVICE_PASSWORD)
    time.sleep(1.2)
    assert status(server, "bob", USERS["bob"]) == 200

    ldap_directory.credentials_file.write_text("{ not json")
    time.sleep(1.2)
    assert status(server, "carol", USERS["carol"]) == 200, "the last good credentials stay in force"
    assert "reload failed" in server.log_text()


def test_an_invalid_credentials_file_stops_startup_with_the_config_path(ldap_directory, tmp_path):
    ldap_directory.credentials_file.write_text('{"bindDN": "cn=reader,dc=example,dc=org", "bindPassword": ""}')
    config = {"distSpecVersion": "1.1.1",
              "http": {"address": "127.0.0.1", "port": str(free_port()), "auth": {"ldap": ldap_directory.auth_config("ldap")}},
              "storage": {"rootDirectory": str(tmp_path / "storage")}}
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    result = subprocess.run([str(server_binary()), "serve", str(config_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "http.auth.ldap.credentialsFile" in output, output
    assert str(ldap_directory.credentials_file) in output


def add_two_admins_groups(ldap_directory) -> None:
    """`cn=admins,ou=groups` (alice) and a self-service `cn=admins,ou=selfservice` (bob)."""
    from ldap_support import BASE_DN, GROUPS_DN, add_entries, user_dn
    add_entries(ldap_directory, f"dn: ou=selfservice,{BASE_DN}\nobjectClass: organizationalUnit\nou: selfservice\n\n"
                                f"dn: cn=admins,ou=selfservice,{BASE_DN}\nobjectClass: groupOfNames\ncn: admins\n"
                                f"member: {user_dn('bob')}\n\n"
                                f"dn: cn=admins,{GROUPS_DN}\nobjectClass: groupOfNames\ncn: admins\nmember: {user_dn('alice')}\n")


ADMINS_PUSH = {"repositories": {"admin/**": {"policies": [{"groups": ["admins"], "actions": ["read", "create"]}]}}}


def test_a_group_short_name_does_not_match_a_same_named_group_in_another_subtree(authz_registry, ldap_directory):
    add_two_admins_groups(ldap_directory)
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"), access_control=ADMINS_PUSH)
    member = requests.post(f"{server.url}/v2/admin/tool/blobs/uploads/", auth=("alice", USERS["alice"]), timeout=20)
    assert member.status_code == 202, member.text
    selfservice = requests.post(f"{server.url}/v2/admin/tool/blobs/uploads/", auth=("bob", USERS["bob"]), timeout=20)
    assert selfservice.status_code == 403, "cn=admins,ou=selfservice satisfied a policy for the group base's admins"


def test_group_base_dn_chooses_the_subtree_whose_groups_have_short_names(authz_registry, ldap_directory):
    from ldap_support import BASE_DN
    add_two_admins_groups(ldap_directory)
    ldap = ldap_directory.auth_config("ldap", groupBaseDN=f"ou=selfservice,{BASE_DN}")
    server = start_with_ldap(authz_registry, ldap, access_control=ADMINS_PUSH)
    assert requests.post(f"{server.url}/v2/admin/x/blobs/uploads/", auth=("bob", USERS["bob"]), timeout=20).status_code == 202
    assert requests.post(f"{server.url}/v2/admin/x/blobs/uploads/", auth=("alice", USERS["alice"]), timeout=20).status_code == 403


def test_a_credentials_file_change_empties_the_login_cache(authz_registry, ldap_directory):
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap"))
    assert status(server, "alice", USERS["alice"]) == 200  # now cached
    ldap_directory.write_credentials(SERVICE_DN, "not-the-service-password")
    time.sleep(1.2)
    assert status(server, "alice", USERS["alice"]) == 503, "a login verified under the old service credentials was reused"


def test_edited_ldap_settings_take_effect_without_a_restart_and_a_broken_edit_keeps_the_old_ones(authz_registry, ldap_directory):
    # Started with a user attribute no entry has: nobody can log in.
    server = start_with_ldap(authz_registry, ldap_directory.auth_config("ldap", userAttribute="employeeNumber"))
    assert status(server, "alice", USERS["alice"]) == 401
    pid = server.pid
    config_path = server.workdir / "config.json"
    config = json.loads(config_path.read_text())
    config["http"]["auth"]["ldap"]["userAttribute"] = "uid"
    config_path.write_text(json.dumps(config, indent=2))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and status(server, "alice", USERS["alice"]) != 200:
        time.sleep(0.2)
    assert status(server, "alice", USERS["alice"]) == 200, server.log_tail()
    assert server.pid == pid and server.process.poll() is None
    assert "http.auth.ldap" in server.log_text()

    # An edit that fails verification (StartTLS together with insecure) is refused; the working settings stay.
    config["http"]["auth"]["ldap"]["startTLS"] = True
    config_path.write_text(json.dumps(config, indent=2))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "config reload refused" not in server.log_text():
        time.sleep(0.2)
    assert "config reload refused" in server.log_text()
    assert status(server, "alice", USERS["alice"]) == 200
