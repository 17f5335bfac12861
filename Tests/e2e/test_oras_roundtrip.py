"""Push and pull file artifacts with oras-py (monolithic and chunked uploads, subject, Basic auth)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from oras.client import OrasClient
from oras.oci import Subject

from conftest import SIGNED_IN_WRITE_POLICY, USERS
from registry_client import OCI_MANIFEST

ARTIFACT_TYPE = "application/vnd.zot-authz.test.config.v1+json"
FILE_TYPE = "application/vnd.zot-authz.test.file"


@pytest.fixture(autouse=True)
def _isolated_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """oras-py reads ~/.docker/config.json: give it an empty HOME so no stored credentials sneak in."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ORAS_USER", raising=False)
    monkeypatch.delenv("ORAS_PASS", raising=False)


def oras_client(registry, user: str | None = None):
    client = OrasClient(hostname=registry.host, insecure=True, auth_backend="basic")
    if user:
        client.auth.set_basic_auth(user, USERS[user])
    return client


def write_payload(directory: Path, name: str, size: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(os.urandom(size))
    return path


def push_file(client, target: str, path: Path, **kwargs):
    config = path.parent / "artifact-config.json"
    config.write_bytes(b"{}")
    return client.push(target=target, files=[f"{path}:{FILE_TYPE}"], disable_path_validation=True,
                       manifest_config=f"{config}:{ARTIFACT_TYPE}", quiet=True, **kwargs)


def pull_file(client, target: str, outdir: Path, name: str) -> bytes:
    files = client.pull(target=target, outdir=str(outdir))
    assert [Path(f).name for f in files] == [name]
    return Path(files[0]).read_bytes()


def test_file_artifact_pushed_with_an_artifact_type_pulls_back_identical(open_registry, tmp_path):
    client = oras_client(open_registry)
    payload = write_payload(tmp_path / "in", "report.bin", 64 * 1024)
    target = f"{open_registry.host}/e2e/oras/artifact:v1"

    response = push_file(client, target, payload)
    assert response.status_code == 201, response.text

    manifest = client.get_manifest(target)
    assert manifest["config"]["mediaType"] == ARTIFACT_TYPE
    assert manifest["layers"][0]["mediaType"] == FILE_TYPE
    assert pull_file(client, target, tmp_path / "out", "report.bin") == payload.read_bytes()


def test_chunked_upload_of_a_file_artifact_pulls_back_identical(open_registry, tmp_path):
    client = oras_client(open_registry)
    payload = write_payload(tmp_path / "in", "chunked.bin", 100_000)
    target = f"{open_registry.host}/e2e/oras/chunked:v1"

    response = push_file(client, target, payload, do_chunked=True, chunk_size=16 * 1024)
    assert response.status_code == 201, response.text
    assert pull_file(client, target, tmp_path / "out", "chunked.bin") == payload.read_bytes()


@pytest.mark.zot_only
def test_artifact_pushed_with_a_subject_is_listed_by_the_referrers_api(open_registry, tmp_path):
    client = oras_client(open_registry)
    repo = "e2e/oras/with-subject"
    subject_digest, subject_body = open_registry.client().push_image(repo, "app")
    subject = Subject(mediaType=OCI_MANIFEST, digest=subject_digest, size=len(subject_body))

    payload = write_payload(tmp_path / "in", "sbom.json", 512)
    response = push_file(client, f"{open_registry.host}/{repo}:sbom", payload, subject=subject)
    assert response.status_code == 201, response.text
    assert response.headers.get("OCI-Subject") == subject_digest

    referrers = open_registry.client().get(f"/v2/{repo}/referrers/{subject_digest}").json()["manifests"]
    assert [entry["artifactType"] for entry in referrers] == [ARTIFACT_TYPE]
    assert referrers[0]["digest"] == response.headers.get("Docker-Content-Digest")


@pytest.mark.zot_only
def test_signed_in_push_works_and_wrong_or_missing_credentials_are_refused(start_registry, tmp_path):
    registry = start_registry(SIGNED_IN_WRITE_POLICY)
    payload = write_payload(tmp_path / "in", "private.bin", 4096)
    target = f"{registry.host}/e2e/oras/private:v1"

    anonymous = registry.client().post("/v2/e2e/oras/private/blobs/uploads/")
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers.get("WWW-Authenticate", "").startswith("Basic ")

    impostor = oras_client(registry)
    impostor.auth.set_basic_auth("alice", "not-her-password")
    with pytest.raises(ValueError):
        push_file(impostor, target, payload)

    response = push_file(oras_client(registry, "alice"), target, payload)
    assert response.status_code == 201, response.text
    assert pull_file(oras_client(registry), target, tmp_path / "out", "private.bin") == payload.read_bytes()
