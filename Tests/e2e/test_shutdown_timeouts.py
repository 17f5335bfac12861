"""Zot's `http.readTimeout` / `writeTimeout` and the bounded SIGTERM drain, against the real binary: Zot's spelling
is accepted by `verify`, a slow-drip upload is cut at the read timeout, and a stalled upload cannot hold a shutdown
longer than `http.shutdownTimeout` — the server exits and logs the request it cut."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from authz_support import AuthzRegistry
from conftest import OPEN_POLICY, server_binary

pytestmark = pytest.mark.zot_only


def start(tmp_path: Path, name: str, http: dict) -> AuthzRegistry:
    return AuthzRegistry(tmp_path / name, users={}, access_control={"repositories": OPEN_POLICY}, http=http).start()


def drip_upload(server: AuthzRegistry, repo: str) -> socket.socket:
    """Starts an upload and sends the head of a PATCH promising 1000 bytes, then only one byte."""
    started = requests.post(f"{server.url}/v2/{repo}/blobs/uploads/", timeout=10)
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    path = location.split(server.host, 1)[-1]
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    connection.sendall(f"PATCH {path} HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: application/octet-stream\r\n"
                       "Content-Length: 1000\r\n\r\nx".encode())
    return connection


def closed_within(connection: socket.socket, seconds: float, drip_every: float = 0.3) -> float | None:
    """Keeps dripping one byte at a time; the time until the server closed the connection, or None."""
    start = time.monotonic()
    connection.settimeout(drip_every)
    while time.monotonic() - start < seconds:
        try:
            if connection.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            pass
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
        try:
            connection.sendall(b"x")
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


def test_zot_configs_with_read_and_write_timeouts_pass_verify_and_bad_durations_are_named(tmp_path: Path):
    config = {"distSpecVersion": "1.1.1", "storage": {"rootDirectory": str(tmp_path / "root")},
              "http": {"address": "127.0.0.1", "port": "5000", "readTimeout": "2m", "writeTimeout": "2m"}}
    good = tmp_path / "good.json"
    good.write_text(json.dumps(config))
    checked = subprocess.run([str(server_binary()), "verify", str(good)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config["http"]["readTimeout"] = "2 minutes"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(config))
    refused = subprocess.run([str(server_binary()), "verify", str(bad)], capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0
    assert "http.readTimeout" in refused.stdout + refused.stderr


def test_a_slow_drip_upload_is_cut_at_the_read_timeout(tmp_path: Path):
    server = start(tmp_path, "read-timeout", {"readTimeout": "2s"})
    try:
        connection = drip_upload(server, "team/slow")
        elapsed = closed_within(connection, 15)
        assert elapsed is not None, "the server kept reading a dripping body past readTimeout"
        assert 1.5 <= elapsed <= 8, elapsed
        assert requests.get(f"{server.url}/v2/", timeout=5).status_code == 200, "the server stopped answering"
    finally:
        server.stop()


def test_sigterm_cuts_a_stalled_upload_after_the_shutdown_timeout_and_logs_it(tmp_path: Path):
    server = start(tmp_path, "drain", {"shutdownTimeout": "2s"})
    connection = drip_upload(server, "team/stalled")
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    try:
        while server.process.poll() is None and time.monotonic() - started < 20:
            try:
                connection.sendall(b"x")
            except OSError:
                pass
            time.sleep(0.3)
        elapsed = time.monotonic() - started
        assert server.process.poll() is not None, f"still running {elapsed:.1f} s after SIGTERM:\n{server.log_tail()}"
        assert 1.5 <= elapsed <= 10, elapsed
    finally:
        connection.close()
        server.stop()
    log = server.log_text()
    assert "draining in-flight requests" in log, log[-3000:]
    cut = [json.loads(line) for line in log.splitlines() if "request cut by shutdown" in line]
    assert cut, log[-3000:]
    assert cut[0]["metadata"]["method"] == "PATCH" if "metadata" in cut[0] else "PATCH" in json.dumps(cut[0])
    assert "/v2/team/stalled/blobs/uploads/" in json.dumps(cut[0])


def test_sigterm_with_nothing_in_flight_exits_at_once(tmp_path: Path):
    server = start(tmp_path, "idle-stop", {})
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=10)
    assert time.monotonic() - started < 3
    assert "shutdown complete" in server.log_text()
