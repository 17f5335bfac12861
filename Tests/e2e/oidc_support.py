"""Helpers for the OIDC, API-key and bearer-JWT end-to-end tests.

- ``OIDCProvider``: the real `oidc-provider-mock` (PyPI) as a subprocess on a free loopback port.
- ``TokenIssuer``: our own tiny issuer (discovery + JWKS over ``http.server``) that mints RS256 JWTs with chosen
  claims, can rotate its key and counts JWKS fetches.
- ``OIDCRegistry``: an ``AuthzRegistry`` whose config also carries ``http.externalUrl`` (known only once the port
  is picked), ``http.auth.openid``, ``http.auth.apikey``, ``http.auth.bearer.oidc`` and ``log.audit``.
- ``oidc_login``: the browser login flow done with ``requests`` (no browser), returning a signed-in session.
- ``chromium``: a headless Chromium driven by selenium through Debian's chromedriver.

Fixtures defined here must be imported into the test module (`from oidc_support import oidc_provider, ...`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from authz_support import AuthzRegistry, AuthzRegistryFactory
from conftest import stop_process
from conftest import ALL_ACTIONS, free_port

#: The OAuth client id / secret the registry uses at the provider (the mock accepts any client).
CLIENT_ID = "zot-authz"
CLIENT_SECRET = "s3cret"
#: Audience the bearer-JWT issuer config accepts.
AUDIENCE = "zot-authz"
#: Users the OIDC provider knows, with the claims it puts in their ID tokens.
OIDC_USERS = {
    "alice": {"groups": ["devs"], "email": "alice@example.test"},
    "carol": {"groups": ["guests"], "email": "carol@example.test"},
}
#: htpasswd users of every OIDC test server (alice deliberately absent: she signs in only through OIDC).
HTPASSWD_USERS = {"bob": "bob-secret-2", "admin": "admin-secret-3"}
#: `team/**`: group `devs` may read and push; everyone else nothing. `admin` is the admin.
TEAM_ACCESS = {
    "repositories": {
        "team/**": {"policies": [{"groups": ["devs"], "actions": ["read", "create"]}], "defaultPolicy": []},
        "bob/**": {"policies": [{"users": ["bob"], "actions": ALL_ACTIONS}], "defaultPolicy": []},
    },
    "adminPolicy": {"users": ["admin"], "actions": ALL_ACTIONS},
}
#: Session cookie name the server sets after an OIDC login.
SESSION_COOKIE = "session"
PROVIDER_READY_SECONDS = 20.0


def _provider_command() -> list[str]:
    executable = shutil.which("oidc-provider-mock")
    return [executable] if executable else [sys.executable, "-m", "oidc_provider_mock"]


class OIDCProvider:
    """`oidc-provider-mock` on 127.0.0.1 (its issuer is taken from the Host header, so always use 127.0.0.1)."""

    def __init__(self, workdir: Path, users: dict[str, dict] | None = None):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.users = dict(OIDC_USERS if users is None else users)
        self.log_path = workdir / "oidc-provider.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def discovery(self) -> dict:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()

    def start(self) -> OIDCProvider:
        for _ in range(3):
            self.port = free_port()
            command = [*_provider_command(), "-H", "127.0.0.1", "-p", str(self.port)]
            for sub, claims in self.users.items():
                command += ["--user-claims", json.dumps({"sub": sub, **claims})]
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, cwd=self.workdir)
            deadline = time.monotonic() + PROVIDER_READY_SECONDS
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if self.discovery().get("issuer") == self.issuer:
                        return self
                except (requests.RequestException, ValueError):
                    pass
                time.sleep(0.05)
            self.stop()
        pytest.fail(f"oidc-provider-mock did not start:\n{self.log_tail()}")

    def stop(self) -> None:
        stop_process(self.process)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory):
    """One oidc-provider-mock per test module (alice in `devs`, carol in `guests`), stopped afterwards."""
    provider = OIDCProvider(tmp_path_factory.mktemp("oidc-provider")).start()
    yield provider
    provider.stop()


# --- our own issuer for CI-style JWTs -------------------------------------------------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64url(number: int) -> str:
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class SigningKey:
    """An RSA key pair with a `kid`, as published in a JWKS."""

    def __init__(self, kid: str | None = None):
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid or uuid.uuid4().hex[:16]

    def jwk(self) -> dict:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                "n": _int_b64url(numbers.n), "e": _int_b64url(numbers.e)}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)


class TokenIssuer:
    """A minimal OIDC issuer on 127.0.0.1: `/.well-known/openid-configuration` → `jwks_uri` → `/jwks`.

    It mints RS256 tokens with any claims, publishes only its current key, and counts JWKS downloads.
    With `workload_style` its discovery document has the shape of GitHub Actions' and Kubernetes' token issuers:
    no `authorization_endpoint` nor `token_endpoint` (they issue tokens to workloads, not to browsers).
    """

    def __init__(self, workload_style: bool = False):
        self.workload_style = workload_style
        self.key = SigningKey()
        self.jwks_fetches = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> TokenIssuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.issuer, "jwks_uri": f"{issuer.issuer}/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                            "claims_supported": ["sub", "aud", "exp", "iat", "iss", "groups"]}
                    if not issuer.workload_style:
                        body["authorization_endpoint"] = f"{issuer.issuer}/authorize"
                        body["token_endpoint"] = f"{issuer.issuer}/token"
                elif self.path == "/jwks":
                    with issuer._lock:
                        issuer.jwks_fetches += 1
                        body = {"keys": [issuer.key.jwk()]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server signature)
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def rotate(self) -> SigningKey:
        """Switches to a new key with a new kid; the old key is no longer published. Returns the old key."""
        old = self.key
        with self._lock:
            self.key = SigningKey()
        return old

    def claims(self, sub: str, groups: list[str] | None = None, lifetime: int = 300,
               drop: tuple[str, ...] = (), **overrides) -> dict:
        """Valid claims for `sub` (iss, aud, iat, nbf, exp, groups), then `overrides`, minus the names in `drop`."""
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": AUDIENCE, "sub": sub, "iat": now, "nbf": now - 5, "exp": now + lifetime}
        if groups is not None:
            claims["groups"] = groups
        claims.update(overrides)
        return {name: value for name, value in claims.items() if name not in drop}

    def mint(self, sub: str, groups: list[str] | None = None, key: SigningKey | None = None,
             lifetime: int = 300, drop: tuple[str, ...] = (), **overrides) -> str:
        """An RS256 JWT for `sub` signed by `key` (default: the current key) with its kid in the header."""
        signer = key or self.key
        return jwt.encode(self.claims(sub, groups, lifetime, drop, **overrides), signer.private, algorithm="RS256",
                          headers={"kid": signer.kid})

    def mint_unsigned(self, sub: str, groups: list[str] | None = None) -> str:
        """`alg: none`: header.payload. with an empty signature."""
        header = {"alg": "none", "typ": "JWT", "kid": self.key.kid}
        payload = self.claims(sub, groups)
        return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}."

    def mint_hs256_with_public_key(self, sub: str, groups: list[str] | None = None) -> str:
        """The algorithm-confusion attack: HS256 whose HMAC secret is the issuer's public key PEM."""
        header = {"alg": "HS256", "typ": "JWT", "kid": self.key.kid}
        payload = self.claims(sub, groups)
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
        signature = hmac.new(self.key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(signature)}"


