"""The shipped Grafana dashboard (dashboards/zot-authz.json) and Prometheus alert rules
(dashboards/zot-authz-alerts.yml) only name metrics the server exports: every query is parsed out of the JSON
(and the rules), checked by `promtool`, and every metric name it uses must appear in a scrape of the real
binary after traffic that touches every series (push, pull, denial, failed login, rate limit, a GC pass)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from authz_support import AuthzRegistry
from conftest import ALL_ACTIONS, REPO_ROOT
from registry_client import RegistryClient

pytestmark = pytest.mark.zot_only

DASHBOARD = REPO_ROOT / "dashboards/zot-authz.json"
ALERTS = REPO_ROOT / "dashboards/zot-authz-alerts.yml"
ALERT_TESTS = REPO_ROOT / "dashboards/zot-authz-alerts.test.yml"
USERS = {"alice": "alice-dash-1", "bob": "bob-dash-2"}
ACCESS_CONTROL = {
    "repositories": {"**": {"policies": [{"users": ["alice"], "actions": ALL_ACTIONS}], "defaultPolicy": ["read"]}},
    "metrics": {"users": ["alice"]},
}
#: PromQL words that look like metric names but are not.
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"}
#: Grafana's variables, replaced by what Prometheus would see.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def dashboard_exprs(node) -> list[str]:
    """Every `expr` anywhere in the dashboard (panels, rows' panels, targets)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(dashboard_exprs(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(dashboard_exprs(item))
    return found


def prometheus_expr(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers outside strings, label matchers, ranges and grouping
    clauses that are not function calls or keywords."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', prometheus_expr(expr))
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        if text[match.end():].lstrip().startswith("(") or match.group(0) in KEYWORDS:
            continue
        names.add(match.group(0))
    return names


def rule_exprs() -> list[str]:
    """The `expr:` of every alert rule (the file is plain YAML written by hand; one expression per rule)."""
    exprs, current = [], None
    for line in ALERTS.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("expr:"):
            value = stripped[len("expr:"):].strip()
            if value == "|":
                current = []
                exprs.append(current)
            else:
                exprs.append([value])
                current = None
        elif current is not None:
            if re.match(r"^\s*(for|labels|annotations|- alert):", line) or re.match(r"^\s{8}\w+:", line):
                current = None
            else:
                current.append(stripped)
    return [" ".join(parts) for parts in exprs]


def exported_names(exposition: str) -> set[str]:
    names = set(re.findall(r"^# TYPE (\S+) ", exposition, re.MULTILINE))
    names |= set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", exposition, re.MULTILINE))
    return names


class DashboardRegistry(AuthzRegistry):
    """Metrics on, a DELETE rate limit to hit, and GC every second (so its series exist)."""

    def config(self) -> dict:
        config = super().config()
        config["extensions"] = {"metrics": {"enable": True, "prometheus": {"path": "/metrics"}}}
        config["storage"].update({"gc": True, "gcInterval": "1s", "gcDelay": "1h", "retention": {"policies": [
            {"repositories": ["archive/**"], "keepTags": [{"mostRecentlyPushedCount": 5}]}]}})
        # Scrub and a sync upstream (never reached: nothing is pulled under mirror/) so their series exist.
        config["extensions"]["scrub"] = {"enable": True, "interval": "24h"}
        config["extensions"]["sync"] = {"enable": True, "registries": [{"urls": ["http://127.0.0.1:9"], "onDemand": True,
                                                                      "content": [{"prefix": "**", "destination": "/mirror"}]}]}
        return config


@pytest.fixture
def dashboard_registry(tmp_path: Path):
    server = DashboardRegistry(tmp_path / "dashboard-server", users=dict(USERS), access_control=ACCESS_CONTROL,
                               http={"ratelimit": {"methods": [{"method": "DELETE", "rate": 1}]}},
                               auth={"tokenService": {"lifetime": "5m"}})
    yield server.start()
    server.stop()


def test_the_dashboard_is_valid_grafana_json_with_a_query_in_every_panel():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "zot-authz" and dashboard["title"]
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(panels) >= 15
    for panel in panels:
        assert dashboard_exprs(panel), f"panel {panel['title']!r} has no query"
    titles = " ".join(panel["title"].lower() for panel in panels)
    for topic in ["requests", "latency heatmap", "downloads", "uploads", "storage", "authentication", "denials",
                  "rate-limited", "garbage collection", "token issuance", "retention", "scrub", "sync"]:
        assert topic in titles, f"no panel about {topic}"
    assert any(panel["type"] == "heatmap" for panel in panels)


def test_every_dashboard_and_alert_query_passes_promtool(tmp_path: Path):
    exprs = [prometheus_expr(expr) for expr in dashboard_exprs(json.loads(DASHBOARD.read_text()))]
    rules = tmp_path / "dashboard-queries.yml"
    lines = ["groups:", "  - name: dashboard-queries", "    rules:"]
    for index, expr in enumerate(exprs):
        lines += [f"      - record: dashboard:query_{index}", f"        expr: {json.dumps(expr)}"]
    rules.write_text("\n".join(lines) + "\n")
    for args in (["check", "rules", str(rules)], ["check", "rules", str(ALERTS)], ["test", "rules", str(ALERT_TESTS)]):
        checked = subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, f"promtool {' '.join(args)}:\n{checked.stdout}{checked.stderr}"


def test_metric_name_extraction_skips_functions_labels_and_keywords():
    expr = ('histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{code=~"5..",x="b_total"}[$__rate_interval])))'
            ' / clamp_min(sum(rate(c_total[5m])), 1e-9) > 0.05 and on (job) d')
    assert metric_names(expr) == {"a_bucket", "c_total", "d"}


def test_every_metric_the_dashboard_and_alerts_query_is_exported_by_the_server(dashboard_registry):
    server = dashboard_registry
    names = set()
    for expr in dashboard_exprs(json.loads(DASHBOARD.read_text())) + rule_exprs():
        names |= metric_names(expr)
    assert len(names) >= 12 and all(name.startswith("zot_") for name in names), names

    alice = RegistryClient(server.url, auth=("alice", USERS["alice"]))
    alice.push_image("team/dash", "v1")
    bob = RegistryClient(server.url, auth=("bob", USERS["bob"]))
    assert bob.get("/v2/team/dash/manifests/v1", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).status_code == 200
    assert bob.post("/v2/team/dash/blobs/uploads/").status_code == 403
    assert requests.get(f"{server.url}/v2/", auth=("bob", "wrong"), timeout=10).status_code == 401
    statuses = [alice.delete("/v2/team/dash/manifests/v0").status_code for _ in range(3)]
    assert 429 in statuses, statuses
    realm = server.config()["http"]["realm"]
    token = requests.get(f"{server.url}/auth/token", params={"service": realm, "scope": "repository:team/dash:pull"},
                         auth=("alice", USERS["alice"]), timeout=10)
    assert token.status_code == 200, token.text
    refused = requests.post(f"{server.url}/auth/token", data={"grant_type": "password", "username": "bob",
                                                              "password": "wrong", "service": realm}, timeout=10)
    assert refused.status_code == 401, refused.text

    deadline = time.monotonic() + 10
    while True:
        scrape = requests.get(f"{server.url}/metrics", auth=("alice", USERS["alice"]), timeout=10)
        assert scrape.status_code == 200, scrape.text
        missing = names - exported_names(scrape.text)
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # the GC series appear after the first pass (gcInterval 1s)
    assert not missing, f"queried but not exported: {sorted(missing)}"
