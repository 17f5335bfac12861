"""TLS certificate reload without a restart (as Zot's tls_config_watcher): a renewed certificate is served from the
next handshake, a half-written renewal (new certificate, old key) keeps the old pair until the key arrives, an
unusable key is refused (logged and audited), and a config edit that points at other files switches to them."""

from __future__ import annotations

import json
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests

from authz_support import authz_registry, dev_pki  # noqa: F401 (fixtures)
from conftest import ALL_ACTIONS

pytestmark = pytest.mark.zot_only

OPEN = {"repositories": {"**": {"anonymousPolicy": ALL_ACTIONS, "defaultPolicy": ALL_ACTIONS}}}
RELOAD_WAIT_SECONDS = 5


def make_pair(directory: Path, name: str, pki) -> tuple[Path, Path]:
    """A P-256 server certificate for 127.0.0.1 with CN=`name`, signed by the dev CA."""
    key, csr, cert = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.crt"
    extensions = directory / f"{name}.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", pki.ca, "-CAkey", pki.file("ca.key"),
                    "-CAcreateserial", "-CAserial", str(directory / "ca.srl"), "-days", "30", "-sha256",
                    "-extfile", str(extensions), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def served_pem(port: int) -> str:
    """The leaf certificate a fresh handshake gets (no verification: we compare it with the files)."""
    return ssl.get_server_certificate(("127.0.0.1", port), timeout=5)


def same_certificate(pem: str, path: Path) -> bool:
    return ssl.PEM_cert_to_DER_cert(pem) == ssl.PEM_cert_to_DER_cert(path.read_text())


def wait_for(predicate, seconds: float = RELOAD_WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def copy_atomically(source: Path, target: Path) -> None:
    sibling = target.with_name(target.name + ".new")
    sibling.write_bytes(source.read_bytes())
    sibling.replace(target)


def audit_events(path: Path, event: str) -> list[dict]:
    if not path.exists():
        return []
    return [entry for entry in map(json.loads, path.read_text().splitlines()) if entry.get("event") == event]


@pytest.fixture(autouse=True)
def trust_dev_ca(dev_pki, monkeypatch):
    """The readiness check verifies the server with the default trust store: make it the dev CA (no `cacert` in the
    config, which would turn on client certificates)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", dev_pki.ca)


def start(authz_registry, tmp_path: Path, cert: Path, key: Path, pki):
    return authz_registry(access_control=OPEN, http={"tls": {"cert": str(cert), "key": str(key)}},
                          log={"audit": str(tmp_path / "audit.log")})


def test_a_renewed_certificate_is_served_without_a_restart_and_a_half_written_renewal_keeps_the_old_pair(authz_registry, dev_pki, tmp_path):
    first_cert, first_key = make_pair(tmp_path, "first", dev_pki)
    second_cert, second_key = make_pair(tmp_path, "second", dev_pki)
    live_cert, live_key = tmp_path / "live.crt", tmp_path / "live.key"
    copy_atomically(first_cert, live_cert)
    copy_atomically(first_key, live_key)
    server = start(authz_registry, tmp_path, live_cert, live_key, dev_pki)
    assert same_certificate(served_pem(server.port), first_cert)
    pid = server.pid

    # The certificate lands first: its key is still the old one, so the old pair stays in force.
    copy_atomically(second_cert, live_cert)
    assert wait_for(lambda: audit_events(tmp_path / "audit.log", "tls-reload")), "no tls-reload event for the half renewal"
    refused = audit_events(tmp_path / "audit.log", "tls-reload")[-1]
    assert refused["result"] == "deny" and "does not belong" in refused["reason"], refused
    assert same_certificate(served_pem(server.port), first_cert)

    # Then the key: the new pair is served from the next handshake on, by the same process.
    copy_atomically(second_key, live_key)
    assert wait_for(lambda: same_certificate(served_pem(server.port), second_cert)), "the renewed certificate is not served"
    assert server.pid == pid and server.process.poll() is None
    assert audit_events(tmp_path / "audit.log", "tls-reload")[-1]["result"] == "allow"
    answer = requests.get(f"https://127.0.0.1:{server.port}/v2/", verify=dev_pki.ca, timeout=5)
    assert answer.status_code == 200


def test_an_unusable_key_file_is_refused_and_logged_and_the_old_certificate_stays(authz_registry, dev_pki, tmp_path):
    cert, key = make_pair(tmp_path, "only", dev_pki)
    live_cert, live_key = tmp_path / "live.crt", tmp_path / "live.key"
    copy_atomically(cert, live_cert)
    copy_atomically(key, live_key)
    server = start(authz_registry, tmp_path, live_cert, live_key, dev_pki)
    (tmp_path / "garbage").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    copy_atomically(tmp_path / "garbage", live_key)
    assert wait_for(lambda: "cannot be used" in server.log_text()), server.log_tail()
    assert "not a PEM private key" in audit_events(tmp_path / "audit.log", "tls-reload")[-1]["reason"]
    assert same_certificate(served_pem(server.port), cert)
    assert "not a key" not in server.log_text()


def test_a_config_edit_that_names_other_certificate_files_switches_to_them_live(authz_registry, dev_pki, tmp_path):
    first_cert, first_key = make_pair(tmp_path, "first", dev_pki)
    second_cert, second_key = make_pair(tmp_path, "second", dev_pki)
    server = start(authz_registry, tmp_path, first_cert, first_key, dev_pki)
    config_path = server.workdir / "config.json"
    config = json.loads(config_path.read_text())
    config["http"]["tls"] = {"cert": str(second_cert), "key": str(second_key)}
    config_path.write_text(json.dumps(config, indent=2))
    assert wait_for(lambda: same_certificate(served_pem(server.port), second_cert)), server.log_tail()
    reload = audit_events(tmp_path / "audit.log", "config-reload")[-1]
    assert reload["result"] == "allow" and "needs restart" not in reload["reason"], reload