@pytest.fixture
def token_issuer():
    """Our own JWT issuer (discovery + JWKS on a free loopback port), stopped after the test."""
    issuer = TokenIssuer().start()
    yield issuer
    issuer.stop()


@pytest.fixture
def workload_token_issuer():
    """Like ``token_issuer``, with a GitHub-Actions-shaped discovery document (no authorization/token endpoint)."""
    issuer = TokenIssuer(workload_style=True).start()
    yield issuer
    issuer.stop()


# --- the registry ----------------------------------------------------------------------------------------------

class OIDCRegistry(AuthzRegistry):
    """A zot-authz with OIDC login, API keys, bearer JWTs and an audit file, on top of ``AuthzRegistry``."""

    def __init__(self, workdir: Path, users: dict[str, str], access_control: dict | None,
                 provider: OIDCProvider | None = None, token_issuer: TokenIssuer | None = None,
                 apikey: bool | dict = True, callback_allow_origins: list[str] | None = None,
                 bearer_claim_mapping: dict | None = None, **options):
        super().__init__(workdir, users=users, access_control=access_control, **options)
        #: `bearer.oidc[].claimMapping`; `None` = the explicit `{"username": "sub", "groups": "groups"}`.
        self.bearer_claim_mapping = bearer_claim_mapping
        self.callback_allow_origins = callback_allow_origins
        self.provider = provider
        self.token_issuer = token_issuer
        self.apikey = apikey
        self.audit_path = workdir / "audit.jsonl"

    def config(self) -> dict:
        config = super().config()
        http = config["http"]
        http["externalUrl"] = self.url
        auth = http.setdefault("auth", {})
        if self.provider is not None:
            auth["openid"] = {"providers": {"oidc": {
                "issuer": self.provider.issuer, "clientid": CLIENT_ID, "clientsecret": CLIENT_SECRET,
                "scopes": ["openid", "profile", "email", "groups"],
                "claimMapping": {"username": "sub", "groups": "groups"}}}}
            if self.callback_allow_origins is not None:
                auth["openid"]["callbackAllowOrigins"] = self.callback_allow_origins
        if self.apikey:
            auth["apikey"] = self.apikey
        if self.token_issuer is not None:
            mapping = self.bearer_claim_mapping or {"username": "sub", "groups": "groups"}
            auth["bearer"] = {"oidc": [{"issuer": self.token_issuer.issuer, "audiences": [AUDIENCE],
                                        "claimMapping": mapping}]}
        config["log"]["audit"] = str(self.audit_path)
        return config

    def audit_events(self) -> list[dict]:
        try:
            lines = self.audit_path.read_text().splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    def assert_no_secret_logged(self, *secrets: str) -> None:
        """None of `secrets` (keys, cookies, tokens, passwords) appears in the server log or the audit file."""
        texts = {"server log": self.log_text()}
        if self.audit_path.exists():
            texts["audit file"] = self.audit_path.read_text(errors="replace")
        for secret in secrets:
            assert secret, "an empty secret cannot be checked"
            for name, text in texts.items():
                assert secret not in text, f"a secret ({secret[:6]}…) leaked into the {name}"


