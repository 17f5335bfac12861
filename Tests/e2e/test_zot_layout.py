"""Storage in Zot's on-disk format: every repository is an OCI image layout that skopeo reads and writes directly."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess

import pytest

from conftest import OPEN_POLICY, build_oci_image, layout_manifest_digest, server_binary, zot_config, free_port

pytestmark = pytest.mark.zot_only

PLAIN_HTTP = "--tls-verify=false"
REF_NAME = "org.opencontainers.image.ref.name"


def test_a_zot_data_directory_made_by_skopeo_is_served_as_it_is(start_registry, skopeo, tmp_path):
    layout = build_oci_image(tmp_path, {"served.txt": b"served unchanged\n"})
    digest = layout_manifest_digest(layout, "latest")
    root = tmp_path / "zot-root"
    (root / "library").mkdir(parents=True)  # skopeo 1.9 creates only the last directory
    skopeo.run("copy", f"oci:{layout}:latest", f"oci:{root}/library/hello:v1")
    skopeo.run("copy", f"oci:{layout}:latest", f"oci:{root}/top:stable")
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    registry = start_registry(OPEN_POLICY, root_dir=root)
    client = registry.client()
    assert client.get("/v2/_catalog").json()["repositories"] == ["library/hello", "top"]
    assert client.get("/v2/library/hello/tags/list").json()["tags"] == ["v1"]
    inspected = json.loads(skopeo.run("inspect", PLAIN_HTTP, f"docker://{registry.host}/library/hello:v1").stdout)
    assert inspected["Digest"] == digest
    pulled = tmp_path / "pulled"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{registry.host}/top:stable", f"oci:{pulled}:copy")
    assert layout_manifest_digest(pulled, "copy") == digest
    after = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert {k: v for k, v in after.items() if k in before} == before, "serving changed no existing file"


def test_an_image_pushed_through_the_registry_is_an_oci_layout_skopeo_reads_after_shutdown(start_registry, skopeo, tmp_path):
    layout = build_oci_image(tmp_path, {"pushed.txt": b"pushed through zot-authz\n"})
    digest = layout_manifest_digest(layout, "latest")
    root = tmp_path / "root"
    registry = start_registry(OPEN_POLICY, root_dir=root)
    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{registry.host}/team/app:v1")
    registry.stop()

    repository = root / "team/app"
    assert json.loads((repository / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((repository / "index.json").read_text())
    assert index["schemaVersion"] == 2
    [entry] = index["manifests"]
    assert entry["digest"] == digest and entry["annotations"] == {REF_NAME: "v1"}
    assert entry["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert (repository / "blobs/sha256" / digest.split(":", 1)[1]).stat().st_size == entry["size"]

    copied = tmp_path / "copied"
    skopeo.run("copy", f"oci:{repository}:v1", f"oci:{copied}:x")
    assert layout_manifest_digest(copied, "x") == digest


def test_deleting_a_tag_keeps_the_manifest_untagged_in_index_json_as_zot_does(start_registry, tmp_path):
    root = tmp_path / "root"
    registry = start_registry(OPEN_POLICY, root_dir=root)
    client = registry.client()
    config = b'{"architecture":"amd64","os":"linux"}'
    client.upload_blob("app", config)
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": len(config)}, "layers": []}).encode()
    assert client.put_manifest("app", "v1", manifest).status_code == 201
    assert client.delete("/v2/app/manifests/v1").status_code == 202
    index = json.loads((root / "app/index.json").read_text())
    assert [e.get("annotations") for e in index["manifests"]] == [None]
    digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    assert client.get(f"/v2/app/manifests/{digest}",
                      headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).status_code == 200


def _inode(path):
    return path.stat().st_ino


@pytest.mark.parametrize("dedupe", [True, False])
def test_dedupe_shares_one_inode_across_repositories_and_without_it_each_has_a_copy(start_registry, skopeo, tmp_path, dedupe):
    layout = build_oci_image(tmp_path, {"big.txt": b"x" * 200_000})
    digest = layout_manifest_digest(layout, "latest")
    root = tmp_path / "root"
    registry = start_registry(OPEN_POLICY, root_dir=root, storage={"dedupe": dedupe})
    for repo in ("one", "two"):
        skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{registry.host}/{repo}:latest")
    layer = json.loads((root / "one/blobs/sha256" / digest.split(":", 1)[1]).read_text())["layers"][0]["digest"]
    paths = [root / repo / "blobs/sha256" / layer.split(":", 1)[1] for repo in ("one", "two")]
    assert (_inode(paths[0]) == _inode(paths[1])) is dedupe
    client = registry.client()
    refused = client.delete(f"/v2/one/blobs/{layer}")
    assert refused.status_code == 405 and refused.json()["errors"][0]["code"] == "DENIED", refused.text
    assert client.delete(f"/v2/one/manifests/{digest}").status_code == 202
    assert client.delete(f"/v2/one/blobs/{layer}").status_code == 202
    assert not paths[0].exists() and paths[1].exists()
    pulled = tmp_path / "pulled"
    skopeo.run("copy", "--src-tls-verify=false", f"docker://{registry.host}/two:latest", f"oci:{pulled}:x")


def test_the_dedupe_index_is_kept_in_the_metadata_database_and_links_after_a_restart(start_registry, skopeo, tmp_path):
    layout = build_oci_image(tmp_path, {"shared.txt": b"y" * 100_000})
    digest = layout_manifest_digest(layout, "latest")
    root = tmp_path / "root"
    first = start_registry(OPEN_POLICY, root_dir=root)
    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{first.host}/one:latest")
    first.stop()
    layer = json.loads((root / "one/blobs/sha256" / digest.split(":", 1)[1]).read_text())["layers"][0]["digest"]
    with sqlite3.connect(root / "metadata/zot-authz.db") as database:
        rows = database.execute("SELECT path FROM dedupe_paths WHERE scope = 'storage' AND digest = ?", (layer,)).fetchall()
        assert rows == [(f"/one/blobs/sha256/{layer.split(':', 1)[1]}",)]

    again = start_registry(OPEN_POLICY, root_dir=root)
    skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{again.host}/three:latest")
    paths = [root / repo / "blobs/sha256" / layer.split(":", 1)[1] for repo in ("one", "three")]
    assert _inode(paths[0]) == _inode(paths[1])


def test_a_root_in_the_earlier_zot_authz_layout_is_refused_at_startup_with_what_to_do(tmp_path):
    root = tmp_path / "old-root"
    (root / "repositories/app/_tags").mkdir(parents=True)
    (root / "repositories/app/_tags/latest").write_text("sha256:" + "a" * 64)
    (root / "blobs/sha256/aa").mkdir(parents=True)
    (root / "uploads").mkdir()
    config = tmp_path / "config.json"
    config.write_text(json.dumps(zot_config(free_port(), root, None, OPEN_POLICY)))
    result = subprocess.run([str(server_binary()), "serve", str(config)], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "earlier private layout" in output and "skopeo copy" in output, output


def test_a_malformed_tag_in_a_manifest_get_or_head_is_404_manifest_unknown(start_registry, tmp_path):
    registry = start_registry(OPEN_POLICY, root_dir=tmp_path / "root")
    client = registry.client()
    for method in ("GET", "HEAD"):
        response = client.request(method, "/v2/app/manifests/.INVALID_MANIFEST_NAME")
        assert response.status_code == 404, (method, response.text)
        if method == "GET":
            assert response.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"


def test_sub_paths_route_by_the_first_segment_to_their_own_root_as_zot_does(start_registry, tmp_path):
    root, sub = tmp_path / "main", tmp_path / "sub-a"
    storage = {"subPaths": {"/a": {"rootDirectory": str(sub), "dedupe": False}}}
    registry = start_registry(OPEN_POLICY, root_dir=root, storage=storage)
    client = registry.client()
    for repo in ("a/x/y", "alpine", "b/app"):
        client.upload_blob(repo, repo.encode())
        config = b'{"architecture":"amd64","os":"linux"}'
        client.upload_blob(repo, config)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
                                          "size": len(config)}, "layers": []}).encode()
        assert client.put_manifest(repo, "v1", manifest).status_code == 201
    assert (sub / "a/x/y/index.json").exists() and not (root / "a").exists()
    assert (root / "alpine/index.json").exists() and (root / "b/app/index.json").exists()
    assert client.get("/v2/_catalog").json()["repositories"] == ["a/x/y", "alpine", "b/app"]

    config = tmp_path / "verify.json"
    config.write_text(json.dumps(zot_config(free_port(), root, None, OPEN_POLICY, storage)))
    verified = subprocess.run([str(server_binary()), "verify", str(config)], capture_output=True, text=True, timeout=30)
    assert verified.returncode == 0, verified.stderr
    assert f"storage route /a/… → {sub}/a/… (dedupe off" in verified.stdout, verified.stdout
