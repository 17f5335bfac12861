"""Transport security end to end: message framing that could smuggle a request (RFC 9112), the TLS protocol
floor checked with the real `openssl s_client`, and a CA certificate presented as a client certificate."""

from __future__ import annotations

import socket
import subprocess

import pytest
import requests

from authz_support import authz_registry, dev_pki  # noqa: F401 (fixtures)
from conftest import ALL_ACTIONS

pytestmark = pytest.mark.zot_only

OPEN = {"repositories": {"**": {"anonymousPolicy": ALL_ACTIONS, "defaultPolicy": ALL_ACTIONS}}}
#: A complete request hidden in the body of the first one.
SMUGGLED = b"GET /v2/_catalog HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def exchange(port: int, raw: bytes, timeout: float = 5) -> tuple[bytes, bool]:
    """Sends `raw` on a fresh connection and reads until the server closes it: (bytes read, closed by server)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(raw)
        received = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    return received, True
                received += chunk
        except socket.timeout:
            return received, False


@pytest.mark.parametrize("coding", ["xchunked", "gzip, chunked", "chunked, chunked", "identity"])
def test_an_unknown_transfer_coding_is_answered_400_and_the_smuggled_request_is_not_answered(authz_registry, coding):
    server = authz_registry(access_control=OPEN)
    head = f"POST /v2/app/blobs/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: {coding}\r\n\r\n"
    received, closed = exchange(server.port, head.encode() + SMUGGLED)
    assert received.startswith(b"HTTP/1.1 400"), received[:300]
    assert received.count(b"HTTP/1.1 ") == 1, f"more than one answer on the connection:\n{received.decode(errors='replace')}"
    if coding != "chunked, chunked":  # NIO's parser refuses a repeated chunked itself (400 without a body)
        assert b"Transfer-Encoding" in received and b"UNSUPPORTED" in received, received
    assert closed, "the connection stayed open after a request with ambiguous framing"


def test_transfer_encoding_together_with_content_length_is_refused(authz_registry):
    server = authz_registry(access_control=OPEN)
    head = (b"POST /v2/app/blobs/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    received, closed = exchange(server.port, head + SMUGGLED)
    assert received.startswith(b"HTTP/1.1 400") and received.count(b"HTTP/1.1 ") == 1, received[:300]
    assert closed


def test_a_plain_chunked_upload_still_works(authz_registry):
    server = authz_registry(access_control=OPEN)
    started = requests.post(f"{server.url}/v2/app/blobs/uploads/", timeout=10)
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    content = b"chunked body"
    digest = "sha256:" + __import__("hashlib").sha256(content).hexdigest()
    target = location if location.startswith("http") else server.url + location
    finished = requests.put(target, params={"digest": digest}, data=iter([content[:5], content[5:]]), timeout=10)
    assert finished.status_code == 201, finished.text
    assert requests.get(f"{server.url}/v2/app/blobs/{digest}", timeout=10).content == content


def s_client(server, protocol: str) -> subprocess.CompletedProcess:
    """`openssl s_client` forced to one protocol version, sending one request. Security level 0 lets this
    client offer TLS 1.0/1.1 at all (Debian's OpenSSL refuses them by default), so the server's floor is tested."""
    return subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", protocol, "-servername", "127.0.0.1",
         "-cipher", "DEFAULT:@SECLEVEL=0", "-ign_eof", "-quiet"],
        input=b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", capture_output=True, timeout=20)


class TestTLSFloor:
    def test_tls_1_0_and_1_1_are_refused_and_1_2_and_1_3_answer(self, authz_registry, dev_pki):
        server = authz_registry(users={"carol": "carol-pass"}, access_control=OPEN, http={"tls": dev_pki.tls_config()})
        for old in ("-tls1", "-tls1_1"):
            refused = s_client(server, old)
            assert b"HTTP/1.1" not in refused.stdout, f"{old} got an answer: {refused.stdout[:200]!r}"
            assert refused.returncode != 0, f"{old} handshake completed"
        for modern in ("-tls1_2", "-tls1_3"):
            answered = s_client(server, modern)
            assert answered.stdout.startswith(b"HTTP/1.1 401"), f"{modern}: {answered.stdout[:200]!r} {answered.stderr[-300:]!r}"

    def test_tls_1_2_offers_only_forward_secret_aead_ciphers(self, authz_registry, dev_pki):
        server = authz_registry(users={"carol": "carol-pass"}, access_control=OPEN, http={"tls": dev_pki.tls_config()})
        for weak in ("AES128-SHA", "ECDHE-ECDSA-AES128-SHA", "AES256-GCM-SHA384"):
            refused = subprocess.run(
                ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-tls1_2", "-cipher", weak + ":@SECLEVEL=0"],
                input=b"", capture_output=True, timeout=20)
            assert refused.returncode != 0, f"cipher {weak} was negotiated"


def intermediate_ca_pair(dev_pki, directory) -> tuple[str, str]:
    """A CA certificate (basicConstraints CA:TRUE, usable for TLS signatures) issued by the dev CA."""
    key, csr, cert, ext = (str(directory / name) for name in ("sub-ca.key", "sub-ca.csr", "sub-ca.crt", "sub-ca.ext"))
    (directory / "sub-ca.ext").write_text("basicConstraints=critical,CA:TRUE\n"
                                          "keyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=clientAuth\n")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-new", "-key", key, "-subj", "/O=zot-authz dev/CN=alice", "-out", csr],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", dev_pki.ca, "-CAkey", dev_pki.file("ca.key"),
                    "-CAcreateserial", "-CAserial", str(directory / "sub-ca.srl"), "-days", "2", "-extfile", ext,
                    "-out", cert], check=True, capture_output=True)
    return cert, key


def test_a_ca_certificate_presented_as_a_client_certificate_is_refused(authz_registry, dev_pki, tmp_path):
    access = {"repositories": {"**": {"policies": [{"users": ["alice"], "actions": ALL_ACTIONS}]}}}
    server = authz_registry(users={"carol": "carol-pass"}, access_control=access, http={"tls": dev_pki.tls_config()})
    as_alice = requests.get(f"{server.url}/v2/", verify=dev_pki.ca, cert=dev_pki.client_pair("alice"), timeout=10)
    assert as_alice.status_code == 200, as_alice.text
    as_ca = requests.get(f"{server.url}/v2/", verify=dev_pki.ca, cert=intermediate_ca_pair(dev_pki, tmp_path), timeout=10)
    assert as_ca.status_code == 401, f"a CA certificate with CN=alice was accepted as alice: {as_ca.status_code} {as_ca.text}"
