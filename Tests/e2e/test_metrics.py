"""Prometheus metrics and structured logs end to end: the real binary with `extensions.metrics` and
`http.accessControl.metrics`, a skopeo push and pull, a scrape checked by `promtool check metrics`, the
401/403 answers for anonymous and unlisted callers, and JSON log lines joined to the audit trail by requestId."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import requests

from authz_support import AuthzRegistry, assert_challenge, image_layout
from conftest import ALL_ACTIONS

pytestmark = pytest.mark.zot_only

USERS = {"alice": "alice-metrics-1", "bob": "bob-metrics-2"}
ACCESS_CONTROL = {
    "repositories": {"**": {"policies": [{"users": ["alice"], "actions": ALL_ACTIONS}], "defaultPolicy": ["read"]}},
    "metrics": {"users": ["alice"]},
}
ZOT_CAMEL_CASE_LABELS = {
    "zot_info label names should be written in 'snake_case' not 'camelCase'",
    "zot_storage_lock_latency_seconds label names should be written in 'snake_case' not 'camelCase'",
}
SAMPLE = re.compile(r"^(?P<series>[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (?P<value>\S+)$")


class MetricsRegistry(AuthzRegistry):
    """A zot-authz process with metrics on, JSON logs written to a file, and an audit trail."""

    @property
    def json_log_path(self) -> Path:
        return self.workdir / "server.json.log"

    @property
    def audit_path(self) -> Path:
        return self.workdir / "audit.log"

    def config(self) -> dict:
        config = super().config()
        config["log"] = {"level": "info", "format": "json", "output": str(self.json_log_path), "audit": str(self.audit_path)}
        config["extensions"] = {"metrics": {"enable": True, "prometheus": {"path": "/metrics"}}}
        return config


@pytest.fixture
def metrics_registry(tmp_path: Path):
    server = MetricsRegistry(tmp_path / "metrics-server", users=dict(USERS), access_control=ACCESS_CONTROL)
    yield server.start()
    server.stop()


def samples(text: str) -> dict[str, float]:
    """`series{labels}` → value for every sample line of a text exposition."""
    found = {}
    for line in text.splitlines():
        match = SAMPLE.match(line)
        if match and not line.startswith("#"):
            found[match["series"]] = float(match["value"])
    return found


def scrape(server: MetricsRegistry, user: str = "alice") -> requests.Response:
    return requests.get(f"{server.url}/metrics", auth=(user, USERS[user]), timeout=10)


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_scrape_after_push_and_pull_passes_promtool_and_counts_the_traffic(metrics_registry, skopeo, tmp_path):
    server = metrics_registry
    source = image_layout(tmp_path, "metrics", b"metrics layer content\n" * 1000)
    target = f"docker://{server.host}/team/metrics:v1"
    skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", f"alice:{USERS['alice']}", source, target)
    skopeo.run("copy", "--src-tls-verify=false", "--src-creds", f"bob:{USERS['bob']}", target, f"oci:{tmp_path / 'pulled'}:v1")

    manifest = requests.get(f"{server.url}/v2/team/metrics/manifests/v1", auth=("alice", USERS["alice"]), timeout=10,
                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()
    blob_bytes = manifest["config"]["size"] + sum(layer["size"] for layer in manifest["layers"])

    response = scrape(server)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    checked = subprocess.run(["promtool", "check", "metrics"], input=response.text, capture_output=True, text=True, timeout=30)
    findings = {line.strip() for line in (checked.stdout + checked.stderr).splitlines() if line.strip()}
    # Zot's own series carry camelCase labels (binaryType, goVersion, storageName, lockType) that Zot dashboards
    # query; promtool's lint names them and nothing else. Exit status 3 = lint findings only (1 = malformed).
    assert findings <= ZOT_CAMEL_CASE_LABELS, f"promtool check metrics:\n{checked.stdout}{checked.stderr}"
    assert checked.returncode == (3 if findings else 0), checked.returncode

    found = samples(response.text)
    assert found["zot_authz_up"] == 1
    assert found['zot_authz_upload_bytes_total{kind="blob"}'] >= blob_bytes
    assert found['zot_authz_upload_bytes_total{kind="manifest"}'] > 0
    assert found['zot_authz_download_bytes_total{kind="blob"}'] >= blob_bytes
    assert found['zot_authz_download_bytes_total{kind="manifest"}'] > 0
    assert found['zot_authz_http_requests_total{method="PUT",route="manifests",status="201"}'] >= 1
    assert found['zot_authz_authentications_total{method="htpasswd",result="success",reason="none"}'] >= 4
    assert found["zot_authz_storage_bytes"] >= blob_bytes
    durations = [value for series, value in found.items() if series.startswith("zot_authz_http_request_duration_seconds_count")]
    assert sum(durations) >= 4
    assert not any("team/metrics" in series for series in found if series.startswith("zot_authz_")), \
        "a repository name leaked into a label of our own series"
    # Zot's names, labels and types, beside ours (a Zot dashboard keeps working).
    assert found['zot_http_requests_total{method="PUT",code="201"}'] >= 3
    assert found['zot_http_method_latency_seconds_bucket{method="GET",le="600.0"}'] >= 1
    assert found['zot_repo_uploads_total{repo="team/metrics"}'] == 1
    assert found['zot_repo_downloads_total{repo="team/metrics"}'] >= 1
    assert found['zot_repo_storage_bytes{repo="team/metrics"}'] >= blob_bytes
    assert any(series.startswith("zot_info{") and 'binaryType="zot-authz"' in series for series in found)
    assert any(series.startswith("zot_storage_lock_latency_seconds_count{") for series in found)
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", response.text, re.MULTILINE))
    assert types["zot_http_requests_total"] == "counter"
    assert types["zot_http_method_latency_seconds"] == "histogram"
    assert types["zot_repo_storage_bytes"] == "gauge"
    assert types["zot_info"] == "gauge"


def test_metrics_refuse_anonymous_with_a_challenge_and_unlisted_users_with_403(metrics_registry):
    server = metrics_registry
    assert_challenge(requests.get(f"{server.url}/metrics", timeout=10))
    denied = scrape(server, "bob")
    assert denied.status_code == 403, denied.text
    assert [error["code"] for error in denied.json()["errors"]] == ["DENIED"]
    assert requests.get(f"{server.url}/metrics", auth=("alice", "wrong"), timeout=10).status_code == 401
    found = samples(scrape(server).text)
    # Both refusals are policy decisions (the anonymous one answered with a challenge); the bad password is not.
    assert found['zot_authz_policy_denials_total{action="metrics"}'] == 2
    assert found['zot_authz_authentications_total{method="basic",result="failure",reason="invalid-credentials"}'] == 1


def test_json_log_lines_carry_the_request_id_of_the_audit_event(metrics_registry):
    server = metrics_registry
    assert scrape(server, "bob").status_code == 403
    assert requests.post(f"{server.url}/v2/team/other/blobs/uploads/", auth=("bob", USERS["bob"]), timeout=10).status_code == 403

    lines = json_lines(server.json_log_path)
    assert lines, "no JSON log lines written"
    for line in lines:
        assert {"time", "level", "message", "label"} <= line.keys(), line
        assert all(isinstance(value, str) for value in line.values()), line
    denials = [line for line in lines if line["message"].endswith("access denied")]
    assert len(denials) == 2, lines
    audit = json_lines(server.audit_path)
    for denial in denials:
        matching = [event for event in audit if event["requestId"] == denial["requestId"]]
        assert [event["result"] for event in matching] == ["deny"], (denial, audit)
    assert {event["path"] for event in audit if event["requestId"] in {d["requestId"] for d in denials}} \
        == {"/metrics", "/v2/team/other/blobs/uploads/"}
    log_text = server.json_log_path.read_text()
    assert USERS["bob"] not in log_text and "Authorization" not in log_text
