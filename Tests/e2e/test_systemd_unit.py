"""deploy/zot-authz.service: `systemd-analyze verify` accepts it (with the binary it would start), it carries the
hardening the README promises, and `systemd-analyze security` rates its exposure as low as the README says."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, server_binary

UNIT = REPO_ROOT / "deploy/zot-authz.service"
#: The README reports this score; a change that weakens the unit must update both.
MAXIMUM_EXPOSURE = 1.5

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")


def local_unit(tmp_path: Path) -> Path:
    """The unit with ExecStart/ExecStartPre pointing at the binary under test (verify checks it is executable)."""
    text = UNIT.read_text().replace("/usr/local/bin/zot-authz", str(server_binary()))
    unit = tmp_path / "zot-authz.service"
    unit.write_text(text)
    return unit


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if match:
            found.setdefault(match[1], []).append(match[2])
    return found


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path):
    checked = subprocess.run(["systemd-analyze", "verify", str(local_unit(tmp_path))], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "zot-authz.service" not in checked.stderr, checked.stderr


def test_the_unit_is_hardened_as_the_issue_and_readme_require():
    found = directives(UNIT.read_text())
    expected = {"DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                "NoNewPrivileges": "yes", "LimitNOFILE": "500000", "StateDirectory": "zot-authz", "Type": "exec"}
    for key, value in expected.items():
        assert found.get(key) == [value], f"{key}: {found.get(key)}"
    assert found["ExecStart"] == ["/usr/local/bin/zot-authz serve /etc/zot-authz/config.json"]
    assert found["ExecStartPre"] == ["/usr/local/bin/zot-authz verify /etc/zot-authz/config.json"]


def test_systemd_analyze_security_rates_the_exposure_low(tmp_path: Path):
    checked = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(local_unit(tmp_path))],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", checked.stdout)
    assert score, checked.stdout[-2000:]
    assert float(score[1]) <= MAXIMUM_EXPOSURE, checked.stdout[-4000:]
