"""Helpers for the sync (pull-through cache) tests: Distribution 2.8 upstreams with htpasswd or token auth, a
minimal Docker token issuer, and zot-authz instances with an `extensions.sync` section."""

from __future__ import annotations

import base64
import http.server
import json
import os
import re
import threading
import time
import urllib.parse
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization

from authz_support import AuthzRegistry, write_htpasswd
from conftest import free_port, stop_process
from token_support import TokenServerKey

import subprocess

SYNC_USER_AGENT = "zot-authz-sync"


class Upstream:
    """`docker-registry` (CNCF Distribution 2.8) on 127.0.0.1 with htpasswd (default) or token auth; its access
    log counts what we fetched."""

    def __init__(self, workdir: Path, users: dict[str, str], token: dict | None = None, tls: dict | None = None):
        self.tls = tls
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.users = users
        self.token = token
        self.root = workdir / "storage"
        self.log_path = workdir / "registry.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def config(self) -> str:
        if self.token:
            auth = ("auth:\n  token:\n"
                    f"    realm: {self.token['realm']}\n    service: {self.token['service']}\n"
                    f"    issuer: {self.token['issuer']}\n    rootcertbundle: {self.token['rootcertbundle']}\n")
        else:
            htpasswd = write_htpasswd(self.workdir / "htpasswd", self.users)
            auth = f"auth:\n  htpasswd:\n    realm: upstream\n    path: {htpasswd}\n"
        tls = ""
        if self.tls:
            tls = f"  tls:\n    certificate: {self.tls['cert']}\n    key: {self.tls['key']}\n"
            if self.tls.get("clientcas"):
                tls += f"    clientcas: [{self.tls['clientcas']}]\n"
        return ("version: 0.1\n"
                f"storage:\n  filesystem: {{rootdirectory: {self.root}}}\n  delete: {{enabled: true}}\n"
                f"http:\n  addr: 127.0.0.1:{self.port}\n" + tls +
                "log: {level: info}\n" + auth)

    def start(self) -> "Upstream":
        config = self.workdir / "config.yml"
        config.write_text(self.config())
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/v2/", timeout=1, verify=False,
                                cert=self.tls.get("ready_cert") if self.tls else None).status_code in (200, 401):
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        pytest.fail(f"docker-registry did not start:\n{self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        stop_process(self.process)

    def requests_from_us(self, pattern: str = "", status: int | None = None) -> list[str]:
        """Access-log requests ("GET /v2/…") sent by our sync client, optionally matching `pattern` and a status."""
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if SYNC_USER_AGENT in line and line.startswith("127.0.0.1 - "):
                request = re.search(r'"([A-Z]+ [^ ]+) HTTP/[0-9.]+" ([0-9]+)', line)
                if request and pattern in request.group(1) and (status is None or int(request.group(2)) == status):
                    lines.append(request.group(1))
        return lines


class TokenIssuer:
    """A Docker token issuer in the tests: `GET /token?service=&scope=` with Basic credentials → an RS256 token in
    Distribution's format (x5c header, so Distribution checks it against `rootcertbundle`). Counts its requests."""

    def __init__(self, workdir: Path, users: dict[str, str], service: str = "upstream-token"):
        self.key = TokenServerKey("rsa")
        self.cert_path = self.key.write_cert(workdir / "token-cert.pem")
        self.service = service
        self.issuer = "sync-e2e-issuer"
        self.users = users
        self.requests: list[tuple[str | None, str]] = []
        self.port = free_port()
        self.server: http.server.ThreadingHTTPServer | None = None

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def start(self) -> "TokenIssuer":
        issuer = self
        der = base64.b64encode(issuer._cert_der()).decode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                user = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    name, _, password = base64.b64decode(header[6:]).decode().partition(":")
                    if issuer.users.get(name) != password:
                        self.send_response(401)
                        self.end_headers()
                        return
                    user = name
                scope = query.get("scope", [""])[0]
                issuer.requests.append((user, scope))
                access = []
                if user and scope.startswith("repository:"):
                    _, name, actions = scope.split(":")
                    access = [(name, actions.split(","))]
                now = int(time.time())
                claims = {"iss": issuer.issuer, "sub": user or "", "aud": issuer.service, "exp": now + 60, "nbf": now - 5,
                          "iat": now - 5, "jti": str(now),
                          "access": [{"type": "repository", "name": n, "actions": a} for n, a in access]}
                token = jwt.encode(claims, issuer.key.private, algorithm="RS256", headers={"x5c": [der]})
                body = json.dumps({"token": token, "expires_in": 60}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def _cert_der(self) -> bytes:
        from cryptography import x509
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes()).public_bytes(serialization.Encoding.DER)

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def token_config(self) -> dict:
        return {"realm": self.realm, "service": self.service, "issuer": self.issuer, "rootcertbundle": str(self.cert_path)}


class SyncRegistry(AuthzRegistry):
    """zot-authz with an `extensions.sync` section (and optionally `log.audit`)."""

    def __init__(self, workdir: Path, users: dict[str, str], access_control: dict | None, sync: dict,
                 storage: dict | None = None, **options):
        self.sync = sync
        self.storage_extra = storage or {}
        super().__init__(workdir, users=users, access_control=access_control, **options)

    def config(self) -> dict:
        config = super().config()
        config["extensions"] = {"sync": self.sync, "metrics": {"enable": True}}
        config["storage"].update(self.storage_extra)
        return config


def metric(server, name: str) -> float:
    """The sum of a metric's series on /metrics (read as anonymous; the tests' policies allow it)."""
    text = requests.get(f"{server.url}/metrics", timeout=5, auth=("alice", server.users["alice"])).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


class SlowProxy:
    """A TCP proxy to an upstream that sends its answers at about `bytes_per_second`, to watch streaming."""

    def __init__(self, target_port: int, bytes_per_second: int = 1 << 20):
        import socket
        self.target_port = target_port
        self.rate = bytes_per_second
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        import socket
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, self.rate), daemon=True).start()

    @staticmethod
    def _pump(source, destination, rate: int | None) -> None:
        chunk = 64 << 10
        try:
            while True:
                data = source.recv(chunk)
                if not data:
                    break
                destination.sendall(data)
                if rate:
                    time.sleep(len(data) / rate)
        except OSError:
            pass
        finally:
            for end in (source, destination):
                try:
                    end.shutdown(2)
                except OSError:
                    pass

    def stop(self) -> None:
        self.running = False
        self.listener.close()
