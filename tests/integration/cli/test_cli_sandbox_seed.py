"""``newmedia sandbox seed``: a history the reports read, written once (settings outside demo
mode refuse sandbox accounts before any command runs)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from app_support import run_cli

run = run_cli
AS_OF = ("--as-of", "2026-12-03 12:00")


def test_seed_writes_a_history_the_reports_read_and_only_once(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "sandbox", "seed", "--days", "40", *AS_OF)
    assert code == 0, err
    assert out.startswith("已生成 40 天的演示历史：稿件 ") and "后台直接发布 1 篇" in out
    code, _, err = run(capsys, "sandbox", "seed", "--days", "40", *AS_OF)
    assert code == 2 and "已有演示历史" in err
    code, out, _ = run(capsys, "publications", "list", "--json")
    pubs = json.loads(out)
    assert len(pubs) > 20 and {p["status"] for p in pubs} >= {"published"}
    # 养老服务处's account has been quiet for nine days: its head's digest says so
    code, out, _ = run(capsys, "report", "digest", "--department", "elderly", *AS_OF)
    assert code == 0 and re.search(
        r"养老服务·微信」已 (9|10) 天未更新，[45] 天后触及 14 天规则", out
    )
    code, out, _ = run(capsys, "report", "quarterly", "--year", "2026", "--json")
    assert code in (0, 1) and len(json.loads(out)) == 4


def test_seed_after_the_demo_has_run_its_daily_sync(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README seeds a demo that is already up: its platform-sync tick has written each
    account's row by then, and the seed must update those rows, not collide with them."""
    code, _, err = run(capsys, "db", "upgrade")  # the database as serve leaves it
    assert code == 0, err
    with sqlite3.connect(cli_workdir / "var" / "newmedia.db") as db:
        accounts = [row[0] for row in db.execute("SELECT id FROM accounts")]
        assert accounts, "db upgrade mirrors the settings' accounts"
        db.executemany(
            "INSERT INTO platform_syncs (account_id, ran_at) VALUES (?, '2026-12-03 07:00:00')",
            [(a,) for a in accounts],
        )
    code, out, err = run(capsys, "sandbox", "seed", "--days", "40", *AS_OF)
    assert code == 0, err
    assert out.startswith("已生成 40 天的演示历史")
    with sqlite3.connect(cli_workdir / "var" / "newmedia.db") as db:
        synced = db.execute("SELECT COUNT(*), COUNT(ok_at) FROM platform_syncs").fetchone()
    assert synced[0] == len(accounts) and synced[1] >= 1
