"""OCI Distribution Spec 1.1 checks against the live binary, with plain HTTP requests.

Expected statuses and headers follow opencontainers/distribution-spec spec.md (endpoints end-1 … end-14).
Each test works in its own repository of one shared, anonymously writable registry.
"""

from __future__ import annotations

import re

import pytest

from registry_client import (
    EMPTY_JSON, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, RegistryClient, assert_oci_error, canonical_json,
    descriptor, sha256_digest, with_query,
)

UPLOAD_RANGE = re.compile(r"^(?:bytes=)?0-(\d+)$")


@pytest.fixture
def client(open_registry) -> RegistryClient:
    return open_registry.client()


@pytest.fixture
def repo(request: pytest.FixtureRequest) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    return f"conformance/{name}"


def upload_end(response) -> int:
    """The last byte offset an upload status reports in its Range header."""
    match = UPLOAD_RANGE.match(response.headers.get("Range", ""))
    assert match, f"bad upload Range header: {response.headers.get('Range')!r}"
    return int(match.group(1))


# Base (end-1)

def test_api_version_check_answers_with_the_registry_version_header(client, open_registry):
    anonymous = client.get("/v2/")
    assert anonymous.status_code in (200, 401), anonymous.text
    assert anonymous.headers.get("Docker-Distribution-API-Version") == "registry/2.0"
    if anonymous.status_code == 401:
        assert anonymous.headers.get("WWW-Authenticate", "").startswith("Basic realm="), "401 without a challenge"
    signed_in = open_registry.client("alice").get("/v2/")
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers.get("Docker-Distribution-API-Version") == "registry/2.0"


def test_empty_basic_credentials_count_as_anonymous(client, repo):
    """skopeo answers a Basic challenge it has no credentials for with `Basic Og==` (":").

    Zot treats that header as no credentials at all (isAuthorizationHeaderEmpty), so anonymous pulls work.
    """
    digest = client.upload_blob(repo, b"readable by anyone")
    response = client.get(f"/v2/{repo}/blobs/{digest}", headers={"Authorization": "Basic Og=="})
    assert response.status_code == 200, response.text


# Blob uploads (end-4a, end-4b, end-5, end-6, end-13, end-14)

