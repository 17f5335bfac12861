"""Docker-format registry tokens for the end-to-end tests: a test token server's key (RSA in a self-signed
certificate, or a P-256 public key), a minter for Distribution's JWT shape, and a `requests` auth that sends them."""

from __future__ import annotations

import datetime
import time
import uuid
from pathlib import Path

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


class TokenServerKey:
    """A token server's signing key; `write_cert` stores what `http.auth.bearer.cert` points at."""

    def __init__(self, kind: str = "rsa"):
        self.kind = kind
        if kind == "rsa":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.algorithm = "RS256"
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.algorithm = "ES256"

    def write_cert(self, path: Path) -> Path:
        """RSA: a self-signed certificate (as docker_auth is configured); P-256: a bare SubjectPublicKeyInfo PEM."""
        if self.kind == "rsa":
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test token server")])
            now = datetime.datetime.now(datetime.timezone.utc)
            certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                           .public_key(self.private.public_key()).serial_number(x509.random_serial_number())
                           .not_valid_before(now - datetime.timedelta(days=1))
                           .not_valid_after(now + datetime.timedelta(days=30))
                           .sign(self.private, hashes.SHA256()))
            path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        else:
            path.write_bytes(self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                                    serialization.PublicFormat.SubjectPublicKeyInfo))
        return path

    def mint(self, sub: str, access: list[tuple[str, list[str]]], service: str, issuer: str = "test-token-server",
             lifetime: int = 300, algorithm: str | None = None, **overrides) -> str:
        """A token in Distribution's format: iss, sub, aud, exp, nbf, iat, jti, access[{type, name, actions}]."""
        now = int(time.time())
        claims = {"iss": issuer, "sub": sub, "aud": service, "exp": now + lifetime, "nbf": now - 5, "iat": now - 5,
                  "jti": uuid.uuid4().hex,
                  "access": [{"type": "repository", "name": name, "actions": actions} for name, actions in access]}
        claims.update(overrides)
        return jwt.encode(claims, self.private, algorithm=algorithm or self.algorithm, headers={"kid": "test"})


class BearerAuth(requests.auth.AuthBase):
    """Sends `Authorization: Bearer TOKEN` on every request."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request
