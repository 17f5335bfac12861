#!/usr/bin/env python3
"""Pull-through cache benchmark (issue 17), ratios from one run: the first pull through the cache against a pull
straight from the upstream (target <= 1.3x), a cached pull against a pull of a locally pushed copy of the same image
(target >= 90 % of its throughput), and 20 concurrent cold pulls (target: one upstream transfer per blob).

Usage: python3 bench/sync.py [--binary PATH] [--mib N]
  (default binary: .build-release/release/zot-authz if present, else .build/debug/zot-authz — debug numbers are not
  representative). Starts Debian's docker-registry (Distribution 2.8, anonymous) and one zot-authz with
  `extensions.sync` (onDemand, `prefix: "**"`, `destination: /docker.io`), all on free 127.0.0.1 ports, times
  `skopeo copy docker://… dir:…` (each timing the best of 3, fresh destination each time, fresh cache repository for
  every cold pull), counts upstream blob GETs in Distribution's access log, prints a markdown table and stops every
  process by PID. Asserts nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/v2/", timeout=1).status_code in (200, 401):
                return
        except requests.RequestException:
            time.sleep(0.05)
    sys.exit(f"{url} did not start")


def run(*args: str, env: dict | None = None) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")


def timed_copy(source: str, work: Path, env: dict) -> float:
    target = Path(tempfile.mkdtemp(prefix="dest-", dir=work))
    target.rmdir()
    started = time.monotonic()
    run("skopeo", "copy", "--src-tls-verify=false", source, f"dir:{target}", env=env)
    elapsed = time.monotonic() - started
    shutil.rmtree(target, ignore_errors=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    release = ROOT / ".build-release/release/zot-authz"
    parser.add_argument("--binary", default=str(release if release.exists() else ROOT / ".build/debug/zot-authz"))
    parser.add_argument("--mib", type=int, default=256, help="size of the image's layer")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zot-authz-sync-bench."))
    env = dict(os.environ, REGISTRY_AUTH_FILE=str(work / "auth.json"), HOME=str(work))
    (work / "auth.json").write_text('{"auths": {}}')
    processes: list[subprocess.Popen] = []
    try:
        upstream_port, cache_port = free_port(), free_port()
        (work / "upstream.yml").write_text(
            "version: 0.1\n"
            f"storage: {{filesystem: {{rootdirectory: {work / 'upstream'}}}}}\n"
            f"http: {{addr: '127.0.0.1:{upstream_port}'}}\nlog: {{level: error}}\n")
        upstream_env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        upstream_log = open(work / "upstream.log", "wb")
        processes.append(subprocess.Popen(["docker-registry", "serve", str(work / "upstream.yml")], stdout=upstream_log,
                                          stderr=subprocess.STDOUT, env=upstream_env))
        config = {"http": {"address": "127.0.0.1", "port": str(cache_port),
                           "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read", "create", "update"]}}}},
                  "storage": {"rootDirectory": str(work / "cache")}, "log": {"level": "error"},
                  "extensions": {"sync": {"registries": [{"urls": [f"http://127.0.0.1:{upstream_port}"], "onDemand": True,
                                                          "content": [{"prefix": "**", "destination": "/docker.io"}]}]}}}
        (work / "cache.json").write_text(json.dumps(config))
        processes.append(subprocess.Popen([options.binary, "serve", str(work / "cache.json")], stdout=subprocess.DEVNULL,
                                          stderr=open(work / "cache.log", "wb")))
        upstream, cache = f"127.0.0.1:{upstream_port}", f"127.0.0.1:{cache_port}"
        wait_ready("http://" + upstream)
        wait_ready("http://" + cache)

        # One image: a layer of pseudo-random bytes (openssl AES-CTR), built with umoci.
        layout = work / "layout"
        run("umoci", "init", "--layout", str(layout))
        run("umoci", "new", "--image", f"{layout}:v1")
        (work / "src").mkdir()
        run("bash", "-c", f"openssl enc -aes-128-ctr -pass pass:bench -nosalt -pbkdf2 </dev/zero 2>/dev/null "
                          f"| head -c {options.mib << 20} > {work / 'src' / 'layer.bin'}")
        run("umoci", "insert", "--image", f"{layout}:v1", str(work / "src"), "/data")
        names = [f"bench/cold{i}" for i in range(4)] + ["bench/concurrent"]
        for name in names + ["bench/direct"]:
            run("skopeo", "copy", "--dest-tls-verify=false", f"oci:{layout}:v1", f"docker://{upstream}/{name}:v1", env=env)
        # The same image pushed to us outside the cached namespace: the "local" reference.
        run("skopeo", "copy", "--dest-tls-verify=false", f"oci:{layout}:v1", f"docker://{cache}/local/app:v1", env=env)

        direct = min(timed_copy(f"docker://{upstream}/bench/direct:v1", work, env) for _ in range(3))
        first = min(timed_copy(f"docker://{cache}/docker.io/bench/cold{i}:v1", work, env) for i in range(3))
        cached = min(timed_copy(f"docker://{cache}/docker.io/bench/cold0:v1", work, env) for _ in range(3))
        local = min(timed_copy(f"docker://{cache}/local/app:v1", work, env) for _ in range(3))

        before = (work / "upstream.log").read_text(errors="replace")
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            list(pool.map(lambda _: timed_copy(f"docker://{cache}/docker.io/bench/concurrent:v1", work, env), range(20)))
        time.sleep(0.5)
        after = (work / "upstream.log").read_text(errors="replace")[len(before):]
        blob_gets = [line for line in after.splitlines()
                     if re.search(r'"GET /v2/bench/concurrent/blobs/sha256:[0-9a-f]+ HTTP/1.1" 200', line)]
        blobs = len(set(re.findall(r"blobs/(sha256:[0-9a-f]+)", "\n".join(blob_gets))))

        rows = [
            ("Pull straight from the upstream (skopeo → dir:)", f"{direct:.2f} s", ""),
            ("First pull through the cache (cold)", f"{first:.2f} s", f"{first / direct:.2f}× direct (target ≤ 1.3×): "
             + ("met" if first / direct <= 1.3 else "not met")),
            ("Cached pull", f"{cached:.2f} s", f"{local / cached * 100:.0f} % of local throughput (target ≥ 90 %): "
             + ("met" if local / cached >= 0.9 else "not met")),
            ("Pull of a locally pushed copy", f"{local:.2f} s", ""),
            ("20 concurrent cold pulls: upstream blob transfers", f"{len(blob_gets)} for {blobs} blobs",
             "one per blob (target): " + ("met" if len(blob_gets) == blobs else "not met")),
        ]
        print(f"| Measure ({options.mib} MiB layer, binary {Path(options.binary).parent.name}) | Time | Ratio |")
        print("| --- | --- | --- |")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
