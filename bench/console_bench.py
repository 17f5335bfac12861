#!/usr/bin/env python3
"""Web console render time (issue 21: pages under 50 ms with 1,000 repositories, paginated).

Usage: python3 bench/console_bench.py [--binary PATH] [--repos N] [--rounds N]
Starts one zot-authz (htpasswd, extensions.ui) on a free 127.0.0.1 port, pushes N one-tag repositories through the
registry API, signs in through the console's password form, and times GET /explore (first page, a middle page, a
search), a repository page and an image page: median and worst of the rounds, in ms. Stops the server by PID.
Asserts nothing (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests/e2e"))
from registry_client import RegistryClient  # noqa: E402

USER, PASSWORD = "bench", "bench-console-1"


def main() -> int:
    parser = argparse.ArgumentParser()
    release = ROOT / ".build-release/release/zot-authz"
    parser.add_argument("--binary", default=str(release if release.exists() else ROOT / ".build/debug/zot-authz"))
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zot-authz-console-bench."))
    server = None
    try:
        htpasswd = subprocess.run(["htpasswd", "-nbB", "-C", "5", USER, PASSWORD], check=True, capture_output=True, text=True).stdout
        (work / "htpasswd").write_text(htpasswd)
        import socket
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        config = {"storage": {"rootDirectory": str(work / "storage")},
                  "http": {"address": "127.0.0.1", "port": str(port), "realm": "bench",
                           "auth": {"htpasswd": {"path": str(work / "htpasswd")}},
                           "accessControl": {"repositories": {"**": {"defaultPolicy": ["read", "create", "update", "delete"]}}}},
                  "extensions": {"ui": {"enable": True}}, "log": {"level": "error"}}
        (work / "config.json").write_text(json.dumps(config))
        server = subprocess.Popen([options.binary, "serve", str(work / "config.json")], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(f"{url}/v2/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.05)
        client = RegistryClient(url, auth=(USER, PASSWORD))
        started = time.monotonic()
        for index in range(options.repos):
            client.push_image(f"bench/repo-{index:05d}", "v1", layers=[b"layer %d" % index])
        push_seconds = time.monotonic() - started
        browser = requests.Session()
        form = browser.get(f"{url}/login", timeout=10).text
        token = form.split('name="csrf" value="')[1].split('"')[0]
        signed_in = browser.post(f"{url}/login", data={"csrf": token, "username": USER, "password": PASSWORD}, timeout=10)
        assert signed_in.url.endswith("/explore"), signed_in.url
        middle = f"bench/repo-{options.repos // 2:05d}"
        pages = [("/explore (first page of 50)", "/explore"), ("/explore, a middle page", f"/explore?after={middle}"),
                 ("/explore?q= (search)", "/explore?q=repo-0099"), ("repository page", f"/image?name={middle}"),
                 ("image page", f"/image?name={middle}&ref=v1")]
        print(f"binary: {options.binary}; {options.repos} repositories (pushed in {push_seconds:.1f} s), {options.rounds} rounds\n")
        print("| Page | median ms | worst ms |\n| --- | ---: | ---: |")
        for name, path in pages:
            times = []
            for _ in range(options.rounds):
                begin = time.perf_counter()
                answer = browser.get(url + path, timeout=10)
                times.append((time.perf_counter() - begin) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} |")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
