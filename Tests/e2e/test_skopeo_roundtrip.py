"""Push, inspect, pull, list and delete real images with skopeo (images built daemonless with umoci)."""

from __future__ import annotations

import hashlib
import json
import pytest

from conftest import SIGNED_IN_WRITE_POLICY, USERS, build_oci_image, layout_manifest_digest
from registry_client import OCI_INDEX, canonical_json, sha256_digest

PLAIN_HTTP = "--tls-verify=false"


def test_image_survives_push_inspect_pull_list_and_delete(open_registry, skopeo, tmp_path):
    layout = build_oci_image(tmp_path, {"hello.txt": b"hello from the e2e test\n"})
    pushed_digest = layout_manifest_digest(layout, "latest")
    image = f"docker://{open_registry.host}/e2e/skopeo/hello:v1"

    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", image)

    inspected = json.loads(skopeo.run("inspect", PLAIN_HTTP, image).stdout)
    assert inspected["Digest"] == pushed_digest
    assert inspected["RepoTags"] == ["v1"]
    raw = skopeo.run("inspect", PLAIN_HTTP, "--raw", image).stdout.encode()
    assert sha256_digest(raw) == pushed_digest

    pulled = tmp_path / "pulled"
    skopeo.run("copy", "--src-tls-verify=false", image, f"oci:{pulled}:copy")
    assert layout_manifest_digest(pulled, "copy") == pushed_digest
    layer = json.loads(raw)["layers"][0]
    layer_bytes = (pulled / "blobs/sha256" / layer["digest"].split(":", 1)[1]).read_bytes()
    assert "sha256:" + hashlib.sha256(layer_bytes).hexdigest() == layer["digest"]

    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest",
               f"docker://{open_registry.host}/e2e/skopeo/hello:v2")
    tags = json.loads(skopeo.run("list-tags", PLAIN_HTTP, f"docker://{open_registry.host}/e2e/skopeo/hello").stdout)
    assert sorted(tags["Tags"]) == ["v1", "v2"]

    skopeo.run("delete", PLAIN_HTTP, image)
    gone = skopeo.run("inspect", PLAIN_HTTP, image, check=False)
    assert gone.returncode != 0
    assert "manifest unknown" in gone.stderr.lower() or "not found" in gone.stderr.lower(), gone.stderr


def test_same_image_pushed_to_a_second_repository_where_skopeo_tries_a_mount(open_registry, skopeo, tmp_path):
    layout = build_oci_image(tmp_path, {"same.txt": b"same content\n"})
    for repo in ("e2e/skopeo/first", "e2e/skopeo/second"):
        skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest",
                   f"docker://{open_registry.host}/{repo}:latest")
    for repo in ("e2e/skopeo/first", "e2e/skopeo/second"):
        inspected = json.loads(skopeo.run("inspect", PLAIN_HTTP, f"docker://{open_registry.host}/{repo}:latest").stdout)
        assert inspected["Digest"] == layout_manifest_digest(layout, "latest")


def test_multi_arch_index_copies_with_all_platforms(open_registry, skopeo, tmp_path):
    layout = build_oci_image(tmp_path, {"arch.txt": b"amd64\n"}, tag="amd64", architecture="amd64")
    build_oci_image(tmp_path, {"arch.txt": b"arm64\n"}, tag="arm64", architecture="arm64")
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    for arch in ("amd64", "arm64"):
        digest = layout_manifest_digest(layout, arch)
        size = (layout / "blobs/sha256" / digest.split(":", 1)[1]).stat().st_size
        index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                                   "size": size, "platform": {"architecture": arch, "os": "linux"}})
    index_body = canonical_json(index)
    index_digest = sha256_digest(index_body)
    (layout / "blobs/sha256" / index_digest.split(":", 1)[1]).write_bytes(index_body)
    layout_index = json.loads((layout / "index.json").read_text())
    layout_index["manifests"].append({"mediaType": OCI_INDEX, "digest": index_digest, "size": len(index_body),
                                      "annotations": {"org.opencontainers.image.ref.name": "multi"}})
    (layout / "index.json").write_text(json.dumps(layout_index))

    image = f"docker://{open_registry.host}/e2e/skopeo/multi:latest"
    skopeo.run("copy", "--all", "--dest-tls-verify=false", f"oci:{layout}:multi", image)

    # skopeo re-serialises an index it copies, so compare what it lists rather than its bytes.
    pushed_index = json.loads(skopeo.run("inspect", PLAIN_HTTP, "--raw", image).stdout)
    assert pushed_index.get("mediaType") == OCI_INDEX
    assert {(m["digest"], m["platform"]["architecture"]) for m in pushed_index["manifests"]} == \
        {(m["digest"], m["platform"]["architecture"]) for m in index["manifests"]}
    for arch in ("amd64", "arm64"):
        chosen = json.loads(skopeo.run("inspect", PLAIN_HTTP, "--override-arch", arch, image).stdout)
        assert chosen["Architecture"] == arch
        digest = layout_manifest_digest(layout, arch)
        by_digest = f"docker://{open_registry.host}/e2e/skopeo/multi@{digest}"
        assert sha256_digest(skopeo.run("inspect", PLAIN_HTTP, "--raw", by_digest).stdout.encode()) == digest


@pytest.mark.zot_only
def test_push_needs_credentials_when_only_signed_in_users_may_write(start_registry, skopeo, tmp_path):
    registry = start_registry(SIGNED_IN_WRITE_POLICY)
    layout = build_oci_image(tmp_path, {"secret.txt": b"guarded\n"})
    image = f"docker://{registry.host}/e2e/guarded:v1"

    anonymous = skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", image, check=False)
    assert anonymous.returncode != 0, "anonymous push must be refused"

    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"alice:{USERS['alice']}",
               f"oci:{layout}:latest", image)
    wrong = skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", "alice:not-her-password",
                       f"oci:{layout}:latest", f"docker://{registry.host}/e2e/guarded:v2", check=False)
    assert wrong.returncode != 0, "a wrong password must be refused"

    inspected = json.loads(skopeo.run("inspect", PLAIN_HTTP, image).stdout)
    assert inspected["Digest"] == layout_manifest_digest(layout, "latest")
