"""deploy/newmedia-admin runs a command with the service's environment file, and the shipped
example of that file reads in sh as it does in systemd."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ADMIN = ROOT / "deploy" / "newmedia-admin"


def test_the_env_example_reads_in_sh() -> None:
    probe = 'set -a; . "$1"; set +a; printf %s "$NEWMEDIA_LOG_FORMAT"'
    done = subprocess.run(
        ["sh", "-c", probe, "sh", str(ROOT / "deploy" / "newmedia.env.example")],
        capture_output=True, text=True, timeout=30, env={"PATH": os.environ["PATH"]},
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "json", "")


def test_a_command_gets_the_database_from_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "newmedia.env"
    env_file.write_text(
        f"# as in /etc/newmedia/newmedia.env\nNEWMEDIA_DATABASE_URL=sqlite:///{tmp_path}/nm.db\n",
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ["PATH"],
        "NEWMEDIA_ENV_FILE": str(env_file),
        "NEWMEDIA_HOME": str(Path(sys.executable).parent.parent.parent),
        "NEWMEDIA_SETTINGS": str(ROOT / "settings.toml"),
        "NEWMEDIA_MEDIA_ROOT": str(ROOT / "media"),
    }
    run = [str(ADMIN), "db", "upgrade"]
    done = subprocess.run(run, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nm.db").is_file()

    # NEWMEDIA_DATABASE: the same server, another database (the restore drill's)
    drill = {**env, "NEWMEDIA_DATABASE": "drill.db"}
    done = subprocess.run(run, capture_output=True, text=True, timeout=300, env=drill, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "drill.db").is_file()

    env["NEWMEDIA_ENV_FILE"] = str(tmp_path / "missing.env")
    done = subprocess.run(run, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("错误：无法读取")
