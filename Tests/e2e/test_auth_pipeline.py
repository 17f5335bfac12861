"""The authentication pipeline end to end: htpasswd (timing, hot reload, failDelay), mTLS, rate limits and
malformed credentials, driven by real skopeo where a client is involved and by `requests` for raw HTTP."""

from __future__ import annotations

import http.client
import statistics
import time
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from authz_support import (PLAIN_HTTP, REALM, assert_challenge, authz_registry, dev_pki,  # noqa: F401 (fixtures)
                           failure_text, image_layout, refused_as_forbidden, replace_htpasswd, write_htpasswd)
from conftest import ALL_ACTIONS

pytestmark = pytest.mark.zot_only

SECRET = "s3cret-alice"
#: Signed-in users may do anything, anonymous users nothing.
SIGNED_IN_ONLY = {"repositories": {"**": {"defaultPolicy": ALL_ACTIONS}}}


def poll(predicate, timeout: float, interval: float = 0.1) -> float | None:
    """Seconds until `predicate()` was true, or None if it never was within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(interval)
    return None


def status_as(server, user: str, password: str, path: str = "/v2/") -> int:
    return requests.get(server.url + path, auth=(user, password), timeout=10).status_code


def test_skopeo_push_needs_the_right_password_of_a_known_user(authz_registry, skopeo, tmp_path):
    server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY)
    source = image_layout(tmp_path, "hello", b"hello\n")
    target = f"docker://{server.host}/auth/hello:v1"

    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"alice:{SECRET}", source, target)
    inspected = skopeo.run("inspect", PLAIN_HTTP, "--creds", f"alice:{SECRET}", target)
    assert '"Digest"' in inspected.stdout

    for creds in (f"alice:not-{SECRET}", f"mallory:{SECRET}"):
        refused = skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", creds, source,
                             f"docker://{server.host}/auth/hello:v2", check=False)
        assert refused.returncode != 0, f"push with {creds.split(':')[0]} and a bad password succeeded"
        assert "401" in refused.stderr or "unauthorized" in failure_text(refused), refused.stderr

    anonymous = skopeo.run("copy", "--dest-tls-verify=false", source, f"docker://{server.host}/auth/hello:v3",
                           check=False)
    assert anonymous.returncode != 0, "anonymous push succeeded"
    assert "401" in anonymous.stderr or "unauthorized" in failure_text(anonymous) \
        or "authentication required" in failure_text(anonymous), anonymous.stderr

    raw = requests.post(f"{server.url}/v2/auth/hello/blobs/uploads/", timeout=10)
    assert_challenge(raw)
    tags = requests.get(f"{server.url}/v2/auth/hello/tags/list", auth=("alice", SECRET), timeout=10).json()
    assert tags["tags"] == ["v1"], "a refused push left a tag behind"


def test_unknown_user_and_wrong_password_cost_about_the_same_time(authz_registry):
    server = authz_registry(users={"alice": SECRET, "bob": "bob-pass"}, access_control=SIGNED_IN_ONLY,
                            auth={"failDelay": 0}, htpasswd_cost=10)
    session = requests.Session()

    def seconds(user: str) -> float:
        start = time.perf_counter()
        status = session.get(server.url + "/v2/", auth=(user, "wrong-password"), timeout=10).status_code
        elapsed = time.perf_counter() - start
        assert status == 401, f"{user} with a wrong password got {status}"
        return elapsed

    seconds("alice")  # warm up the connection
    wrong_password, unknown_user = [], []
    for round_ in range(6):
        wrong_password.append(seconds("alice"))
        unknown_user.append(seconds(f"nobody-{round_}"))
    known, unknown = statistics.median(wrong_password), statistics.median(unknown_user)
    print(f"median wrong password {known * 1000:.1f} ms, unknown user {unknown * 1000:.1f} ms")
    assert known > 0.015, f"a cost-10 bcrypt check took only {known * 1000:.1f} ms: was it hashed at all?"
    assert max(known, unknown) / min(known, unknown) < 3, \
        f"timing reveals which users exist: wrong password {known * 1000:.1f} ms vs unknown user {unknown * 1000:.1f} ms"


def test_htpasswd_changes_take_effect_while_the_server_runs(authz_registry):
    server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY)
    assert status_as(server, "carol", "carol-pass") == 401
    assert status_as(server, "alice", SECRET) == 200  # now cached as verified

    write_htpasswd(server.htpasswd_path, {"alice": SECRET, "carol": "carol-pass"})  # rewritten in place
    waited = poll(lambda: status_as(server, "carol", "carol-pass") == 200, timeout=2.5)
    assert waited is not None, "a user added to the htpasswd file could not log in within 2.5 s"

    replace_htpasswd(server.htpasswd_path, {"carol": "carol-pass"})  # renamed over the old file
    waited = poll(lambda: status_as(server, "alice", SECRET) == 401, timeout=2.5)
    assert waited is not None, "a removed user's cached credentials still worked 2.5 s after the file changed"
    assert status_as(server, "carol", "carol-pass") == 200
    assert "htpasswd file reloaded" in server.log_text()


class TestMutualTLS:
    """Client certificates as the only authentication method (required), or with the Email SAN as identity."""

    @staticmethod
    def grant(*users: str) -> dict:
        return {"repositories": {"**": {"policies": [{"users": list(users), "actions": ["read", "create"]}]}}}

    def test_a_trusted_client_certificate_pushes_and_bad_ones_are_refused(self, authz_registry, dev_pki, skopeo,
                                                                         tmp_path):
        server = authz_registry(access_control=self.grant("alice"), http={"tls": dev_pki.tls_config()},
                                ready_cert=dev_pki.client_pair("alice"))
        source = image_layout(tmp_path, "mtls", b"pushed over mTLS\n")
        target = f"docker://{server.host}/mtls/app:v1"

        skopeo.run("copy", "--dest-cert-dir", dev_pki.cert_dir("alice"), source, target)
        inspected = skopeo.run("inspect", "--cert-dir", dev_pki.cert_dir("alice"), target)
        assert '"v1"' in inspected.stdout

        for name in ("alice-expired", "alice-untrusted"):
            refused = skopeo.run("copy", "--dest-cert-dir", dev_pki.cert_dir(name), source,
                                 f"docker://{server.host}/mtls/app:{name}", check=False)
            assert refused.returncode != 0, f"push with the {name} certificate succeeded"
            try:
                status = requests.get(f"{server.url}/v2/", verify=dev_pki.ca, cert=dev_pki.client_pair(name),
                                      timeout=10).status_code
            except requests.exceptions.SSLError:
                status = "handshake refused"
            except requests.exceptions.ConnectionError:
                status = "connection reset"
            assert status in ("handshake refused", "connection reset", 401), f"{name}: GET /v2/ → {status}"

        try:
            status = requests.get(f"{server.url}/v2/", verify=dev_pki.ca, timeout=10).status_code
        except requests.exceptions.RequestException:
            status = "refused"
        assert status in ("refused", 401), f"no client certificate while one is required: GET /v2/ → {status}"

        bob = skopeo.run("copy", "--dest-cert-dir", dev_pki.cert_dir("bob"), source,
                         f"docker://{server.host}/mtls/app:bob", check=False)
        assert refused_as_forbidden(bob), f"bob holds no grant: {bob.stderr}"
        denied = requests.post(f"{server.url}/v2/mtls/app/blobs/uploads/", verify=dev_pki.ca,
                               cert=dev_pki.client_pair("bob"), timeout=10)
        assert denied.status_code == 403 and "DENIED" in denied.text, f"{denied.status_code} {denied.text}"

    def test_email_identity_attribute_makes_the_email_san_the_user_name(self, authz_registry, dev_pki, skopeo,
                                                                       tmp_path):
        access = {"repositories": {
            "mail/**": {"policies": [{"users": ["alice@example.test"], "actions": ["read", "create"]}]},
            "cn/**": {"policies": [{"users": ["alice"], "actions": ["read", "create"]}]},
        }}
        server = authz_registry(access_control=access, http={"tls": dev_pki.tls_config()},
                                auth={"mtls": {"identityAttributes": ["Email"]}},
                                ready_cert=dev_pki.client_pair("alice"))
        source = image_layout(tmp_path, "mail", b"identified by email\n")

        skopeo.run("copy", "--dest-cert-dir", dev_pki.cert_dir("alice"), source,
                   f"docker://{server.host}/mail/app:v1")
        by_common_name = skopeo.run("copy", "--dest-cert-dir", dev_pki.cert_dir("alice"), source,
                                    f"docker://{server.host}/cn/app:v1", check=False)
        assert refused_as_forbidden(by_common_name), \
            f"the CommonName grant should not apply with identityAttributes [Email]: {by_common_name.stderr}"


    def test_a_wrong_password_fails_even_with_a_trusted_client_certificate(self, authz_registry, dev_pki):
        """No password oracle through mTLS: presented credentials that are wrong fail the request (401 after
        failDelay), whatever the certificate says; right ones authenticate as their own user."""
        access = {"repositories": {"alice/**": {"policies": [{"users": ["alice"], "actions": ["read"]}]},
                                   "bob/**": {"policies": [{"users": ["bob"], "actions": ["read"]}]}}}
        server = authz_registry(users={"bob": SECRET}, access_control=access, auth={"failDelay": 1},
                                http={"tls": dev_pki.tls_config()}, ready_cert=dev_pki.client_pair("alice"))
        as_alice = dict(verify=dev_pki.ca, cert=dev_pki.client_pair("alice"), timeout=10)
        assert requests.get(f"{server.url}/v2/alice/x/tags/list", **as_alice).status_code == 404
        started = time.monotonic()
        wrong = requests.get(f"{server.url}/v2/bob/x/tags/list", auth=("bob", "WRONG"), **as_alice)
        elapsed = time.monotonic() - started
        assert wrong.status_code == 401, f"a wrong password with alice's certificate: {wrong.status_code} {wrong.text}"
        assert elapsed >= 0.9, f"failDelay was skipped ({elapsed:.2f} s): a fast password oracle"
        right = requests.get(f"{server.url}/v2/bob/x/tags/list", auth=("bob", SECRET), **as_alice)
        assert right.status_code == 404, f"bob's right password with alice's certificate: {right.status_code}"
        as_bob_on_alice = requests.get(f"{server.url}/v2/alice/x/tags/list", auth=("bob", SECRET), **as_alice)
        assert as_bob_on_alice.status_code == 403, "the Basic identity must decide, not the certificate's"


class TestRateLimit:
    BURST = 30

    def burst(self, server, headers_for=lambda i: {}) -> list[requests.Response]:
        session = requests.Session()
        return [session.get(server.url + "/v2/", headers=headers_for(i), timeout=10) for i in range(self.BURST)]

    def test_a_fast_burst_is_limited_with_retry_after_and_spoofed_forwarding_does_not_help(self, authz_registry):
        server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY, http={"ratelimit": {"rate": 5}})
        time.sleep(1.2)  # the readiness probe took tokens
        answers = self.burst(server)
        limited = [answer for answer in answers if answer.status_code == 429]
        assert len(limited) >= self.BURST // 2, f"only {len(limited)} of {self.BURST} fast requests were limited"
        assert {answer.status_code for answer in answers} <= {401, 429}
        for answer in limited[:3]:
            assert int(answer.headers["Retry-After"]) >= 1, dict(answer.headers)
            assert [error["code"] for error in answer.json()["errors"]] == ["TOOMANYREQUESTS"], answer.text

        time.sleep(1.5)
        spoofed = self.burst(server, lambda i: {"X-Forwarded-For": f"198.51.100.{i + 1}"})
        spoofed_limited = sum(answer.status_code == 429 for answer in spoofed)
        assert spoofed_limited >= self.BURST // 2, \
            f"X-Forwarded-For from an untrusted peer opened new buckets: only {spoofed_limited} of {self.BURST} limited"

    def test_forwarded_addresses_from_a_trusted_proxy_get_their_own_buckets(self, authz_registry):
        server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY,
                                http={"ratelimit": {"rate": 5}, "trustedProxies": ["127.0.0.0/8"]})
        answers = self.burst(server, lambda i: {"X-Forwarded-For": f"198.51.100.{i + 1}"})
        assert [answer.status_code for answer in answers] == [401] * self.BURST, \
            "clients behind a trusted proxy shared one bucket"
        same_client = self.burst(server, lambda i: {"X-Forwarded-For": "203.0.113.7"})
        assert sum(answer.status_code == 429 for answer in same_client) >= self.BURST // 2


def test_fail_delay_does_not_hold_up_other_clients(authz_registry):
    server = authz_registry(users={"alice": SECRET}, access_control=SIGNED_IN_ONLY, auth={"failDelay": 2})
    assert status_as(server, "alice", SECRET) == 200  # verified once, so later checks are cheap

    def bad_request(index: int) -> tuple[int, float]:
        start = time.monotonic()
        status = requests.get(server.url + "/v2/", auth=("alice", f"wrong-{index}"), timeout=30).status_code
        return status, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=10) as pool:
        bad = [pool.submit(bad_request, index) for index in range(10)]
        time.sleep(0.3)  # let the bad requests reach their delay
        good_times = []
        session = requests.Session()
        for _ in range(5):
            start = time.monotonic()
            status = session.get(server.url + "/v2/", auth=("alice", SECRET), timeout=30).status_code
            good_times.append(time.monotonic() - start)
            assert status == 200
        still_delayed = sum(not future.done() for future in bad)
        results = [future.result() for future in bad]

    assert still_delayed > 0, "the bad requests had already finished: the test proved nothing"
    assert max(good_times) < 1.0, f"a good client waited {max(good_times):.2f} s behind failing ones: {good_times}"
    for status, seconds in results:
        assert status == 401
        assert seconds >= 1.8, f"a failed login was answered after {seconds:.2f} s despite failDelay 2"


def test_two_authorization_headers_are_refused(authz_registry):
    server = authz_registry(users={"alice": SECRET, "bob": "bob-pass"}, access_control=SIGNED_IN_ONLY)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("GET", "/v2/")
        for user, password in (("alice", SECRET), ("bob", "bob-pass")):
            connection.putheader("Authorization", "Basic " + b64encode(f"{user}:{password}".encode()).decode())
        connection.endheaders()
        response = connection.getresponse()
        status, challenge, body = response.status, response.getheader("WWW-Authenticate"), response.read()
    finally:
        connection.close()
    assert status == 401, f"two Authorization headers → {status} {body!r}"
    assert challenge == f'Basic realm="{REALM}"'
    assert b"UNAUTHORIZED" in body
