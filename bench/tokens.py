#!/usr/bin/env python3
"""Token benchmark (issue 16): token issuance rate of the built-in token service, and what a Bearer request costs
on a manifest HEAD compared with Basic served from the credential cache.

Usage: python3 bench/tokens.py [--binary PATH] [--seconds N] [--processes N] [--client hey|python]
  (default binary: .build-release/release/zot-authz if present, else .build/debug/zot-authz — debug numbers are not
  representative). Starts one zot-authz on a free 127.0.0.1 port (htpasswd bcrypt cost 10, tokenService, one pushed
  image), drives it with N client processes on keep-alive connections, prints a markdown table with the targets
  (Bearer HEAD >= 90 % of cached-Basic HEAD; >= 2,000 tokens/s), and stops the server by PID. Asserts nothing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "bench", "benchpw"
REPO = "bench/app"
MANIFEST_ACCEPT = "application/vnd.oci.image.manifest.v1+json"
#: The load generator: `hey` when installed (bench/run.sh installs it), else Python processes.
CLIENT = "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def basic() -> str:
    return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def request(port: int, method: str, path: str, headers: dict, body: bytes | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def push_image(port: int) -> None:
    auth = {"Authorization": basic()}
    blobs = [json.dumps({"architecture": "amd64", "os": "linux"}).encode(), b"bench layer"]
    for blob in blobs:
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        started = request(port, "POST", f"/v2/{REPO}/blobs/uploads/", auth)
        location = started.getheader("Location")
        separator = "&" if "?" in location else "?"
        request(port, "PUT", f"{location}{separator}digest={digest}", {**auth, "Content-Type": "application/octet-stream"}, blob)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_ACCEPT,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(blobs[0]),
                                      "digest": "sha256:" + hashlib.sha256(blobs[0]).hexdigest()},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(blobs[1]),
                                       "digest": "sha256:" + hashlib.sha256(blobs[1]).hexdigest()}]}).encode()
    answer = request(port, "PUT", f"/v2/{REPO}/manifests/latest", {**auth, "Content-Type": MANIFEST_ACCEPT}, manifest)
    assert answer.status == 201, answer.status


def worker(arguments: tuple[int, str, str, dict, float]) -> tuple[int, int]:
    port, method, path, headers, seconds = arguments
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        else:
            errors += 1
    connection.close()
    return done, errors


def hey_rate(port: int, method: str, path: str, headers: dict, seconds: float, connections: int) -> tuple[float, int]:
    """The rate `hey` (a Go load generator, far cheaper per request than Python) reaches, and its non-200 count."""
    command = ["hey", "-z", f"{seconds}s", "-c", str(connections), "-m", method]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True,
                            timeout=seconds + 60).stdout
    requests_per_second = float(output.split("Requests/sec:")[1].split()[0])
    errors = 0
    if "Status code distribution:" in output:
        for line in output.split("Status code distribution:")[1].splitlines():
            parts = line.strip().split()
            if len(parts) >= 3 and parts[0].startswith("[") and parts[0] != "[200]":
                errors += int(parts[1])
    return requests_per_second, errors


def rate(port: int, method: str, path: str, headers: dict, seconds: float, processes: int) -> tuple[float, int]:
    if CLIENT == "hey":
        return hey_rate(port, method, path, headers, seconds, processes)
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(worker, [(port, method, path, headers, seconds)] * processes)
    return sum(done for done, _ in results) / seconds, sum(errors for _, errors in results)


def main() -> int:
    parser = argparse.ArgumentParser()
    release = ROOT / ".build-release/release/zot-authz"
    parser.add_argument("--binary", default=str(release if release.exists() else ROOT / ".build/debug/zot-authz"))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=8, help="client processes (python) or connections (hey)")
    parser.add_argument("--client", choices=["hey", "python"], default="hey" if shutil.which("hey") else "python")
    options = parser.parse_args()
    global CLIENT
    CLIENT = options.client
    work = Path(tempfile.mkdtemp(prefix="zot-authz-token-bench."))
    server = None
    try:
        htpasswd = subprocess.run(["htpasswd", "-nbB", "-C", "10", USER, PASSWORD], check=True, capture_output=True, text=True).stdout
        (work / "htpasswd").write_text(htpasswd)
        port = free_port()
        config = {"storage": {"rootDirectory": str(work / "storage")},
                  "http": {"address": "127.0.0.1", "port": str(port), "realm": "bench",
                           "auth": {"htpasswd": {"path": str(work / "htpasswd")}, "tokenService": {"lifetime": "1h"}},
                           "accessControl": {"repositories": {"**": {"defaultPolicy": ["read", "create", "update", "delete"]}}}},
                  "log": {"level": "error"}}
        (work / "config.json").write_text(json.dumps(config))
        server = subprocess.Popen([options.binary, "serve", str(work / "config.json")], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        for _ in range(200):
            try:
                if request(port, "GET", "/v2/", {}).status == 401:
                    break
            except OSError:
                time.sleep(0.05)
        push_image(port)
        token_path = f"/auth/token?service=bench&scope=repository:{REPO}:pull"
        token = json.loads(http_get(port, token_path, {"Authorization": basic()}))["token"]
        manifest = f"/v2/{REPO}/manifests/latest"
        rows = []
        issuance, issuance_errors = rate(port, "GET", token_path, {"Authorization": basic()}, options.seconds, options.processes)
        basic_head, basic_errors = rate(port, "HEAD", manifest, {"Authorization": basic(), "Accept": MANIFEST_ACCEPT},
                                        options.seconds, options.processes)
        bearer_head, bearer_errors = rate(port, "HEAD", manifest, {"Authorization": f"Bearer {token}", "Accept": MANIFEST_ACCEPT},
                                          options.seconds, options.processes)
        rows.append(("Token issuance, GET /auth/token with cached Basic", issuance, issuance_errors))
        rows.append(("Manifest HEAD, Basic (credential cache)", basic_head, basic_errors))
        rows.append(("Manifest HEAD, Bearer (token service token)", bearer_head, bearer_errors))
        print(f"binary: {options.binary}; client {options.client}, {options.processes} connections, {options.seconds:.0f} s per run\n")
        print("| Measure | req/s | non-200 |\n| --- | ---: | ---: |")
        for name, value, errors in rows:
            print(f"| {name} | {value:,.0f} | {errors} |")
        ratio = bearer_head / basic_head if basic_head else 0
        print(f"\nTargets: Bearer HEAD / Basic HEAD = {ratio:.0%} (goal >= 90 %): {'met' if ratio >= 0.9 else 'not met'}; "
              f"issuance {issuance:,.0f}/s (goal >= 2,000/s): {'met' if issuance >= 2000 else 'not met'}")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


def http_get(port: int, path: str, headers: dict) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    body = connection.getresponse().read()
    connection.close()
    return body


if __name__ == "__main__":
    sys.exit(main())
