"""extensions.scrub and extensions.lint end to end, with skopeo- and umoci-made images."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import OPEN_POLICY, build_oci_image, free_port, server_binary, stop_process, zot_config

pytestmark = pytest.mark.zot_only

VENDOR = "org.opencontainers.image.vendor"


def start(tmp_path: Path, config: dict, name: str) -> tuple[subprocess.Popen, Path]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    log = tmp_path / f"{name}.log"
    with log.open("ab") as output:
        process = subprocess.Popen([str(server_binary()), "serve", str(path)], stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    port = config["http"]["port"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return process, path
        except requests.exceptions.ConnectionError:
            time.sleep(0.1)
    stop_process(process)
    raise AssertionError("the server did not start")


def test_the_scrub_command_finds_a_corrupted_layer_and_names_repository_and_digest(skopeo, tmp_path):
    port = free_port()
    root = tmp_path / "root"
    config = zot_config(port, root, None, OPEN_POLICY)
    config["extensions"] = {"scrub": {"enable": True, "interval": "24h"}}
    process, config_path = start(tmp_path, config, "scrub")
    try:
        layout = build_oci_image(tmp_path, {"a.txt": b"scrub me\n"}, tag="v1")
        skopeo.run("copy", "--dest-tls-verify=false", f"oci:{layout}:v1", f"docker://127.0.0.1:{port}/team/app:v1")
        live = subprocess.run([str(server_binary()), "scrub", str(config_path)], capture_output=True, text=True, timeout=60)
        assert live.returncode == 2 and "stop it first" in live.stderr, live
    finally:
        stop_process(process)
    clean = subprocess.run([str(server_binary()), "scrub", str(config_path)], capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 problems" in clean.stdout

    index = json.loads((root / "team/app/index.json").read_text())
    manifest = json.loads((root / "team/app/blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]).read_text())
    layer = manifest["layers"][0]["digest"]
    layer_file = root / "team/app/blobs/sha256" / layer.split(":")[1]
    data = bytearray(layer_file.read_bytes())
    data[20] ^= 0xFF
    layer_file.write_bytes(bytes(data))

    found = subprocess.run([str(server_binary()), "scrub", str(config_path)], capture_output=True, text=True, timeout=60)
    assert found.returncode == 1, found.stdout + found.stderr
    assert f"team/app {layer} corrupt" in found.stdout and "images: v1" in found.stdout, found.stdout
    as_json = subprocess.run([str(server_binary()), "scrub", str(config_path), "--json", "--repo", "team/**"],
                             capture_output=True, text=True, timeout=60)
    assert as_json.returncode == 1
    [problem] = json.loads(as_json.stdout)["stores"][0]["problems"]
    assert problem == {"repository": "team/app", "digest": layer, "kind": "corrupt", "images": ["v1"],
                       "message": problem["message"]}
    assert layer_file.read_bytes() == bytes(data), "scrub never repairs or deletes"


def test_lint_rejects_an_image_without_the_mandatory_annotation_and_accepts_one_with_it_as_a_config_label(skopeo, tmp_path):
    port = free_port()
    config = zot_config(port, tmp_path / "root", None, OPEN_POLICY)
    config["extensions"] = {"lint": {"enable": True, "mandatoryAnnotations": [VENDOR, "org.opencontainers.image.licenses"]}}
    process, _ = start(tmp_path, config, "lint")
    try:
        plain = build_oci_image(tmp_path / "plain", {"a.txt": b"no labels\n"}, tag="v1")
        refused = skopeo.run("copy", "--dest-tls-verify=false", f"oci:{plain}:v1", f"docker://127.0.0.1:{port}/lint/app:v1",
                             check=False)
        assert refused.returncode != 0
        assert "MANIFEST_INVALID" in refused.stderr or "manifest invalid" in refused.stderr, refused.stderr
        assert VENDOR in refused.stderr and "org.opencontainers.image.licenses" in refused.stderr, refused.stderr
        tags = requests.get(f"http://127.0.0.1:{port}/v2/lint/app/tags/list", timeout=5)
        assert tags.status_code == 404 or tags.json().get("tags") in (None, []), "nothing was stored"

        labelled = build_oci_image(tmp_path / "labelled", {"a.txt": b"labelled\n"}, tag="v1")
        subprocess.run(["umoci", "config", "--image", f"{labelled}:v1", "--config.label", f"{VENDOR}=acme",
                        "--manifest.annotation", "org.opencontainers.image.licenses=MIT"], check=True, capture_output=True)
        skopeo.run("copy", "--dest-tls-verify=false", f"oci:{labelled}:v1", f"docker://127.0.0.1:{port}/lint/app:v1")
        assert requests.get(f"http://127.0.0.1:{port}/v2/lint/app/tags/list", timeout=5).json()["tags"] == ["v1"]
    finally:
        stop_process(process)
