"""The shipped systemd units (deploy/systemd/) pass ``systemd-analyze verify``, and the replica's
stop timeout leaves room for serve's own shutdown budget."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.shutdown import SHUTDOWN

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "deploy" / "systemd"
#: where the units expect the installation; rewritten to this checkout's venv for the check
INSTALLED_VENV = "/opt/newmedia/.venv"
ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed (package systemd)")
def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    assert ANALYZE is not None
    venv = str(Path(sys.executable).parent.parent)
    assert (Path(venv) / "bin" / "newmedia").exists()
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8")
        (tmp_path / unit.name).write_text(text.replace(INSTALLED_VENV, venv), encoding="utf-8")
    others = sorted(u.name for u in UNITS.iterdir() if "@" not in u.name)
    names = ["newmedia@8081.service", "newmedia@8082.service", *others]
    done = subprocess.run(
        [ANALYZE, "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_systemd_waits_longer_than_serve_takes_to_stop() -> None:
    unit = (UNITS / "newmedia@.service").read_text(encoding="utf-8")
    found = re.search(r"^TimeoutStopSec=(\d+)s$", unit, re.M)
    assert found and int(found.group(1)) > SHUTDOWN.limit
    assert "--port %i" in unit and "EnvironmentFile=/etc/newmedia/newmedia.env" in unit
    assert "Restart=on-failure" in unit and "ProtectSystem=strict" in unit