class OIDCRegistryFactory(AuthzRegistryFactory):
    def start(self, users: dict[str, str] | None = None, access_control: dict | None = None, **options) -> OIDCRegistry:
        workdir = self.base / f"oidc-server-{len(self.servers)}"
        server = OIDCRegistry(workdir, users=dict(HTPASSWD_USERS if users is None else users),
                              access_control=TEAM_ACCESS if access_control is None else access_control, **options)
        self.servers.append(server)
        return server.start()


@pytest.fixture
def oidc_registry(tmp_path: Path):
    """`oidc_registry(provider=, token_issuer=, apikey=, users=, access_control=, auth=, http=)` → running server."""
    factory = OIDCRegistryFactory(tmp_path)
    yield factory.start
    factory.stop_all()


# --- the login flow without a browser --------------------------------------------------------------------------

REDIRECTS = (301, 302, 303, 307, 308)


def start_login(server: OIDCRegistry, session: requests.Session, callback_ui: str = "/auth/apikeys") -> str:
    """`GET /zot/auth/login?provider=oidc`: returns the provider's authorize URL the server redirects to."""
    started = session.get(f"{server.url}/zot/auth/login", params={"provider": "oidc", "callback_ui": callback_ui},
                          allow_redirects=False, timeout=10)
    assert started.status_code in REDIRECTS, f"login start: {started.status_code} {started.text[:300]}"
    location = started.headers["Location"]
    assert server.provider is not None and location.startswith(f"{server.provider.issuer}/"), location
    return location


def authorize_at_provider(session: requests.Session, authorize_url: str, subject: str) -> str:
    """Submits the mock's authorize form as `subject`; returns the callback URL (with `code` and `state`)."""
    granted = session.post(authorize_url, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert granted.status_code == 302, f"provider authorize: {granted.status_code} {granted.text[:300]}"
    return granted.headers["Location"]


def oidc_login(server: OIDCRegistry, subject: str = "alice", callback_ui: str = "/auth/apikeys") -> requests.Session:
    """The whole browser flow with `requests`: a session holding the server's session cookie."""
    session = requests.Session()
    callback = authorize_at_provider(session, start_login(server, session, callback_ui), subject)
    assert callback.startswith(f"{server.url}/zot/auth/callback/oidc?"), callback
    query = parse_qs(urlparse(callback).query)
    assert "code" in query and "state" in query, callback
    landed = session.get(callback, allow_redirects=False, timeout=10)
    assert landed.status_code in REDIRECTS, f"callback: {landed.status_code} {landed.text[:300]}"
    assert landed.headers["Location"] in (callback_ui, server.url + callback_ui), landed.headers["Location"]
    assert session.cookies.get(SESSION_COOKIE), f"no {SESSION_COOKIE} cookie after the callback: {landed.headers}"
    # From here on the session acts like scripts on the registry's own pages: browsers send `Origin` with every
    # POST/PUT/DELETE, and cookie-authenticated writes without a same-origin `Origin` are refused (CSRF).
    session.headers["Origin"] = server.url
    return session


# --- a real browser --------------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def chromium(tmp_path: Path):
    """A headless Chromium (selenium + Debian chromedriver) with its own profile directory; quit afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            pytest.skip(f"{path} is not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--password-store=basic", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log")),
                              options=options)
    driver.set_page_load_timeout(15)
    yield driver
    driver.quit()
