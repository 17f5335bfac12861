"""storage.retention end to end: skopeo pushes, the retention dry-run command, and GC applying the same decisions."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import OPEN_POLICY, build_oci_image, free_port, server_binary, stop_process, zot_config
from registry_client import OCI_CONFIG, OCI_LAYER, RegistryClient, canonical_json, descriptor, sha256_digest

pytestmark = pytest.mark.zot_only

REPO = "team/app"
TAGS = ["v1", "v2", "v3", "v4", "v5", "v6"]


def retention_config(port: int, root: Path, audit: Path, dry_run: bool) -> dict:
    config = zot_config(port, root, None, OPEN_POLICY, storage={
        "gc": True, "gcDelay": "1s", "gcInterval": "2s",
        "retention": {"dryRun": dry_run, "delay": "1s", "policies": [{
            "repositories": ["**"], "deleteUntagged": True,
            "keepTags": [{"patterns": ["^latest$"]}, {"mostRecentlyPushedCount": 3}],
        }]},
    })
    config["log"] = {"level": "info", "audit": str(audit)}
    return config


class Server:
    def __init__(self, workdir: Path, config: dict):
        self.port = int(config["http"]["port"])
        self.config_path = workdir / "config.json"
        self.config_path.write_text(json.dumps(config))
        self.log = workdir / "server.log"
        with self.log.open("ab") as output:
            self.process = subprocess.Popen([str(server_binary()), "serve", str(self.config_path)], stdout=output,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                requests.get(f"http://127.0.0.1:{self.port}/v2/", timeout=1)
                return
            except requests.exceptions.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_process(self.process)


def layer_digests(layout: Path, tag: str) -> list[str]:
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = next(d["digest"] for d in index["manifests"]
                           if d.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    manifest = json.loads((layout / "blobs/sha256" / manifest_digest.split(":")[1]).read_text())
    return [layer["digest"] for layer in manifest["layers"]]


def blob_exists(root: Path, digest: str) -> bool:
    return (root / REPO / "blobs/sha256" / digest.split(":")[1]).exists()


def push_fixture(server: Server, skopeo, tmp_path: Path) -> tuple[dict[str, list[str]], str, str]:
    """latest first (so it is the oldest push), then v1…v6, then one manifest pushed by digest (untagged)."""
    layers: dict[str, list[str]] = {}
    for tag in ["latest", *TAGS]:
        layout = build_oci_image(tmp_path, {f"{tag}.txt": f"content of {tag}\n".encode()}, tag=tag)
        layers[tag] = layer_digests(layout, tag)
        skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:{tag}", f"docker://{server.host}/{REPO}:{tag}")
        time.sleep(0.05)
    client = RegistryClient(f"http://{server.host}")
    config = canonical_json({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})
    layer = b"untagged layer"
    client.upload_blob(REPO, config)
    client.upload_blob(REPO, layer)
    body = canonical_json({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": descriptor(OCI_CONFIG, config), "layers": [descriptor(OCI_LAYER, layer)]})
    untagged = sha256_digest(body)
    assert client.put_manifest(REPO, untagged, body).status_code == 201
    return layers, untagged, sha256_digest(layer)


def run_retention(config: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(server_binary()), "retention", str(config), *extra], capture_output=True, text=True, timeout=60)


def test_retention_keeps_latest_and_the_three_newest_the_dry_run_command_agrees_and_gc_reclaims_the_rest(skopeo, tmp_path):
    root, audit = tmp_path / "root", tmp_path / "audit.log"
    port = free_port()
    dry = Server(tmp_path, retention_config(port, root, audit, dry_run=True))
    try:
        layers, untagged, untagged_layer = push_fixture(dry, skopeo, tmp_path)
        time.sleep(3)  # at least one dry-run GC pass
    finally:
        dry.stop()  # flushes the recorded push times
    for tag in ["latest", *TAGS]:
        assert all(blob_exists(root, digest) for digest in layers[tag]), f"the dry run deleted a blob of {tag}"
    dry_lines = [json.loads(line) for line in audit.read_text().splitlines() if '"gc-dry-run"' in line]
    assert any(line["path"].endswith("/manifests/v1") for line in dry_lines), dry_lines

    listing = run_retention(dry.config_path, "--json")
    assert listing.returncode == 0, listing.stderr
    [store] = json.loads(listing.stdout)["stores"]
    [repository] = store["repositories"]
    decisions = {d["tag"] or d["digest"]: d for d in repository["decisions"]}
    for tag in ["v1", "v2", "v3"]:
        assert decisions[tag]["decision"] == "delete", decisions[tag]
    assert decisions["latest"]["rule"] == "retention.policies[0].keepTags[0].patterns"
    for tag in ["v4", "v5", "v6"]:
        assert decisions[tag] == {**decisions[tag], "decision": "keep",
                                  "rule": "retention.policies[0].keepTags[1].mostRecentlyPushedCount"}
    assert decisions[untagged]["decision"] == "delete" and decisions[untagged]["rule"] == "retention.policies[0].deleteUntagged"
    assert decisions["v1"]["pushedAt"] <= decisions["v6"]["pushedAt"] and decisions["v6"]["pulledAt"] is None, decisions["v6"]
    assert decisions["v6"]["pushedBy"] is None, "pushed anonymously"
    text = run_retention(dry.config_path, "--repo", "team/**")
    assert text.returncode == 0 and f"{REPO} v1 deleted retention.policies[0].keepTags" in text.stdout, text.stdout
    assert run_retention(dry.config_path, "--repo", "other/**").stdout.count("\n") == 1, "only the summary line"

    applied = Server(tmp_path, retention_config(port, root, audit, dry_run=False))
    try:
        client = RegistryClient(f"http://{applied.host}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            tags = client.get(f"/v2/{REPO}/tags/list").json()["tags"]
            if tags == ["latest", "v4", "v5", "v6"] and not blob_exists(root, untagged_layer):
                break
            time.sleep(0.3)
        assert tags == ["latest", "v4", "v5", "v6"], tags
        for tag in ["v1", "v2", "v3"]:
            assert not any(blob_exists(root, digest) for digest in layers[tag]), f"layers of {tag} were not reclaimed"
        for tag in ["latest", "v4", "v5", "v6"]:
            assert all(blob_exists(root, digest) for digest in layers[tag]), f"a layer of kept {tag} was deleted"
        assert not blob_exists(root, untagged_layer)
        assert client.get(f"/v2/{REPO}/manifests/{untagged}").status_code == 404
        deleted = [json.loads(line) for line in audit.read_text().splitlines() if '"gc-delete"' in line]
        assert {line["path"].rsplit("/", 1)[1] for line in deleted} >= {"v1", "v2", "v3", untagged}
        assert all(line.get("rule") for line in deleted)
    finally:
        applied.stop()
