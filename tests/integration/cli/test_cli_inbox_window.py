"""``newmedia inbox list/show --json``: each message's reply window (ISO and in words), and the
open queue ordered by the window closing first, then by deadline."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from app_support import run_cli

from review.db import create_engine, session_factory
from review.models import CitizenMessage, utcnow
from review.store import directory


async def _seed() -> dict[str, int]:
    """Four open messages of 社会救助处: a window closing in 30 h, one in 5 h, one closed, and a
    comment (no window) with the earliest deadline."""
    engine = create_engine("sqlite:///var/newmedia.db")
    now = utcnow()
    ids: dict[str, int] = {}
    try:
        async with session_factory(engine).begin() as s:
            dept = await directory.department_by_key(s, "assistance")
            account = await directory.account_by_key(s, "ccmz_wechat")
            assert dept and account
            for name, closes, due, kind in (
                ("later", now + timedelta(hours=30), now + timedelta(days=3), "text"),
                ("soon", now + timedelta(hours=5), now + timedelta(days=4), "text"),
                ("closed", now - timedelta(hours=1), now + timedelta(days=2), "text"),
                ("comment", None, now + timedelta(days=1), "comment"),
            ):
                msg = CitizenMessage(
                    account_id=account.id, platform="wechat", dedup_key=f"w-{name}",
                    sender=f"o_{name}", msg_type=kind, text=f"低保咨询（{name}）",
                    status="assigned", topic="社会救助", department_id=dept.id,
                    received_at=now - timedelta(hours=1), deadline_at=due,
                    reply_window_closes_at=closes, processed=True,
                )  # fmt: skip
                s.add(msg)
                await s.flush()
                ids[name] = msg.id
        return ids
    finally:
        await engine.dispose()


def test_window_in_list_and_show_json(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "inbox", "list")[0] == 0  # creates the embedded database
    ids = asyncio.run(_seed())

    code, out, err = run_cli(capsys, "inbox", "list", "--json", "--as", "zheng_lei")
    assert code == 0, err
    listed = json.loads(out)
    order = [ids["soon"], ids["later"], ids["comment"], ids["closed"]]
    assert [m["id"] for m in listed] == order
    soon = listed[0]
    closes = datetime.fromisoformat(soon["reply_window_closes_at"])
    assert closes.tzinfo is not None and soon["reply_window"].startswith("回复窗口 ")
    assert soon["reply_window"].endswith(" 关闭")
    assert listed[2]["reply_window"] == "无回复窗口" and listed[2]["reply_window_closes_at"] is None
    assert listed[3]["reply_window"] == "回复窗口已关闭"

    code, out, _ = run_cli(capsys, "inbox", "show", str(ids["soon"]), "--json", "--as", "zheng_lei")
    shown = json.loads(out)
    assert code == 0 and shown["reply_window_closes_at"] == soon["reply_window_closes_at"]
    code, out, _ = run_cli(capsys, "inbox", "list", "--as", "zheng_lei")
    assert code == 0 and "回复窗口" in out and "回复窗口已关闭" in out
