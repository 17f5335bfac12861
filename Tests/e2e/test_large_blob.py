"""A 1 GiB blob streams up (two chunked PATCHes) and down with the server's memory staying flat.

Skip with E2E_SKIP_LARGE=1; change the size with E2E_LARGE_BLOB_MIB (default 1024).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import struct
import time

import pytest

from conftest import OPEN_POLICY, RegistryFactory
from registry_client import with_query

MIB = 1024 * 1024
BLOB_SIZE = int(os.environ.get("E2E_LARGE_BLOB_MIB", "1024")) * MIB
PEAK_RSS_LIMIT_MIB = 300
BLOCK = MIB

pytestmark = pytest.mark.skipif(os.environ.get("E2E_SKIP_LARGE") == "1", reason="E2E_SKIP_LARGE=1")


class PatternSource:
    """Deterministic bytes, 1 MiB blocks that all differ, hashed as they are produced."""

    def __init__(self, size: int, seed: int = 7):
        self.size = size
        self.produced = 0
        self.hasher = hashlib.sha256()
        self._base = random.Random(seed).randbytes(BLOCK)
        self._block = b""
        self._block_offset = 0

    def read(self, limit: int) -> bytes:
        limit = min(limit, self.size - self.produced)
        if limit <= 0:
            return b""
        if self._block_offset == len(self._block):
            index = self.produced // BLOCK
            self._block = struct.pack(">Q", index) + self._base[8:]
            self._block_offset = 0
        piece = self._block[self._block_offset:self._block_offset + limit]
        self._block_offset += len(piece)
        self.produced += len(piece)
        self.hasher.update(piece)
        return piece

    @property
    def digest(self) -> str:
        assert self.produced == self.size, "digest asked before every byte was produced"
        return "sha256:" + self.hasher.hexdigest()


class Window:
    """The next `length` bytes of a PatternSource as a request body of known length, sent 1 MiB at a time.

    requests sends an iterable with a length as a streamed body with that Content-Length.
    """

    def __init__(self, source: PatternSource, length: int):
        self.source = source
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        remaining = self.length
        while remaining > 0:
            piece = self.source.read(min(BLOCK, remaining))
            remaining -= len(piece)
            yield piece


@pytest.fixture(scope="module")
def large_registry(tmp_path_factory: pytest.TempPathFactory):
    factory = RegistryFactory(tmp_path_factory.mktemp("large-blob"))
    server = factory.start(OPEN_POLICY)
    yield server
    factory.stop_all()
    shutil.rmtree(server.root_dir, ignore_errors=True)


def test_one_gib_blob_streams_up_and_down_with_flat_server_memory(large_registry, record_property):
    client = large_registry.client()
    repo = "e2e/large"
    before = large_registry.memory_kib()
    source = PatternSource(BLOB_SIZE)
    started = time.monotonic()

    location = client.start_upload(repo)
    half = BLOB_SIZE // 2
    for start, length in ((0, half), (half, BLOB_SIZE - half)):
        response = client.patch(location, data=Window(source, length), timeout=(10, 300), headers={
            "Content-Type": "application/octet-stream", "Content-Range": f"{start}-{start + length - 1}"})
        assert response.status_code == 202, response.text
        location = client.absolute(response.headers["Location"])
    digest = source.digest
    closed = client.put(with_query(location, digest=digest), timeout=(10, 300))
    assert closed.status_code == 201, closed.text
    uploaded = time.monotonic()
    after_upload = large_registry.memory_kib()

    head = client.head(f"/v2/{repo}/blobs/{digest}")
    assert head.status_code == 200 and head.headers.get("Content-Length") == str(BLOB_SIZE)

    hasher, received = hashlib.sha256(), 0
    with client.get(f"/v2/{repo}/blobs/{digest}", stream=True, timeout=(10, 300)) as response:
        assert response.status_code == 200, response.text
        for chunk in response.iter_content(chunk_size=MIB):
            hasher.update(chunk)
            received += len(chunk)
    downloaded = time.monotonic()
    after_download = large_registry.memory_kib()

    assert received == BLOB_SIZE
    assert "sha256:" + hasher.hexdigest() == digest

    mib = BLOB_SIZE / MIB
    summary = (f"{mib:.0f} MiB up {mib / (uploaded - started):.0f} MiB/s, "
               f"down {mib / (downloaded - uploaded):.0f} MiB/s; "
               f"server RSS KiB before {before}, after upload {after_upload}, after download {after_download}")
    record_property("large_blob", summary)
    print(summary)
    assert after_download["VmHWM"] < PEAK_RSS_LIMIT_MIB * 1024, f"server memory is not flat: {summary}"
