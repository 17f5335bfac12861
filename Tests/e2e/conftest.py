"""Fixtures for the end-to-end tests: the real zot-authz binary on a free loopback port, plus client helpers.

The binary comes from ZOT_AUTHZ_BIN (default: .build/debug/zot-authz). Setting E2E_SERVER=distribution runs
the same tests against CNCF Distribution (`docker-registry`) instead, to tell a test bug from a server bug;
tests marked `zot_only` are skipped there.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from registry_client import RegistryClient

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 20.0
LOG_TAIL_LINES = 60
BLOB_INFO_CACHES = (
    Path("/var/lib/containers/cache/blob-info-cache-v1.boltdb"),
    Path.home() / ".local/share/containers/cache/blob-info-cache-v1.boltdb",
)

ALL_ACTIONS = ["read", "create", "update", "delete"]
#: Anyone, signed in or not, may do anything: the setting for protocol tests.
OPEN_POLICY = {"**": {"anonymousPolicy": ALL_ACTIONS, "defaultPolicy": ALL_ACTIONS}}
#: Anonymous users may read; signed-in users may do anything.
SIGNED_IN_WRITE_POLICY = {"**": {"anonymousPolicy": ["read"], "defaultPolicy": ALL_ACTIONS}}
#: Users every test server knows (htpasswd, bcrypt cost 5).
USERS = {"alice": "alice-secret-1", "bob": "bob-secret-2"}

SERVER_KIND = os.environ.get("E2E_SERVER", "zot-authz")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "zot_only: needs a zot-authz feature the reference registry lacks")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SERVER_KIND == "zot-authz":
        return
    skip = pytest.mark.skip(reason=f"needs zot-authz, E2E_SERVER={SERVER_KIND}")
    for item in items:
        if "zot_only" in item.keywords:
            item.add_marker(skip)


def server_binary() -> Path:
    """Path of the zot-authz binary under test."""
    path = Path(os.environ.get("ZOT_AUTHZ_BIN", REPO_ROOT / ".build/debug/zot-authz"))
    return path if path.is_absolute() else REPO_ROOT / path


def stop_process(process: subprocess.Popen | None) -> None:
    """Stops a process this suite started, if it still runs: SIGTERM, then SIGKILL after 5 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_htpasswd(path: Path, users: dict[str, str]) -> Path:
    """Writes an htpasswd file with bcrypt (cost 5) entries made by `htpasswd -nbB`."""
    lines = []
    for name, password in users.items():
        made = subprocess.run(["htpasswd", "-nbB", "-C", "5", name, password],
                              check=True, capture_output=True, text=True)
        lines.append(made.stdout.strip())
    path.write_text("\n".join(lines) + "\n")
    return path


def zot_config(port: int, root_dir: Path, htpasswd: Path | None, repositories: dict | None,
               storage: dict | None = None) -> dict:
    """A Zot-format config: listen on 127.0.0.1:port, store under root_dir (plus `storage` settings)."""
    http: dict = {"address": "127.0.0.1", "port": str(port), "realm": "zot-authz"}
    if htpasswd is not None:
        http["auth"] = {"htpasswd": {"path": str(htpasswd)}}
    if repositories is not None:
        http["accessControl"] = {"repositories": repositories}
    return {
        "distSpecVersion": "1.1.1",
        "http": http,
        "storage": {"rootDirectory": str(root_dir), **(storage or {})},
        "log": {"level": "debug"},
    }


def distribution_config(port: int, root_dir: Path) -> str:
    """A CNCF Distribution config with anonymous read/write and deletes enabled."""
    return (
        "version: 0.1\n"
        f"storage:\n  filesystem: {{rootdirectory: {root_dir}}}\n  delete: {{enabled: true}}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        "log: {level: info}\n"
    )


