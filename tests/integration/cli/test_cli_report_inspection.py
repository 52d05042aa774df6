"""``newmedia report sync`` and ``report inspection`` on a seeded database with the sandbox
platforms: a back-office post the sync finds keeps the 14-day clock from failing and is itself
flagged 未经审核发布 (once); the numbers are the hand-computed ones below; ``--as-of`` computes
as of that date; the JSON has one shape.

The fixture, as of the end of today (Beijing) — ``AS_OF`` — with ``--days 14``:

- 长春民政（微博）ccmz_weibo: P1 published by the bot 25 days back (outside the period; its
  status carries the bot's marker, its remote id was never recorded); B1 posted in the Weibo
  back office 3 days back; P2 published 5 days back over an overridden 涉密 block and retracted
  4 days back. Messages: M1 deadline 2 days back, unanswered; M2 answered a day after its
  deadline; M3 due in 12 hours; M4 answered in time.
  → 内容更新 pass (B1, 3 days; without the sync: P2 5 days); 先审后发 fail (B1, P2: P2 has no
  approvals); 严重表述错误 fail (P2 both overridden and retracted); 互动回应差 at risk (M1, 2
  days); 留言办理 fail (1 late, 1 missing, 1 due soon).
- 长春民政（微信）ccmz_wechat: A1 posted in the WeChat back office a day back → flagged.
- As of 10 days back: ccmz_weibo's last post is P1 (15 days) → 内容更新 fail; nothing else yet.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from app_support import run_cli
from publishing_support import seed
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.load import load_settings
from bot.platforms.registry import sandbox_config
from bot.sandbox.wiring import sandbox_api_app
from channels.sandbox.app import Sandbox, create_sandbox
from review.db import SessionFactory, create_engine, session_factory
from review.inspection import as_of_end_of_day
from review.models import CitizenMessage, Notification, Override, PlatformPost, Publication
from review.store import directory
from review.timefmt import SHANGHAI

TODAY = datetime.now(SHANGHAI).date()
AS_OF = as_of_end_of_day(TODAY.isoformat())
EARLIER = TODAY - timedelta(days=10)


class SandboxThread:
    """The demo platforms on loopback in their own thread (the CLI runs its own event loop)."""

    def __init__(self, settings: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        config = sandbox_config(load_settings(settings))
        self.sandbox: Sandbox = create_sandbox(config)
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def _start(self) -> None:
        app = web.Application()
        app.add_subapp("/sandbox", sandbox_api_app(self.sandbox))
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    def run(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def __enter__(self) -> SandboxThread:
        self.thread.start()
        self.run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.runner is not None:
            self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.sandbox.close()


def _sessions() -> tuple[SessionFactory, AsyncEngine]:
    engine = create_engine("sqlite:///var/newmedia.db")
    return session_factory(engine), engine


async def _seed(sb: Sandbox) -> dict[str, str]:
    sf, engine = _sessions()
    try:
        p1 = (await seed(sf, 1, accounts=("ccmz_weibo",), title="冬季救助安排")).publication_ids[0]
        p2 = (
            await seed(sf, 1, accounts=("ccmz_weibo",), title="低保标准", approve=False)
        ).publication_ids[0]
        async with sf.begin() as s:
            at1, at2 = AS_OF - timedelta(days=25), AS_OF - timedelta(days=5)
            await s.execute(update(Publication).where(Publication.id == p1)
                            .values(status="published", published_at=at1, due_at=at1))  # fmt: skip
            await s.execute(update(Publication).where(Publication.id == p2).values(
                status="retracted", published_at=at2, due_at=at2,
                retracted_at=AS_OF - timedelta(days=4), retract_reason="数字有误"))  # fmt: skip
            pub2 = await s.get(Publication, p2)
            pub1 = await s.get(Publication, p1)
            assert pub1 is not None and pub2 is not None
            head = await directory.person_by_key(s, "wang_qiang")
            assert head is not None
            s.add(Override(revision_id=pub2.revision_id, check_name="secrecy", head_id=head.id,
                           reason="已脱密", created_at=at2))  # fmt: skip
            account = await directory.account_by_key(s, "ccmz_weibo")
            assert account is not None
            for key, received, deadline, answered in (
                ("m1", 5, -2, None),
                ("m2", 6, -4, -3),
                ("m3", 2, 0.5, None),
                ("m4", 8, -6, -7),
            ):
                s.add(CitizenMessage(
                    account_id=account.id, platform="weibo", dedup_key=key, sender=f"u_{key}",
                    msg_type="comment", text=f"留言{key}", processed=True,
                    status="answered" if answered is not None else "assigned",
                    received_at=AS_OF - timedelta(days=received),
                    deadline_at=AS_OF + timedelta(days=deadline),
                    answered_at=AS_OF + timedelta(days=answered) if answered is not None else None,
                ))  # fmt: skip
            marker = pub1.idempotency_key
    finally:
        await engine.dispose()
    link = f"https://mzj.changchun.gov.cn/art/1.html?p={marker}"
    sb.back_office_post("ccmz_weibo", "", f"冬季救助安排 {link}", at=AS_OF - timedelta(days=25))
    b1 = sb.back_office_post("ccmz_weibo", "", "周末社区活动照片", at=AS_OF - timedelta(days=3))
    a1 = sb.back_office_post(
        "ccmz_wechat", "后台直发的通知", "<p>内容</p>", at=AS_OF - timedelta(days=1)
    )
    return {"b1": b1, "a1": a1}


@pytest.fixture
def demo(cli_workdir: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[dict[str, str]]:
    settings = cli_workdir / "settings.toml"
    with SandboxThread(settings) as sandbox:
        text = settings.read_text(encoding="utf-8")
        moved = text.replace('public_url = "http://127.0.0.1:8080"',
                             f'public_url = "http://127.0.0.1:{sandbox.port}"')  # fmt: skip
        assert moved != text
        settings.write_text(moved, encoding="utf-8")
        assert run_cli(capsys, "report", "inspection", "--account", "ccmz_weibo")[0] in (0, 1)
        yield asyncio.run(_seed(sandbox.sandbox))


def _items(report: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    accounts = {a["key"]: a for a in report["accounts"]}
    return {i["key"]: i for i in accounts[key]["items"]}


def _inspect(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli(
        capsys, "report", "inspection", "--days", "14", "--as-of", TODAY.isoformat(),
        "--format", "json", *extra,
    )  # fmt: skip
    assert err == "" or "Traceback" not in err, err
    return code, json.loads(out)


async def _flags() -> tuple[int, int, list[str]]:
    sf, engine = _sessions()
    try:
        async with sf() as s:
            rows = await s.scalar(select(func.count()).select_from(PlatformPost))
            notes = list(await s.scalars(
                select(Notification.text).where(Notification.kind == "post_unreviewed")))  # fmt: skip
            flagged = await s.scalar(select(func.count()).select_from(PlatformPost)
                                     .where(PlatformPost.flagged_at.is_not(None)))  # fmt: skip
    finally:
        await engine.dispose()
    return int(rows or 0), int(flagged or 0), notes


def test_without_the_sync_the_quiet_clock_sees_only_the_bots_posts(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = _inspect(capsys, "--account", "ccmz_weibo")
    update_item = _items(report, "ccmz_weibo")["update"]
    assert update_item["status"] == "pass"  # P2, 5 days back
    assert "尚未同步" in str(update_item["summary"])
    assert [e["ref"] for e in update_item["evidence"]] == [f"#{_p2_ref(report)}"]


def _p2_ref(report: dict[str, Any]) -> str:
    accuracy = _items(report, "ccmz_weibo")["accuracy"]
    refs = {str(e["ref"]) for e in accuracy["evidence"]}
    assert len(refs) == 1
    return refs.pop().lstrip("#")


def test_sync_finds_back_office_posts_flags_them_once_and_the_report_counts_them(
    demo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "report", "sync")
    assert code == 0, err
    assert (
        "长春民政（ccmz_weibo）：平台上近期发布 2 条，其中本系统发布 1 条；新发现未经审核发布 1 条"
        in out
    )
    assert f"{demo['b1']}「周末社区活动照片」" in out
    assert "新发现未经审核发布 1 条" in out.split("ccmz_wechat")[1].splitlines()[0]
    assert asyncio.run(_flags())[:2] == (3, 2)

    # idempotent: a second run stores nothing new and tells nobody again
    code, out, _ = run_cli(capsys, "report", "sync", "--account", "ccmz_weibo")
    assert code == 0 and "新发现" not in out and "ccmz_wechat" not in out
    rows, flagged, notes = asyncio.run(_flags())
    assert (rows, flagged, len(notes)) == (3, 2, 2)
    assert any("周末社区活动照片" in n and "ccmz_weibo" in n for n in notes)

    code, report = _inspect(capsys)
    assert code == 1  # vetoes failed
    weibo = _items(report, "ccmz_weibo")
    p2 = _p2_ref(report)
    assert weibo["update"]["status"] == "pass"
    assert weibo["update"]["evidence"][0]["ref"] == demo["b1"]
    assert weibo["update"]["summary"].startswith("最近一次更新")
    assert "已 3 天" in str(weibo["update"]["summary"])
    review = weibo["review"]
    assert review["status"] == "fail"
    assert sorted(str(e["ref"]) for e in review["evidence"]) == sorted([demo["b1"], f"#{p2}"])
    assert weibo["accuracy"]["status"] == "fail"
    assert weibo["interaction"]["status"] == "at_risk"
    assert weibo["interaction"]["summary"] == "超期未答复 1 条，最长超期 2 天"
    answers = weibo["answers"]
    assert answers["status"] == "fail"
    assert answers["summary"] == "期内超期答复 1 条，超期未答复 1 条，24 小时内到期 1 条"
    assert [e["title"] for e in answers["evidence"]] == ["留言m2", "留言m1", "留言m3"]
    assert weibo["publishing"]["status"] == "pass"
    wechat = _items(report, "ccmz_wechat")
    assert wechat["review"]["evidence"][0]["ref"] == demo["a1"]
    assert "已通知主管部门" in wechat["review"]["evidence"][0]["note"]
    # vetoes: weibo 先审后发 + 严重表述错误, wechat 先审后发, ccyl_wechat nothing (new account)
    assert report["vetoes"] == 3
    # every item names its national indicator or 「本局设定」, every threshold its source
    for account in report["accounts"]:
        for item in account["items"]:
            assert (
                item["indicator"].startswith("国办秘函〔2019〕19号")
                or item["indicator"] == "本局设定"
            )
            assert all(t["source"] for t in item["thresholds"])
    assert set(report) == {"since", "as_of", "vetoes", "deductions", "at_risk", "accounts",
                           "general", "thresholds"}  # fmt: skip

    # the seed's clocks (engineer E's review.interpretations, review.press) join the global items
    general = {i["key"]: i for i in report["general"]}
    assert {"audit", "overrides", "interpretation", "press"} <= set(general)
    assert general["interpretation"]["status"] == "pass"  # no 规范性文件 in the fixture
    assert "settings.toml [disclosure]" in general["press"]["thresholds"][0]["source"]

    # as of ten days back: B1 was not yet posted, P1 (25 days back) is the last post
    code, out, _ = run_cli(
        capsys, "report", "inspection", "--days", "14", "--as-of", EARLIER.isoformat(),
        "--account", "ccmz_weibo", "--format", "json",
    )  # fmt: skip
    earlier = _items(json.loads(out), "ccmz_weibo")
    assert code == 1
    assert earlier["update"]["status"] == "fail" and "已 15 天" in str(earlier["update"]["summary"])
    assert earlier["answers"]["status"] == "pass" and earlier["review"]["status"] == "pass"


def test_text_and_html_formats(demo: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "report", "sync")[0] == 0
    code, out, _ = run_cli(
        capsys, "report", "inspection", "--days", "14", "--account", "ccmz_weibo"
    )
    assert code == 1
    assert "[单项否决·不通过] 先审后发" in out and "未经审核发布（平台后台直接发布）" in out
    assert (
        "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》 政务新媒体单项否决指标「内容更新」"
        in out
    )
    code, page, _ = run_cli(capsys, "report", "inspection", "--format", "html", "--days", "14")
    assert page.startswith("<!doctype html>") and "周末社区活动照片" in page
    assert "本局设定" in page


def test_a_bad_date_or_account_is_refused_in_chinese(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        run_cli(capsys, "report", "inspection", "--as-of", "12/01")
    assert "日期应写作 2026-12-01" in capsys.readouterr().err
    code, _, err = run_cli(capsys, "report", "inspection", "--account", "nobody")
    assert code != 0 and "没有账号 nobody" in err
