"""A small OCI Distribution client on `requests` for the end-to-end tests: raw access plus push helpers."""

from __future__ import annotations

import hashlib
import http.client
import json
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
EMPTY_JSON = b"{}"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def descriptor(media_type: str, data: bytes, **extra) -> dict:
    return {"mediaType": media_type, "digest": sha256_digest(data), "size": len(data), **extra}


def with_query(url: str, **params: str) -> str:
    """`url` with `params` added to its query string (the upload Location may already carry a query)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def canonical_json(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


class RegistryClient:
    """Requests against one registry; paths are relative to its base URL, redirects are not followed."""

    def __init__(self, base_url: str, auth: tuple[str, str] | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.auth = auth

    def absolute(self, location: str) -> str:
        return urljoin(self.base_url + "/", location)

    def request(self, method: str, path_or_url: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.absolute(path_or_url), **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs) -> requests.Response:
        return self.request("HEAD", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def raw(self, method: str, path: str) -> tuple[int, bytes]:
        """Sends `path` byte for byte (no dot-segment normalisation); returns status and body."""
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    # Push helpers: each asserts the happy path so a test can build on it.

    def start_upload(self, repo: str) -> str:
        response = self.post(f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
        assert response.status_code == 202, f"POST upload: {response.status_code} {response.text}"
        assert "Location" in response.headers, "POST upload: no Location header"
        return self.absolute(response.headers["Location"])

    def upload_blob(self, repo: str, data: bytes) -> str:
        """Monolithic POST + PUT; returns the digest."""
        digest = sha256_digest(data)
        location = self.start_upload(repo)
        response = self.put(with_query(location, digest=digest), data=data,
                            headers={"Content-Type": "application/octet-stream"})
        assert response.status_code == 201, f"PUT blob: {response.status_code} {response.text}"
        return digest

    def put_manifest(self, repo: str, reference: str, manifest: dict | bytes,
                     media_type: str = OCI_MANIFEST) -> requests.Response:
        body = manifest if isinstance(manifest, bytes) else canonical_json(manifest)
        return self.put(f"/v2/{repo}/manifests/{reference}", data=body, headers={"Content-Type": media_type})

    def push_image(self, repo: str, reference: str, layers: list[bytes] | None = None, config: bytes | None = None,
                   config_media_type: str = OCI_CONFIG, artifact_type: str | None = None,
                   subject: dict | None = None, annotations: dict | None = None) -> tuple[str, bytes]:
        """Uploads blobs and a manifest; returns (manifest digest, manifest bytes)."""
        config = config if config is not None else canonical_json({"architecture": "amd64", "os": "linux",
                                                                    "rootfs": {"type": "layers", "diff_ids": []}})
        layers = layers if layers is not None else [b"layer of " + reference.encode()]
        self.upload_blob(repo, config)
        for layer in layers:
            self.upload_blob(repo, layer)
        manifest: dict = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": descriptor(config_media_type, config),
            "layers": [descriptor(OCI_LAYER, layer) for layer in layers],
        }
        if artifact_type:
            manifest["artifactType"] = artifact_type
        if subject:
            manifest["subject"] = subject
        if annotations:
            manifest["annotations"] = annotations
        body = canonical_json(manifest)
        response = self.put_manifest(repo, reference, body)
        assert response.status_code == 201, f"PUT manifest: {response.status_code} {response.text}"
        return sha256_digest(body), body


def oci_error_codes(response: requests.Response) -> list[str]:
    """The `code`s of an OCI error body `{"errors":[{"code",...}]}`; fails on any other shape."""
    body = response.json()
    assert isinstance(body.get("errors"), list) and body["errors"], f"not an OCI error body: {response.text}"
    for error in body["errors"]:
        assert isinstance(error.get("code"), str), f"error without code: {response.text}"
    return [error["code"] for error in body["errors"]]


def assert_oci_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code}: {response.text}"
    assert code in oci_error_codes(response), f"expected {code}, got {response.text}"