class RegistryServer:
    """One registry process on 127.0.0.1 with its own config, storage and log file."""

    def __init__(self, workdir: Path, repositories: dict | None = OPEN_POLICY,
                 users: dict[str, str] | None = None, root_dir: Path | None = None, storage: dict | None = None):
        self.workdir = workdir
        self.storage = storage
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.root_dir = root_dir or workdir / "storage"
        self.repositories = repositories
        self.users = dict(USERS if users is None else users)
        self.log_path = workdir / "server.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        """`127.0.0.1:PORT`, as clients name the registry."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def client(self, user: str | None = None) -> RegistryClient:
        """A `requests` client for this server, anonymous or signed in as `user`."""
        auth = (user, self.users[user]) if user else None
        return RegistryClient(self.url, auth=auth)

    def _command(self) -> list[str]:
        if SERVER_KIND == "distribution":
            config = self.workdir / "config.yml"
            config.write_text(distribution_config(self.port, self.root_dir))
            return ["docker-registry", "serve", str(config)]
        binary = server_binary()
        if not binary.exists():
            pytest.fail(f"server binary {binary} does not exist: run `swift build` or set ZOT_AUTHZ_BIN")
        htpasswd = write_htpasswd(self.workdir / "htpasswd", self.users) if self.users else None
        config = self.workdir / "config.json"
        config.write_text(json.dumps(zot_config(self.port, self.root_dir, htpasswd, self.repositories, self.storage),
                                      indent=2))
        return [str(binary), "serve", str(config)]

    def start(self) -> RegistryServer:
        for _ in range(3):
            self.port = free_port()
            command = self._command()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, cwd=self.workdir)
            outcome = self._wait_until_ready()
            if outcome == "ready":
                return self
            if outcome == "port-taken":
                continue
            self.stop()
            pytest.fail(f"{command[0]} {outcome}; command: {' '.join(command)}\n--- server log ---\n{self.log_tail()}")
        pytest.fail(f"could not find a free port; last log:\n{self.log_tail()}")

    def _wait_until_ready(self) -> str:
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                if "in use" in self.log_tail().lower():
                    return "port-taken"
                return f"exited with status {code} before it was ready"
            try:
                if requests.get(f"{self.url}/v2/", timeout=1).status_code in (200, 401):
                    return "ready"
            except requests.RequestException:
                pass
            time.sleep(0.05)
        return f"did not answer GET /v2/ with 200 or 401 within {READY_TIMEOUT_SECONDS:.0f} s"

    def stop(self) -> None:
        """Stops the process: SIGTERM, then SIGKILL after 5 s."""
        stop_process(self.process)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def memory_kib(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak RSS) of the server process, in KiB, from /proc/PID/status."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
        return values


class RegistryFactory:
    """Starts registries on demand and stops all of them at teardown."""

    def __init__(self, base: Path):
        self.base = base
        self.servers: list[RegistryServer] = []

    def start(self, repositories: dict | None = OPEN_POLICY, users: dict[str, str] | None = None,
              root_dir: Path | None = None, storage: dict | None = None) -> RegistryServer:
        workdir = self.base / f"server-{len(self.servers)}"
        server = RegistryServer(workdir, repositories=repositories, users=users, root_dir=root_dir, storage=storage)
        self.servers.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def start_registry(tmp_path: Path):
    """A function starting a registry (`repositories=`, `users=`) that is stopped after the test."""
    factory = RegistryFactory(tmp_path)
    yield factory.start
    factory.stop_all()


@pytest.fixture(scope="module")
def open_registry(tmp_path_factory: pytest.TempPathFactory):
    """One registry per test module where anyone may read and write (OPEN_POLICY)."""
    factory = RegistryFactory(tmp_path_factory.mktemp("open-registry"))
    yield factory.start(OPEN_POLICY)
    factory.stop_all()


@pytest.fixture(autouse=True)
def _forget_skopeo_blob_locations() -> None:
    """skopeo remembers where blobs live and tries cross-repo mounts from that cache: start each test clean."""
    for cache in BLOB_INFO_CACHES:
        cache.unlink(missing_ok=True)


class Skopeo:
    """Runs skopeo with its own auth file and HOME, so no credentials leak in or out of a test."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.auth_file = workdir / "auth.json"
        self.auth_file.write_text('{"auths":{}}')

    def run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        env = dict(os.environ, REGISTRY_AUTH_FILE=str(self.auth_file), HOME=str(self.workdir))
        result = subprocess.run(["skopeo", *args], capture_output=True, text=True, env=env,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            pytest.fail(f"skopeo {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result


@pytest.fixture
def skopeo(tmp_path: Path) -> Skopeo:
    return Skopeo(tmp_path / "skopeo")


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(str(a) for a in args)} failed:\n{result.stderr}")


def build_oci_image(workdir: Path, files: dict[str, bytes], tag: str = "latest",
                    architecture: str | None = None) -> Path:
    """Builds (or extends) an OCI image layout with umoci: one layer holding `files` under /data.

    Returns the layout directory; the image is `oci:LAYOUT:tag`.
    """
    layout = workdir / "layout"
    if not (layout / "index.json").exists():
        _run("umoci", "init", "--layout", layout)
    _run("umoci", "new", "--image", f"{layout}:{tag}")
    source = workdir / f"src-{tag}"
    source.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (source / name).write_bytes(content)
    _run("umoci", "insert", "--image", f"{layout}:{tag}", source, "/data")
    if architecture:
        _run("umoci", "config", "--image", f"{layout}:{tag}", "--architecture", architecture)
    return layout


def layout_manifest_digest(layout: Path, tag: str) -> str:
    """Digest of the manifest an OCI layout's index.json tags as `tag`."""
    index = json.loads((layout / "index.json").read_text())
    for descriptor in index["manifests"]:
        if descriptor.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return descriptor["digest"]
    raise KeyError(f"tag {tag} not in {layout}/index.json")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attaches the tail of each involved server's log to a failing test's report."""
    report = yield
    if report.failed:
        servers: list[RegistryServer] = []
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, RegistryServer):
                servers.append(value)
            elif getattr(value, "__self__", None) is not None and isinstance(value.__self__, RegistryFactory):
                servers.extend(value.__self__.servers)
        for server in servers:
            report.sections.append((f"server log {server.host} (tail)", server.log_tail()))
    return report
