"""The shipped logrotate rule (deploy/logrotate/newmedia-nginx) parses, and keeps nginx's logs
of the site as long as the journal keeps the service's (deploy/journald/newmedia.conf)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RULE = ROOT / "deploy" / "logrotate" / "newmedia-nginx"
LOGROTATE = shutil.which("logrotate") or (
    "/usr/sbin/logrotate" if Path("/usr/sbin/logrotate").exists() else None
)


@pytest.mark.skipif(LOGROTATE is None, reason="logrotate is not installed")
def test_logrotate_reads_the_rule(tmp_path: Path) -> None:
    assert LOGROTATE is not None
    done = subprocess.run(
        [LOGROTATE, "--debug", "--state", str(tmp_path / "state"), str(RULE)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "error" not in (done.stdout + done.stderr).lower(), done.stderr
    assert "(180 rotations)" in done.stdout + done.stderr


def test_nginx_logs_where_the_rule_rotates_them_for_as_long_as_the_journal() -> None:
    site = (ROOT / "deploy" / "nginx" / "newmedia.conf").read_text(encoding="utf-8")
    logs = re.findall(r"(?:access|error)_log\s+(\S+)", site)
    assert logs and all(p.startswith("/var/log/nginx/newmedia/") for p in logs)
    assert "/var/log/nginx/newmedia/*.log {" in RULE.read_text(encoding="utf-8")
    journald = (ROOT / "deploy" / "journald" / "newmedia.conf").read_text(encoding="utf-8")
    assert "MaxRetentionSec=180day" in journald
