"""Live config reload against the real binary: an `accessControl` edit changes a decision within 2 s without a
restart, a broken edit is refused and the old policy stays, SIGHUP reloads (and does not kill the server), every
attempt is audited as `config-reload` with the diff of the access rules, and options read only at start are
named in the log."""

from __future__ import annotations

import copy
import json
import signal
import time
from pathlib import Path

import pytest
import requests

from authz_support import AuthzRegistry
from conftest import ALL_ACTIONS

pytestmark = pytest.mark.zot_only

USERS = {"alice": "alice-reload-1", "bob": "bob-reload-2"}
READ_ONLY_BOB = {"repositories": {"team/**": {"policies": [{"users": ["alice"], "actions": ALL_ACTIONS},
                                                           {"users": ["bob"], "actions": ["read"]}]}}}


@pytest.fixture
def reload_registry(tmp_path: Path):
    server = AuthzRegistry(tmp_path / "reload-server", users=dict(USERS), access_control=copy.deepcopy(READ_ONLY_BOB),
                           log={"audit": str(tmp_path / "reload-server" / "audit.log")})
    yield server.start()
    server.stop()


def config_path(server: AuthzRegistry) -> Path:
    return server.workdir / "config.json"


def write_config(server: AuthzRegistry, config: dict | str) -> None:
    """Replaces the config file atomically, as editors and config management do."""
    sibling = config_path(server).with_name("config.json.new")
    sibling.write_text(config if isinstance(config, str) else json.dumps(config, indent=2))
    sibling.replace(config_path(server))


def bob_may_push(server: AuthzRegistry) -> bool:
    answer = requests.post(f"{server.url}/v2/team/app/blobs/uploads/", auth=("bob", USERS["bob"]), timeout=10)
    assert answer.status_code in (202, 403), answer.text
    return answer.status_code == 202


def with_bob_pushing(server: AuthzRegistry) -> dict:
    config = json.loads(config_path(server).read_text())
    config["http"]["accessControl"]["repositories"]["team/**"]["policies"][1]["actions"] = ["read", "create"]
    return config


def audit_events(server: AuthzRegistry) -> list[dict]:
    path = server.workdir / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def wait_for(condition, seconds: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def test_an_access_control_edit_changes_the_decision_within_two_seconds_and_is_audited_with_its_diff(reload_registry):
    server = reload_registry
    assert not bob_may_push(server)
    write_config(server, with_bob_pushing(server))
    elapsed = wait_for(lambda: bob_may_push(server), 2.0)
    assert elapsed is not None, f"bob still denied 2 s after the edit:\n{server.log_tail()}"
    assert server.process.poll() is None
    reloads = [event for event in audit_events(server) if event.get("event") == "config-reload"]
    assert reloads and reloads[-1]["result"] == "allow", reloads
    assert "~ team/**" in reloads[-1]["reason"], reloads[-1]
    assert "config reloaded" in server.log_text()


def test_a_broken_edit_is_refused_and_the_old_policy_stays(reload_registry):
    server = reload_registry
    good = with_bob_pushing(server)
    write_config(server, good)
    assert wait_for(lambda: bob_may_push(server), 2.0) is not None
    write_config(server, config_path(server).read_text().replace('"accessControl"', '"accessControll"'))
    assert wait_for(lambda: "config reload refused" in server.log_text(), 3.0) is not None, server.log_tail()
    assert bob_may_push(server), "the refused config replaced the policy"
    refused = [event for event in audit_events(server) if event.get("event") == "config-reload" and event["result"] == "deny"]
    assert refused and "accessControll" in refused[-1]["reason"], refused
    # A config that parses but fails verify (an unreadable htpasswd file) is refused too.
    config = copy.deepcopy(good)
    config["http"]["accessControl"]["repositories"]["team/**"]["policies"][1]["actions"] = ["read"]
    config["http"]["auth"]["htpasswd"]["path"] = str(server.workdir / "missing-htpasswd")
    write_config(server, config)
    assert wait_for(lambda: len([e for e in audit_events(server) if e.get("result") == "deny" and e.get("event")]) >= 2, 3.0)
    assert bob_may_push(server)


def test_sighup_reloads_and_options_needing_a_restart_are_named(reload_registry):
    server = reload_registry
    config = with_bob_pushing(server)
    config["http"]["realm"] = "another-realm"
    config["log"]["level"] = "info"
    write_config(server, config)
    server.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: bob_may_push(server), 2.0) is not None
    assert server.process.poll() is None, "SIGHUP killed the server"
    log = server.log_text()
    assert wait_for(lambda: "take effect only after a restart" in server.log_text(), 2.0) is not None, log[-3000:]
    restart = [json.loads(line) for line in server.log_text().splitlines() if "only after a restart" in line]
    assert "http.realm" in json.dumps(restart[-1])
    server.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: '"SIGHUP"' in server.log_text() or "SIGHUP" in server.log_text(), 2.0) is not None
    assert server.process.poll() is None


class GCRegistry(AuthzRegistry):
    """GC every second with a retention that keeps every tag (no policy matches `other/**` only)."""

    retention: dict = {"delay": "1s", "policies": [{"repositories": ["other/**"], "keepTags": [{"patterns": [".*"]}]}]}

    def config(self) -> dict:
        config = super().config()
        config["storage"].update({"gc": True, "gcDelay": "1s", "gcInterval": "1s", "retention": self.retention})
        return config


def test_a_retention_edit_applies_at_the_next_gc_pass_without_a_restart(tmp_path: Path):
    from registry_client import RegistryClient
    server = GCRegistry(tmp_path / "gc-reload", users=dict(USERS), access_control=copy.deepcopy(READ_ONLY_BOB),
                        log={"audit": str(tmp_path / "gc-reload" / "audit.log")})
    server.start()
    try:
        alice = RegistryClient(server.url, auth=("alice", USERS["alice"]))
        for tag in ["v1", "v2", "v3"]:
            alice.push_image("team/app", tag)
            time.sleep(0.05)
        time.sleep(3)  # a few GC passes under the first retention: nothing matches team/**, everything stays
        assert alice.get("/v2/team/app/tags/list").json()["tags"] == ["v1", "v2", "v3"]
        pid = server.pid
        config = json.loads(config_path(server).read_text())
        config["storage"]["retention"] = {"delay": "1s", "policies": [
            {"repositories": ["team/**"], "keepTags": [{"mostRecentlyPushedCount": 1}]}]}
        write_config(server, config)
        # Push times reach the metadata store within 5 s; the next pass after that keeps only the newest tag.
        assert wait_for(lambda: alice.get("/v2/team/app/tags/list").json()["tags"] == ["v3"], 20) is not None, \
            alice.get("/v2/team/app/tags/list").text
        assert server.pid == pid and server.process.poll() is None
        reload = [e for e in audit_events(server) if e.get("event") == "config-reload"][-1]
        assert reload["result"] == "allow" and "needs restart" not in reload["reason"], reload
    finally:
        server.stop()
