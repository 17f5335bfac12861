"""What `serve` and `verify` say at start: one info line per subsystem, warnings for what is accepted but not acted
on and for anonymous writes, and a readable error when the port is taken. Runs the built binary."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import free_port, server_binary, stop_process, zot_config

pytestmark = pytest.mark.zot_only


def write_config(tmp_path: Path, port: int) -> Path:
    config = zot_config(port, tmp_path / "store", None, {"pub/**": {"anonymousPolicy": ["read", "create"]}})
    config["log"] = {"level": "info", "format": "text"}
    config["extensions"] = {"search": {"enable": True}}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited at start"
        try:
            requests.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return
        except requests.exceptions.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_serve_reports_its_setup_and_a_taken_port_is_a_readable_error(tmp_path: Path):
    port = free_port()
    config = write_config(tmp_path, port)
    log = tmp_path / "first.log"
    with log.open("w") as output:
        first = subprocess.Popen([str(server_binary()), "serve", str(config)], stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, first)
        text = log.read_text()
        for expected in (f"listening on http://127.0.0.1:{port} (no TLS)", "authentication: none",
                         "access rules: 1 repository pattern", "storage: ", "extensions: none",
                         'anonymous users can write: anonymousPolicy grants writes on "pub/**"',
                         "extensions.search: extension accepted but not implemented"):
            assert expected in text, f"missing {expected!r} in the start-up log:\n{text}"
        second = subprocess.run([str(server_binary()), "serve", str(config)], capture_output=True, text=True, timeout=30)
        assert second.returncode == 2, second
        assert f"listen 127.0.0.1:{port}: address already in use" in second.stderr, second.stderr
        assert "NIO" not in second.stderr and "errno" not in second.stderr.lower(), second.stderr
    finally:
        stop_process(first)


def test_verify_prints_the_same_warnings_and_catches_what_serve_would_refuse(tmp_path: Path):
    config = write_config(tmp_path, free_port())
    verified = subprocess.run([str(server_binary()), "verify", str(config)], capture_output=True, text=True, timeout=30)
    assert verified.returncode == 0, verified.stderr
    assert "warning: extensions.search: extension accepted but not implemented" in verified.stdout, verified.stdout
    assert "warning: anonymous users can write" in verified.stdout, verified.stdout
    assert not (tmp_path / "store").exists(), "verify created the storage root"

    document = json.loads(config.read_text())
    (tmp_path / "blocker").write_text("a file where the storage root should go")
    document["storage"]["rootDirectory"] = str(tmp_path / "blocker" / "store")
    (tmp_path / "garbage.crt").write_text("not a certificate")
    (tmp_path / "garbage.key").write_text("not a key")
    document["http"]["tls"] = {"cert": str(tmp_path / "garbage.crt"), "key": str(tmp_path / "garbage.key")}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    refused = subprocess.run([str(server_binary()), "verify", str(broken)], capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1, refused
    assert "storage.rootDirectory:" in refused.stderr, refused.stderr
    assert "http.tls:" in refused.stderr, refused.stderr


def test_version_and_health_probes(tmp_path: Path):
    """`--version` names version, commit, build date and Swift; `/readyz` turns 503 when the storage root goes away
    while `/livez` stays 200; neither needs credentials."""
    import shutil

    version = subprocess.run([str(server_binary()), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and version.stdout.startswith("zot-authz "), version
    assert "commit " in version.stdout and "Swift " in version.stdout, version.stdout
    port = free_port()
    config = write_config(tmp_path, port)
    server = subprocess.Popen([str(server_binary()), "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port, server)
        base = f"http://127.0.0.1:{port}"
        for path in ("/livez", "/readyz", "/startupz"):
            assert requests.get(base + path, timeout=5).status_code == 200, path
        shutil.rmtree(tmp_path / "store")
        assert requests.get(base + "/readyz", timeout=5).status_code == 503
        assert requests.get(base + "/livez", timeout=5).status_code == 200
    finally:
        stop_process(server)
