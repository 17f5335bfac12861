#!/usr/bin/env python3
"""Raw OCI pushes for the benchmark (python requests, no registry client).

  oci_push.py one  BASE REPO TAG [--user U --password P]      push one small image, print its manifest digest
  oci_push.py many BASE COUNT    [--user U --password P]      push COUNT small images in parallel threads,
                                                               print "seconds images_per_second"

Each image is a random 4 KiB layer + config + OCI manifest, uploaded with POST /blobs/uploads/ followed by a
monolithic PUT <location>?digest=…, the flow every registry supports. Every request has a timeout; the
parallel push is bounded by COUNT and by an overall deadline.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import sys
import time
from urllib.parse import urljoin

import requests

TIMEOUT = 60
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(session: requests.Session, base: str, repo: str, data: bytes) -> str:
    blob_digest = digest(data)
    started = session.post(f"{base}/v2/{repo}/blobs/uploads/", timeout=TIMEOUT)
    if started.status_code != 202:
        raise RuntimeError(f"POST uploads for {repo}: HTTP {started.status_code} {started.text[:200]}")
    location = urljoin(base + "/", started.headers["Location"])
    separator = "&" if "?" in location else "?"
    finished = session.put(f"{location}{separator}digest={blob_digest}", data=data,
                           headers={"Content-Type": "application/octet-stream"}, timeout=TIMEOUT)
    if finished.status_code != 201:
        raise RuntimeError(f"PUT blob for {repo}: HTTP {finished.status_code} {finished.text[:200]}")
    return blob_digest


def push_image(session: requests.Session, base: str, repo: str, tag: str) -> str:
    layer = os.urandom(4096)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [digest(layer)]}}).encode()
    layer_digest = push_blob(session, base, repo, layer)
    config_digest = push_blob(session, base, repo, config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": len(layer)}],
    }).encode()
    response = session.put(f"{base}/v2/{repo}/manifests/{tag}", data=manifest,
                           headers={"Content-Type": MANIFEST_TYPE}, timeout=TIMEOUT)
    if response.status_code != 201:
        raise RuntimeError(f"PUT manifest {repo}:{tag}: HTTP {response.status_code} {response.text[:200]}")
    return digest(manifest)


def new_session(user, password) -> requests.Session:
    session = requests.Session()
    if user is not None:
        session.auth = (user, password)  # preemptive Basic on every request, like skopeo after login
    return session


def push_many(base: str, count: int, user, password, deadline_seconds: float) -> tuple[float, int]:
    def one(index: int) -> str:
        return push_image(new_session(user, password), base, f"concurrent/img{index}", "v1")

    started = time.monotonic()
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one, index) for index in range(count)]
        for future in concurrent.futures.as_completed(futures, timeout=deadline_seconds):
            if future.exception() is not None:
                failures += 1
                print(f"push failed: {future.exception()}", file=sys.stderr)
    return time.monotonic() - started, failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["one", "many"])
    parser.add_argument("base")
    parser.add_argument("args", nargs="+")
    parser.add_argument("--user")
    parser.add_argument("--password")
    options = parser.parse_args()
    if options.mode == "one":
        repo, tag = options.args
        print(push_image(new_session(options.user, options.password), options.base, repo, tag))
        return 0
    count = int(options.args[0])
    if not 1 <= count <= 200:
        print("COUNT must be 1…200", file=sys.stderr)
        return 2
    seconds, failures = push_many(options.base, count, options.user, options.password, deadline_seconds=120)
    print(f"{seconds:.3f} {(count - failures) / seconds:.2f} {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