def test_monolithic_upload_with_post_then_put_stores_the_blob(client, repo):
    data = b"monolithic blob content"
    digest = sha256_digest(data)
    location = client.start_upload(repo)
    response = client.put(with_query(location, digest=digest), data=data,
                          headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 201, response.text
    assert response.headers.get("Location"), "201 without Location"
    assert response.headers.get("Docker-Content-Digest") == digest
    fetched = client.get(response.headers["Location"])
    assert fetched.status_code == 200 and fetched.content == data


@pytest.mark.zot_only
def test_single_post_with_digest_uploads_the_blob_in_one_request(client, repo):
    data = b"single request upload"
    digest = sha256_digest(data)
    response = client.post(f"/v2/{repo}/blobs/uploads/?digest={digest}", data=data,
                           headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 201, response.text
    assert response.headers.get("Location")
    assert client.get(f"/v2/{repo}/blobs/{digest}").content == data


@pytest.mark.zot_only
def test_chunked_upload_accepts_in_order_chunks_and_rejects_out_of_order_with_416(client, repo):
    data = bytes(range(256)) * 40
    first, second = data[:4000], data[4000:]
    location = client.start_upload(repo)

    response = client.patch(location, data=first, headers={
        "Content-Type": "application/octet-stream", "Content-Range": f"0-{len(first) - 1}"})
    assert response.status_code == 202, response.text
    assert upload_end(response) == len(first) - 1
    location = client.absolute(response.headers["Location"])

    status = client.get(location)
    assert status.status_code == 204
    assert upload_end(status) == len(first) - 1
    assert status.headers.get("Location")

    skipped = client.patch(location, data=second, headers={
        "Content-Type": "application/octet-stream", "Content-Range": f"{len(first) + 10}-{len(data) + 9}"})
    assert skipped.status_code == 416, skipped.text

    response = client.patch(location, data=second, headers={
        "Content-Type": "application/octet-stream", "Content-Range": f"{len(first)}-{len(data) - 1}"})
    assert response.status_code == 202, response.text
    assert upload_end(response) == len(data) - 1
    location = client.absolute(response.headers["Location"])

    closed = client.put(with_query(location, digest=sha256_digest(data)))
    assert closed.status_code == 201, closed.text
    assert client.get(f"/v2/{repo}/blobs/{sha256_digest(data)}").content == data


def test_closing_put_may_carry_the_last_chunk(client, repo):
    data = b"first part|last part"
    location = client.start_upload(repo)
    response = client.patch(location, data=data[:11], headers={
        "Content-Type": "application/octet-stream", "Content-Range": "0-10"})
    assert response.status_code == 202, response.text
    closed = client.put(with_query(client.absolute(response.headers["Location"]), digest=sha256_digest(data)),
                        data=data[11:], headers={"Content-Type": "application/octet-stream",
                                                 "Content-Range": f"11-{len(data) - 1}"})
    assert closed.status_code == 201, closed.text
    assert client.get(f"/v2/{repo}/blobs/{sha256_digest(data)}").content == data


def test_upload_whose_content_does_not_match_the_digest_is_rejected(client, repo):
    location = client.start_upload(repo)
    response = client.put(with_query(location, digest=sha256_digest(b"something else")), data=b"actual bytes",
                          headers={"Content-Type": "application/octet-stream"})
    assert_oci_error(response, 400, "DIGEST_INVALID")
    assert client.head(f"/v2/{repo}/blobs/{sha256_digest(b'actual bytes')}").status_code == 404


def test_cancelled_upload_is_gone(client, repo):
    location = client.start_upload(repo)
    response = client.delete(location)
    assert response.status_code == 204, response.text
    assert_oci_error(client.get(location), 404, "BLOB_UPLOAD_UNKNOWN")


@pytest.mark.zot_only
def test_unknown_upload_session_is_404_blob_upload_unknown(client, repo):
    client.upload_blob(repo, b"make the repository exist")
    response = client.patch(f"/v2/{repo}/blobs/uploads/6f1c1d7e-0000-4000-8000-000000000000", data=b"x",
                            headers={"Content-Type": "application/octet-stream", "Content-Range": "0-0"})
    assert_oci_error(response, 404, "BLOB_UPLOAD_UNKNOWN")


# Blob reads and deletes (end-2, end-10)

def test_blob_head_and_get_report_length_and_digest(client, repo):
    data = b"head and get me"
    digest = client.upload_blob(repo, data)
    head = client.head(f"/v2/{repo}/blobs/{digest}")
    assert head.status_code == 200
    assert head.headers.get("Content-Length") == str(len(data))
    assert head.headers.get("Docker-Content-Digest") == digest
    assert head.content == b""
    get = client.get(f"/v2/{repo}/blobs/{digest}")
    assert get.status_code == 200 and get.content == data
    assert get.headers.get("Docker-Content-Digest") == digest


def test_blob_get_with_range_returns_206_and_the_slice(client, repo):
    data = bytes(range(100))
    digest = client.upload_blob(repo, data)
    response = client.get(f"/v2/{repo}/blobs/{digest}", headers={"Range": "bytes=10-19"})
    assert response.status_code == 206, response.text
    assert response.content == data[10:20]
    assert response.headers.get("Content-Range") == f"bytes 10-19/{len(data)}"


def test_unknown_blob_is_404_blob_unknown(client, repo):
    client.upload_blob(repo, b"make the repository exist")
    response = client.get(f"/v2/{repo}/blobs/{sha256_digest(b'never uploaded')}")
    assert_oci_error(response, 404, "BLOB_UNKNOWN")


def test_blob_delete_answers_202_then_the_blob_is_gone(client, repo):
    digest = client.upload_blob(repo, b"delete me")
    assert client.delete(f"/v2/{repo}/blobs/{digest}").status_code == 202
    assert client.head(f"/v2/{repo}/blobs/{digest}").status_code == 404
    assert client.delete(f"/v2/{repo}/blobs/{digest}").status_code == 404


# Cross-repository mount (end-11)

def test_mount_from_another_repository_answers_201(client, repo):
    data = b"mount me across repositories"
    digest = client.upload_blob(f"{repo}/source", data)
    response = client.post(f"/v2/{repo}/target/blobs/uploads/?mount={digest}&from={repo}/source")
    assert response.status_code == 201, response.text
    assert response.headers.get("Location")
    assert response.headers.get("Docker-Content-Digest") == digest
    assert client.get(f"/v2/{repo}/target/blobs/{digest}").content == data


@pytest.mark.zot_only
def test_mount_without_from_finds_a_blob_the_registry_already_has(client, repo):
    data = b"mount me without from"
    digest = client.upload_blob(f"{repo}/source", data)
    response = client.post(f"/v2/{repo}/target/blobs/uploads/?mount={digest}")
    assert response.status_code == 201, response.text
    assert client.get(f"/v2/{repo}/target/blobs/{digest}").content == data


def test_mount_of_an_unknown_blob_falls_back_to_an_upload_session(client, repo):
    client.upload_blob(f"{repo}/source", b"exists")
    digest = sha256_digest(b"does not exist anywhere")
    response = client.post(f"/v2/{repo}/target/blobs/uploads/?mount={digest}&from={repo}/source")
    assert response.status_code == 202, response.text
    assert response.headers.get("Location")


# Manifests (end-3, end-7, end-9)

def test_manifest_put_by_tag_then_get_and_head_by_tag_and_digest(client, repo):
    digest, body = client.push_image(repo, "v1")
    for reference in ("v1", digest):
        get = client.get(f"/v2/{repo}/manifests/{reference}", headers={"Accept": OCI_MANIFEST})
        assert get.status_code == 200, get.text
        assert get.content == body, "manifest bytes must come back unchanged"
        assert get.headers.get("Content-Type") == OCI_MANIFEST
        assert get.headers.get("Docker-Content-Digest") == digest
        head = client.head(f"/v2/{repo}/manifests/{reference}", headers={"Accept": OCI_MANIFEST})
        assert head.status_code == 200
        assert head.headers.get("Content-Length") == str(len(body))
        assert head.headers.get("Docker-Content-Digest") == digest
        assert head.headers.get("Content-Type") == OCI_MANIFEST


def test_manifest_put_answers_201_with_location_and_digest(client, repo):
    config = canonical_json({"architecture": "amd64", "os": "linux"})
    client.upload_blob(repo, config)
    body = canonical_json({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": descriptor("application/vnd.oci.image.config.v1+json", config), "layers": []})
    response = client.put_manifest(repo, "latest", body)
    assert response.status_code == 201, response.text
    assert response.headers.get("Location")
    assert response.headers.get("Docker-Content-Digest") == sha256_digest(body)


def test_manifest_put_by_digest_is_stored_under_that_digest(client, repo):
    config = canonical_json({"architecture": "arm64", "os": "linux"})
    client.upload_blob(repo, config)
    body = canonical_json({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": descriptor("application/vnd.oci.image.config.v1+json", config), "layers": []})
    digest = sha256_digest(body)
    response = client.put_manifest(repo, digest, body)
    assert response.status_code == 201, response.text
    assert client.get(f"/v2/{repo}/manifests/{digest}", headers={"Accept": OCI_MANIFEST}).content == body


def test_manifest_put_by_a_digest_that_does_not_match_the_body_is_rejected(client, repo):
    config = canonical_json({"architecture": "amd64"})
    client.upload_blob(repo, config)
    body = canonical_json({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": descriptor("application/vnd.oci.image.config.v1+json", config), "layers": []})
    response = client.put_manifest(repo, sha256_digest(b"another manifest"), body)
    assert response.status_code == 400, response.text


def test_malformed_manifest_is_400_manifest_invalid(client, repo):
    response = client.put_manifest(repo, "broken", b"{this is not json")
    assert_oci_error(response, 400, "MANIFEST_INVALID")
    assert response.headers.get("Content-Type", "").startswith("application/json")


def test_manifest_referencing_a_missing_blob_is_400_manifest_blob_unknown(client, repo):
    config = canonical_json({"architecture": "amd64"})
    client.upload_blob(repo, config)
    body = canonical_json({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": descriptor("application/vnd.oci.image.config.v1+json", config),
                           "layers": [descriptor("application/vnd.oci.image.layer.v1.tar", b"never uploaded")]})
    assert_oci_error(client.put_manifest(repo, "v1", body), 400, "MANIFEST_BLOB_UNKNOWN")


def test_unknown_manifest_is_404_manifest_unknown(client, repo):
    client.push_image(repo, "exists")
    assert_oci_error(client.get(f"/v2/{repo}/manifests/missing"), 404, "MANIFEST_UNKNOWN")
    assert_oci_error(client.get(f"/v2/{repo}/manifests/{sha256_digest(b'nope')}"), 404, "MANIFEST_UNKNOWN")


def test_manifest_in_an_unknown_repository_is_404(client, repo):
    response = client.get(f"/v2/{repo}/never-pushed/manifests/latest")
    assert response.status_code == 404


def test_manifest_delete_by_digest_answers_202_and_removes_it(client, repo):
    digest, _ = client.push_image(repo, "doomed")
    assert client.delete(f"/v2/{repo}/manifests/{digest}").status_code == 202
    assert client.get(f"/v2/{repo}/manifests/{digest}").status_code == 404
    assert client.get(f"/v2/{repo}/manifests/doomed").status_code == 404
    assert client.delete(f"/v2/{repo}/manifests/{digest}").status_code == 404


@pytest.mark.zot_only
def test_tag_delete_answers_202_and_keeps_the_manifest(client, repo):
    digest, _ = client.push_image(repo, "v1")
    assert client.delete(f"/v2/{repo}/manifests/v1").status_code == 202
    assert client.get(f"/v2/{repo}/manifests/v1").status_code == 404
    assert client.get(f"/v2/{repo}/manifests/{digest}").status_code == 200


# Tags and catalog (end-8a, end-8b)

@pytest.mark.zot_only
def test_tags_list_is_sorted_and_paginates_with_n_last_and_link(client, repo):
    for tag in ("v3", "v1", "v5", "v2", "v4"):
        client.push_image(repo, tag, layers=[b"same layer"])
    everything = client.get(f"/v2/{repo}/tags/list")
    assert everything.status_code == 200
    assert everything.json() == {"name": repo, "tags": ["v1", "v2", "v3", "v4", "v5"]}

    pages, url = [], f"/v2/{repo}/tags/list?n=2"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(response.json()["tags"])
        link = response.headers.get("Link")
        if link:
            match = re.match(r'^<([^>]+)>;\s*rel="next"$', link)
            assert match, f"malformed Link header {link!r}"
            assert "n=2" in match.group(1) and "last=" in match.group(1)
        url = match.group(1) if link else None
        assert len(pages) < 10, "pagination does not end"
    assert pages == [["v1", "v2"], ["v3", "v4"], ["v5"]]


@pytest.mark.zot_only
def test_tags_list_with_last_starts_after_that_tag(client, repo):
    for tag in ("a", "b", "c"):
        client.push_image(repo, tag, layers=[b"shared"])
    assert client.get(f"/v2/{repo}/tags/list?last=a").json()["tags"] == ["b", "c"]


@pytest.mark.zot_only
def test_tags_list_with_n_zero_is_empty_and_has_no_link(client, repo):
    client.push_image(repo, "only")
    response = client.get(f"/v2/{repo}/tags/list?n=0")
    assert response.status_code == 200
    assert response.json()["tags"] == []
    assert "Link" not in response.headers


def test_tags_list_of_an_unknown_repository_is_404(client, repo):
    assert_oci_error(client.get(f"/v2/{repo}/tags/list"), 404, "NAME_UNKNOWN")


def test_catalog_lists_repositories_in_order_across_pages(client, repo):
    names = [f"{repo}/r{i}" for i in range(3)]
    for name in names:
        client.push_image(name, "t")
    seen, url = [], "/v2/_catalog?n=2"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        page = response.json()["repositories"]
        assert len(page) <= 2
        seen.extend(page)
        link = response.headers.get("Link")
        url = re.match(r'^<([^>]+)>;\s*rel="next"$', link).group(1) if link else None
        assert len(seen) < 1000, "pagination does not end"
    assert seen == sorted(seen)
    assert set(names) <= set(seen)


# Referrers (end-12a, end-12b)

@pytest.mark.zot_only
def test_referrers_lists_manifests_with_subject_and_filters_by_artifact_type(client, repo):
    subject_digest, subject_body = client.push_image(repo, "app")
    subject = descriptor(OCI_MANIFEST, subject_body)
    client.upload_blob(repo, EMPTY_JSON)

    sbom_body = canonical_json({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example.sbom.v1",
        "config": descriptor(OCI_EMPTY, EMPTY_JSON), "layers": [descriptor(OCI_EMPTY, EMPTY_JSON)],
        "subject": subject, "annotations": {"org.example.format": "spdx"}})
    pushed = client.put_manifest(repo, sha256_digest(sbom_body), sbom_body)
    assert pushed.status_code == 201, pushed.text
    assert pushed.headers.get("OCI-Subject") == subject_digest

    signature_config = b'{"signer":"alice"}'
    client.upload_blob(repo, signature_config)
    signature_body = canonical_json({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor("application/vnd.example.signature.config.v1+json", signature_config),
        "layers": [descriptor(OCI_EMPTY, EMPTY_JSON)], "subject": subject})
    assert client.put_manifest(repo, sha256_digest(signature_body), signature_body).status_code == 201

    response = client.get(f"/v2/{repo}/referrers/{subject_digest}")
    assert response.status_code == 200, response.text
    assert response.headers.get("Content-Type") == OCI_INDEX
    index = response.json()
    assert index["schemaVersion"] == 2 and index.get("mediaType") == OCI_INDEX
    by_digest = {entry["digest"]: entry for entry in index["manifests"]}
    assert set(by_digest) == {sha256_digest(sbom_body), sha256_digest(signature_body)}
    sbom = by_digest[sha256_digest(sbom_body)]
    assert sbom["artifactType"] == "application/vnd.example.sbom.v1"
    assert sbom["annotations"] == {"org.example.format": "spdx"}
    assert sbom["size"] == len(sbom_body) and sbom["mediaType"] == OCI_MANIFEST
    signature = by_digest[sha256_digest(signature_body)]
    assert signature["artifactType"] == "application/vnd.example.signature.config.v1+json", "falls back to config type"

    filtered = client.get(f"/v2/{repo}/referrers/{subject_digest}?artifactType=application/vnd.example.sbom.v1")
    assert filtered.status_code == 200
    assert filtered.headers.get("OCI-Filters-Applied") == "artifactType"
    assert [entry["digest"] for entry in filtered.json()["manifests"]] == [sha256_digest(sbom_body)]


@pytest.mark.zot_only
def test_referrers_of_a_digest_nobody_refers_to_is_an_empty_index(client, repo):
    client.push_image(repo, "lonely")
    response = client.get(f"/v2/{repo}/referrers/{sha256_digest(b'nobody refers to me')}")
    assert response.status_code == 200, response.text
    assert response.json()["manifests"] == []


@pytest.mark.zot_only
def test_referrers_with_a_malformed_digest_is_400(client, repo):
    client.push_image(repo, "x")
    assert client.get(f"/v2/{repo}/referrers/sha256:not-hex").status_code == 400


# Names

@pytest.mark.zot_only
@pytest.mark.parametrize("path", [
    "/v2/UPPER/tags/list",
    "/v2/a/../b/tags/list",
    "/v2/a/%2e%2e/b/tags/list",
    "/v2/a..b/tags/list",
    "/v2/-leading/tags/list",
    "/v2/UPPER/manifests/latest",
    "/v2/UPPER/blobs/uploads/",
])
def test_invalid_repository_names_are_400_name_invalid(client, path):
    method = "POST" if path.endswith("/uploads/") else "GET"
    status, body = client.raw(method, path)
    assert status == 400, f"{method} {path}: {status} {body!r}"
    assert b"NAME_INVALID" in body, body
