"""``newmedia audit verify`` on a real database tampered through SQL: every break, then exit 1."""

from __future__ import annotations

import asyncio
import json

import pytest
from app_support import run_cli
from sqlalchemy import select, text

from review.audit_chain import event_hash
from review.db import SessionFactory
from review.models import AuditEvent
from review.store import audit

pytestmark = pytest.mark.pg


async def verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # the command runs its own event loop, as from a shell
    return await asyncio.to_thread(run_cli, capsys, "audit", "verify", *argv)


async def test_every_break_is_listed_and_the_command_fails(
    sf: SessionFactory,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", db_url)
    for i in range(10):
        async with sf.begin() as s:
            await audit.append(
                s, actor="li_na", action="test.event", subject_type="t", subject_id=i
            )
    async with sf() as s:
        assert (await s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq))).all() == list(
            range(1, 11)
        )
    code, out, _ = await verify(capsys)
    assert (code, out) == (0, "审计日志完整：共 10 条事件，哈希链无断裂\n")

    async with sf.begin() as s:
        # #2 changed in place
        await s.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
        # #4 replaced by a forgery whose own hash is made right: #5 no longer points at it
        four = await s.scalar(select(AuditEvent).where(AuditEvent.seq == 4))
        assert four is not None
        forged = event_hash(
            four.prev_hash, 4, four.at, "mallory", four.action, "t", "3", four.detail
        )
        await s.execute(
            text("UPDATE audit_events SET actor = 'mallory', hash = :h WHERE seq = 4"),
            {"h": forged},
        )
        # #6 and #7 deleted
        await s.execute(text("DELETE FROM audit_events WHERE seq IN (6, 7)"))
        # #9 rewritten as if written after #10
        await s.execute(text("UPDATE audit_events SET id = id + 1000 WHERE seq = 9"))

    code, out, err = await verify(capsys)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == "审计日志有 4 处断裂（共检查 8 条事件）"
    assert [line.split("：")[0].strip() for line in lines[1:]] == [
        "#2 内容被改动",
        "#5 链接断裂",
        "#6–#7 缺失",
        "#10 顺序错乱",
    ]

    code, out, _ = await verify(capsys, "--json")
    report = json.loads(out)
    assert code == 1 and report["intact"] is False and report["checked"] == 8
    assert [(b["seq"], b["kind"], b["last_seq"]) for b in report["breaks"]] == [
        (2, "altered", None),
        (5, "broken_link", None),
        (6, "gap", 7),
        (10, "out_of_order", None),
    ]
    assert all(b["text"] for b in report["breaks"])
