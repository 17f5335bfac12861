#!/usr/bin/env python3
"""Storage measurements for bench/run.sh (python requests and boto3; every request has a timeout).

  storage_bench.py mkrepos ours|dist ROOT COUNT     lay out COUNT empty repositories as each registry stores them
                                                    (ours: Zot's OCI layout; Distribution: <name>/_layers)
  storage_bench.py catalog BASE USER PASS RUNS COUNT  mean ms of GET /v2/_catalog?n=100 for the first page and for a
                                                    page from the middle, after one warm-up: "first_ms middle_ms"
  storage_bench.py tags BASE USER PASS COUNT        PUT one manifest under COUNT tags of one repository; mean ms of
                                                    the first 10 and the last 10 PUTs: "first_ms last_ms"
  storage_bench.py s3-boto3 ENDPOINT BUCKET FILE PART_MIB
                                                    upload FILE with boto3 multipart (PART_MIB parts), download it
                                                    back: "upload_mbps download_mbps"
"""
import json
import os
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oci_push import MANIFEST_TYPE, digest, new_session, push_blob  # noqa: E402

TIMEOUT = 120
INDEX = b'{"schemaVersion":2,"manifests":[]}'
LAYOUT = b'{"imageLayoutVersion":"1.0.0"}'


def repository_names(count: int) -> list[str]:
    # Two levels, as real registries look (team/app), 100 repositories per team.
    return [f"team{index // 100:04d}/app{index % 100:02d}" for index in range(count)]


def make_repositories(kind: str, root: str, count: int) -> None:
    for name in repository_names(count):
        if kind == "ours":
            directory = os.path.join(root, name)
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, "oci-layout"), "wb") as file:
                file.write(LAYOUT)
            with open(os.path.join(directory, "index.json"), "wb") as file:
                file.write(INDEX)
        else:
            os.makedirs(os.path.join(root, "docker/registry/v2/repositories", name, "_layers"), exist_ok=True)


def timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=TIMEOUT)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or len(response.json().get("repositories") or []) == 0:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed


def catalog(base: str, user: str, password: str, runs: int, count: int) -> str:
    session = new_session(user, password)
    middle = repository_names(count)[count // 2]
    first_url, middle_url = f"{base}/v2/_catalog?n=100", f"{base}/v2/_catalog?n=100&last={middle}"
    timed_get(session, first_url)  # warm-up: builds an index or fills caches
    first = sum(timed_get(session, first_url) for _ in range(runs)) / runs
    deep = sum(timed_get(session, middle_url) for _ in range(runs)) / runs
    return f"{first:.2f} {deep:.2f}"


def tags(base: str, user: str, password: str, count: int) -> str:
    session = new_session(user, password)
    repo = "bench/tags"
    layer = os.urandom(1024)
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": push_blob(session, base, repo, config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": push_blob(session, base, repo, layer),
                    "size": len(layer)}],
    }).encode()
    times = []
    for index in range(count):
        started = time.perf_counter()
        response = session.put(f"{base}/v2/{repo}/manifests/t{index:05d}", data=manifest,
                               headers={"Content-Type": MANIFEST_TYPE}, timeout=TIMEOUT)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            raise RuntimeError(f"PUT tag {index}: HTTP {response.status_code} {response.text[:200]}")
    window = min(10, count)
    return f"{sum(times[:window]) / window:.2f} {sum(times[-window:]) / window:.2f}"


def s3_boto3(endpoint: str, bucket: str, path: str, part_mib: int) -> str:
    import boto3
    from boto3.s3.transfer import TransferConfig
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench")
    part = part_mib * 1024 * 1024
    config = TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=2)
    size = os.path.getsize(path)
    started = time.perf_counter()
    client.upload_file(path, bucket, "boto3/blob", Config=config)
    upload = size / (time.perf_counter() - started) / 1e6
    started = time.perf_counter()
    body = client.get_object(Bucket=bucket, Key="boto3/blob")["Body"]
    received = 0
    for chunk in body.iter_chunks(1024 * 1024):
        received += len(chunk)
    download = received / (time.perf_counter() - started) / 1e6
    if received != size:
        raise RuntimeError(f"boto3 read back {received} of {size} bytes")
    return f"{upload:.0f} {download:.0f}"


def main() -> int:
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "mkrepos":
        make_repositories(args[0], args[1], int(args[2]))
    elif mode == "catalog":
        print(catalog(args[0], args[1], args[2], int(args[3]), int(args[4])))
    elif mode == "tags":
        print(tags(args[0], args[1], args[2], int(args[3])))
    elif mode == "s3-boto3":
        print(s3_boto3(args[0], args[1], args[2], int(args[3])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
