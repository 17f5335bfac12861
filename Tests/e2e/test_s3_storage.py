"""Storage on S3 (`storage.storageDriver: {name: s3}`) against a real S3 API server (moto_server): Zot's key layout in
the bucket, images pushed and pulled with skopeo, state that survives a restart, and a wrong bucket named at start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from registry_client import with_query
from conftest import OPEN_POLICY, build_oci_image, layout_manifest_digest, server_binary, stop_process, free_port, zot_config

pytestmark = pytest.mark.zot_only

PLAIN_HTTP = "--tls-verify=false"
REF_NAME = "org.opencontainers.image.ref.name"


class MotoS3:
    """A moto_server process on 127.0.0.1, stopped by PID (it ignores SIGTERM while serving, so SIGKILL)."""

    def __init__(self, workdir: Path):
        executable = shutil.which("moto_server")
        if executable is None:
            pytest.fail("moto_server is not installed (scripts/install-deps.sh installs moto[server])")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(workdir / "moto.log", "w")
        self.process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        import boto3
        self.s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                               aws_access_key_id="test", aws_secret_access_key="test")
        deadline = time.monotonic() + 30
        while True:
            try:
                self.s3.list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    pytest.fail("moto_server did not start:\n" + (workdir / "moto.log").read_text())
                time.sleep(0.2)

    def keys(self, bucket: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def moto(tmp_path: Path):
    server = MotoS3(tmp_path)
    yield server
    server.stop()


def s3_storage(moto: MotoS3, bucket: str, **extra) -> dict:
    """The driver as Zot's own S3 examples write it: an endpoint without a scheme and `secure: false`."""
    return {"storageDriver": {"name": "s3", "rootdirectory": "/zot", "region": "us-east-1", "bucket": bucket,
                              "regionendpoint": f"127.0.0.1:{moto.port}", "secure": False, "forcepathstyle": True,
                              "skipverify": False, "accesskey": "test", "secretkey": "test", **extra}}


def test_an_image_pushed_to_s3_lands_in_zots_key_layout_and_pulls_back_after_a_restart(start_registry, moto, skopeo, tmp_path):
    moto.s3.create_bucket(Bucket="images")
    layout = build_oci_image(tmp_path, {"s3.txt": b"stored in a bucket\n"})
    digest = layout_manifest_digest(layout, "latest")
    registry = start_registry(OPEN_POLICY, storage=s3_storage(moto, "images"))
    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{registry.host}/team/app:v1")
    registry.stop()

    keys = moto.keys("images")
    # Zot keeps rootdirectory twice in the key (its RootDir compatibility rule).
    assert "zot/zot/team/app/index.json" in keys and "zot/zot/team/app/oci-layout" in keys
    index = json.loads(moto.read("images", "zot/zot/team/app/index.json"))
    [entry] = index["manifests"]
    assert entry["digest"] == digest and entry["annotations"] == {REF_NAME: "v1"}
    assert f"zot/zot/team/app/blobs/sha256/{digest.split(':', 1)[1]}" in keys
    assert not any("/.uploads/" in key for key in keys), "finished uploads leave nothing behind"
    assert not list((registry.root_dir).glob("team")), "nothing of the image is written to the local root"

    again = start_registry(OPEN_POLICY, root_dir=tmp_path / "another-local-root", storage=s3_storage(moto, "images"))
    client = again.client()
    assert client.get("/v2/_catalog").json()["repositories"] == ["team/app"]
    assert client.get("/v2/team/app/tags/list").json()["tags"] == ["v1"]
    pulled = tmp_path / "pulled"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{again.host}/team/app:v1", f"oci:{pulled}:copy")
    assert layout_manifest_digest(pulled, "copy") == digest


def test_a_chunked_upload_and_a_ranged_blob_read_work_on_s3(start_registry, moto):
    moto.s3.create_bucket(Bucket="chunks")
    registry = start_registry(OPEN_POLICY, storage=s3_storage(moto, "chunks"))
    client = registry.client()
    import hashlib
    data = os.urandom(6 * 1024 * 1024 + 123)  # more than one 5 MiB multipart part
    started = client.post("/v2/big/blob/blobs/uploads/")
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    half = len(data) // 2
    for start, end in ((0, half), (half, len(data))):
        chunk = client.patch(location, data=data[start:end],
                             headers={"Content-Range": f"{start}-{end - 1}", "Content-Type": "application/octet-stream"})
        assert chunk.status_code == 202, chunk.text
        location = chunk.headers["Location"]
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    finished = client.put(with_query(location, digest=digest))
    assert finished.status_code == 201, finished.text
    ranged = client.get(f"/v2/big/blob/blobs/{digest}", headers={"Range": "bytes=5242870-5242889"})
    assert ranged.status_code == 206 and ranged.content == data[5242870:5242890]
    assert client.get(f"/v2/big/blob/blobs/{digest}").content == data


def test_serve_and_verify_name_a_bucket_that_does_not_exist(moto, tmp_path):
    config = zot_config(free_port(), tmp_path / "root", None, OPEN_POLICY, s3_storage(moto, "no-such-bucket"))
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    verified = subprocess.run([server_binary(), "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert verified.returncode != 0
    assert 'storage.storageDriver: bucket "no-such-bucket"' in verified.stderr, verified.stderr
    served = subprocess.run([server_binary(), "serve", str(path)], capture_output=True, text=True, timeout=60)
    assert served.returncode != 0
    assert "no-such-bucket" in served.stderr + served.stdout


def test_oras_chunked_artifacts_and_referrers_round_trip_on_s3(start_registry, moto, tmp_path, monkeypatch):
    from oras.oci import Subject
    from test_oras_roundtrip import ARTIFACT_TYPE, oras_client, pull_file, push_file, write_payload
    from registry_client import OCI_MANIFEST
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no stored docker credentials
    moto.s3.create_bucket(Bucket="artifacts")
    registry = start_registry(OPEN_POLICY, storage=s3_storage(moto, "artifacts"))
    client = oras_client(registry)
    payload = write_payload(tmp_path / "in", "chunked.bin", 100_000)
    target = f"{registry.host}/e2e/oras/chunked:v1"
    response = push_file(client, target, payload, do_chunked=True, chunk_size=16 * 1024)
    assert response.status_code == 201, response.text
    assert pull_file(client, target, tmp_path / "out", "chunked.bin") == payload.read_bytes()

    subject_digest = response.headers["Docker-Content-Digest"]
    size = int(registry.client().head(f"/v2/e2e/oras/chunked/manifests/{subject_digest}",
                                      headers={"Accept": OCI_MANIFEST}).headers["Content-Length"])
    signature = write_payload(tmp_path / "sig", "signature.bin", 512)
    attached = push_file(client, f"{registry.host}/e2e/oras/chunked:sig", signature,
                         subject=Subject(mediaType=OCI_MANIFEST, digest=subject_digest, size=size))
    assert attached.status_code == 201, attached.text
    referrers = registry.client().get(f"/v2/e2e/oras/chunked/referrers/{subject_digest}").json()["manifests"]
    assert [entry["artifactType"] for entry in referrers] == [ARTIFACT_TYPE]
    assert "zot/zot/e2e/oras/chunked/index.json" in moto.keys("artifacts")
