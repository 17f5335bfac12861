"""Helpers for the authentication and policy end-to-end tests: registries with arbitrary `http` settings
(TLS, mTLS, rate limits, failDelay, full accessControl), a dev PKI from certs/make-certs.sh, htpasswd files
with a chosen bcrypt cost, and skopeo/`requests` conveniences.

Fixtures defined here must be imported into the test module (`from authz_support import authz_registry`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT, READY_TIMEOUT_SECONDS, RegistryFactory, RegistryServer, build_oci_image

#: The realm every server here announces; tests check that the challenge carries it.
REALM = "authz-e2e"
PLAIN_HTTP = "--tls-verify=false"


def write_htpasswd(path: Path, users: dict[str, str], cost: int = 5) -> Path:
    """Writes (in place, same inode) an htpasswd file of bcrypt entries made by `htpasswd -nbB -C cost`."""
    lines = []
    for name, password in users.items():
        made = subprocess.run(["htpasswd", "-nbB", "-C", str(cost), name, password],
                              check=True, capture_output=True, text=True)
        lines.append(made.stdout.strip())
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
    return path


def replace_htpasswd(path: Path, users: dict[str, str], cost: int = 5) -> Path:
    """Replaces the htpasswd file atomically (write a sibling, rename over it), as editors and config tools do."""
    sibling = path.with_name(path.name + ".new")
    write_htpasswd(sibling, users, cost)
    sibling.replace(path)
    return path


@dataclass(frozen=True)
class DevPKI:
    """The files certs/make-certs.sh writes, plus skopeo `--cert-dir` layouts for every client certificate."""

    directory: Path

    def file(self, name: str) -> str:
        return str(self.directory / name)

    @property
    def ca(self) -> str:
        return self.file("ca.crt")

    def client_pair(self, name: str) -> tuple[str, str]:
        """(certificate, key) for `requests`' `cert=`, e.g. `alice`, `alice-expired`, `alice-untrusted`."""
        return self.file(f"{name}.crt"), self.file(f"{name}.key")

    def cert_dir(self, name: str) -> str:
        """A skopeo `--cert-dir`: the dev CA (to trust the server) plus the client pair `name`."""
        directory = self.directory / f"certdir-{name}"
        if not directory.exists():
            directory.mkdir()
            shutil.copy(self.ca, directory / "ca.crt")
            shutil.copy(self.file(f"{name}.crt"), directory / "client.cert")
            shutil.copy(self.file(f"{name}.key"), directory / "client.key")
        return str(directory)

    def tls_config(self, with_client_ca: bool = True) -> dict:
        """`http.tls` for the dev server certificate; with `cacert` client certificates are verified."""
        tls = {"cert": self.file("server.crt"), "key": self.file("server.key")}
        if with_client_ca:
            tls["cacert"] = self.ca
        return tls


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPKI:
    """A fresh dev PKI (CA, server cert for 127.0.0.1, alice/bob, expired and untrusted-CA client certs)."""
    out = tmp_path_factory.mktemp("pki")
    made = subprocess.run(["bash", str(REPO_ROOT / "certs/make-certs.sh"), str(out)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.fail(f"make-certs.sh failed:\n{made.stderr}")
    return DevPKI(out)


class AuthzRegistry(RegistryServer):
    """A zot-authz process whose config is built from parts: users (htpasswd), `http.auth` extras,
    a full `http.accessControl` and any other `http` keys (tls, ratelimit, trustedProxies)."""

    def __init__(self, workdir: Path, users: dict[str, str], access_control: dict | None,
                 auth: dict | None = None, http: dict | None = None, htpasswd_cost: int = 5,
                 ready_cert: tuple[str, str] | None = None, log: dict | None = None):
        super().__init__(workdir, repositories=None, users=users)
        self.log_extra = dict(log or {})
        self.access_control = access_control
        self.auth_extra = dict(auth or {})
        self.http_extra = dict(http or {})
        self.htpasswd_cost = htpasswd_cost
        self.htpasswd_path = workdir / "htpasswd"
        self.ready_cert = ready_cert
        if self.users:
            write_htpasswd(self.htpasswd_path, self.users, htpasswd_cost)

    @property
    def tls(self) -> dict | None:
        return self.http_extra.get("tls")

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def config(self) -> dict:
        http: dict = {"address": "127.0.0.1", "port": str(self.port), "realm": REALM}
        auth: dict = {}
        if self.users:
            auth["htpasswd"] = {"path": str(self.htpasswd_path)}
        auth.update(self.auth_extra)
        if auth:
            http["auth"] = auth
        if self.access_control is not None:
            http["accessControl"] = self.access_control
        http.update(self.http_extra)
        return {"distSpecVersion": "1.1.1", "http": http,
                "storage": {"rootDirectory": str(self.root_dir)}, "log": {"level": "debug", **self.log_extra}}

    def _command(self) -> list[str]:
        from conftest import server_binary
        config = self.workdir / "config.json"
        config.write_text(json.dumps(self.config(), indent=2))
        return [str(server_binary()), "serve", str(config)]

    def _wait_until_ready(self) -> str:
        assert self.process is not None
        verify = self.tls.get("cacert", True) if self.tls else True
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                return "port-taken" if "in use" in self.log_tail().lower() else f"exited with status {code} before it was ready"
            try:
                with requests.get(f"{self.url}/v2/", timeout=1, verify=verify, cert=self.ready_cert) as answer:
                    if answer.status_code in (200, 401, 429):
                        return "ready"
            except requests.RequestException:
                pass
            time.sleep(0.05)
        return f"did not answer GET /v2/ within {READY_TIMEOUT_SECONDS:.0f} s"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


class AuthzRegistryFactory(RegistryFactory):
    """Starts ``AuthzRegistry`` processes; stopped at teardown (conftest's failure hook shows their logs)."""

    def start(self, users: dict[str, str] | None = None, access_control: dict | None = None, **options) -> AuthzRegistry:
        workdir = self.base / f"authz-server-{len(self.servers)}"
        server = AuthzRegistry(workdir, users=dict(users or {}), access_control=access_control, **options)
        self.servers.append(server)
        return server.start()


@pytest.fixture
def authz_registry(tmp_path: Path):
    """`authz_registry(users=, access_control=, auth=, http=, htpasswd_cost=, ready_cert=)` → a running server."""
    factory = AuthzRegistryFactory(tmp_path)
    yield factory.start
    factory.stop_all()


def image_layout(tmp_path: Path, name: str, content: bytes) -> str:
    """An `oci:` source for a one-layer image built with umoci in its own directory."""
    layout = build_oci_image(tmp_path / name, {f"{name}.txt": content})
    return f"oci:{layout}:latest"


def assert_challenge(response: requests.Response, realm: str = REALM) -> None:
    """401 with `WWW-Authenticate: Basic realm="…"` and an OCI error body with code UNAUTHORIZED."""
    assert response.status_code == 401, f"expected 401, got {response.status_code}: {response.text}"
    assert response.headers.get("WWW-Authenticate") == f'Basic realm="{realm}"', dict(response.headers)
    codes = [error.get("code") for error in response.json().get("errors", [])]
    assert "UNAUTHORIZED" in codes, response.text


def failure_text(result: subprocess.CompletedProcess) -> str:
    return (result.stderr + result.stdout).lower()


def refused_as_forbidden(result: subprocess.CompletedProcess) -> bool:
    """skopeo failed because the registry said 403 / denied (skopeo words it differently per step)."""
    text = failure_text(result)
    return result.returncode != 0 and ("denied" in text or "403" in text or "forbidden" in text)
