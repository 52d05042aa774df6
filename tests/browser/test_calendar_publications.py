"""The calendar, publications and accounts pages in a real browser (issue 15 items 3, 5, 6):
an editor moves and stops a scheduled post from the calendar; a reviewer filters the
publications, retracts a post that went out on the sandbox's Weibo and settles one 待人工核对;
screenshots of the week, the month, the list and the accounts at both widths."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from browser_support import LiveService, shot, sign_in
from publishing_support import seed
from sqlalchemy import update

from bot import keys
from bot.publishing.wiring import TOKENS
from review.models import Publication, utcnow
from review.store import audit
from review.timefmt import SHANGHAI, local_date


def _next_monday() -> date:
    today = local_date(utcnow())
    return today + timedelta(days=7 - today.weekday())


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), SHANGHAI)


async def _week(live: LiveService, monday: date) -> dict[str, int]:
    """Next week of 长春民政 (WeChat): two scheduled, one published, one failed, one to check."""
    sessions = live.app[keys.SESSIONS]
    ids = (await seed(sessions, 5, due_at=_at(monday, 9), title="冬季救助专项行动")).publication_ids
    names = dict(zip(("move", "stop", "published", "failed", "check"), ids, strict=True))
    values: dict[str, dict[str, Any]] = {
        "move": {"due_at": _at(monday + timedelta(days=2), 17)},
        "stop": {"due_at": _at(monday + timedelta(days=4), 10)},
        "published": {"status": "published", "published_at": _at(monday, 9, 1), "remote_id": "x"},
        "failed": {"status": "failed", "due_at": _at(monday + timedelta(days=1), 9),
                   "last_error": "平台拒绝：与最近一条内容重复"},
        "check": {"status": "needs_check", "due_at": _at(monday + timedelta(days=3), 9),
                  "attempts": 1, "last_error": "发送结果不明，需人工核对"},
    }  # fmt: skip
    async with sessions.begin() as s:
        for name, changes in values.items():
            await s.execute(
                update(Publication).where(Publication.id == names[name]).values(**changes)
            )
    return names


def test_an_editor_moves_and_stops_posts_from_the_calendar(page: Any, live: LiveService) -> None:
    monday = _next_monday()
    live.run(_week(live, monday))
    sign_in(page, live, "zhao_min")
    page.get_by_role("link", name="发布日历").click()
    page.wait_for_url(live.url("/console/calendar"))
    page.get_by_role("link", name="下一周 ›").click()
    page.wait_for_url(f"**day={monday.isoformat()}")
    grid = page.locator(".cal-grid")
    assert grid.locator(".cal-post.attention").count() == 2  # 发布失败, 待人工核对 in red
    assert "发布失败" in grid.inner_text() and "待人工核对" in grid.inner_text()
    shot(page, "calendar-week")

    moved = page.locator(".cal-post", has_text="17:00")
    moved.locator("summary").click()
    moved.get_by_label("新的发布时间（北京时间）").fill(f"{monday + timedelta(days=5)} 08:30")
    moved.get_by_role("button", name="改期", exact=False).first.click()
    notice = page.locator(".flash")
    day = monday + timedelta(days=5)
    assert f"发布时间改为 {day.month}月{day.day}日 08:30" in notice.inner_text()
    assert page.url.endswith(f"day={monday.isoformat()}")  # back on the same week

    stopped = page.locator(".cal-post", has_text="10:00").filter(has_text="待发布")
    stopped.locator("summary").click()
    stopped.get_by_role("button", name="取消本账号的这次发布").click()
    assert "不会再发出" in page.locator(".flash").inner_text()
    assert "已取消" in page.locator(".cal-grid").inner_text()

    page.get_by_role("link", name="月视图").click()
    assert f"{monday.year}年" in page.locator("h4").inner_text()
    shot(page, "calendar-month")


async def _history(live: LiveService) -> tuple[int, int]:
    """One post sent to the sandbox's Weibo by the publisher, one left 待人工核对, older posts
    of the two WeChat accounts (8 and 16 days ago), a platform error and a live token."""
    sessions = live.app[keys.SESSIONS]
    sent = (
        await seed(sessions, 1, accounts=("ccmz_weibo",), title="寒潮救助提示")
    ).publication_ids[0]
    await live.app[keys.PUBLISHER].publish_due()
    now = utcnow()
    rest = await seed(sessions, 34, accounts=("ccmz_wechat",), due_at=now + timedelta(days=30))
    check, failed = rest.publication_ids[:2]
    older = await seed(sessions, 2, accounts=("ccmz_wechat", "ccyl_wechat"), title="往期动态")
    changes: dict[int, dict[str, Any]] = {
        check: {
            "status": "needs_check",
            "attempts": 1,
            "last_error": "发送结果不明，需人工核对",
            "due_at": now + timedelta(days=31),
        },
        failed: {
            "status": "failed",
            "attempts": 1,
            "last_error": "平台拒绝：与最近一条内容重复",
            "due_at": now + timedelta(days=32),
        },
        older.publication_ids[0]: {"status": "published", "published_at": now - timedelta(days=8)},
        older.publication_ids[1]: {"status": "published", "published_at": now - timedelta(days=16)},
    }
    async with sessions.begin() as s:
        for pub_id, values in changes.items():
            await s.execute(update(Publication).where(Publication.id == pub_id).values(**values))
        await audit.append(
            s, actor="system", action="publication.failed", subject_type="publication",
            subject_id=failed, detail={"account": "ccmz_wechat", "error": "平台拒绝：与最近一条内容重复"},
        )  # fmt: skip
    await live.app[TOKENS].put("ccmz_wechat", "never-shown", now + timedelta(hours=2))
    return sent, check


def test_a_reviewer_filters_retracts_and_settles(page: Any, live: LiveService) -> None:
    sent, check = live.run(_history(live))
    sign_in(page, live, "li_na")
    page.get_by_role("link", name="发布记录").click()
    page.wait_for_url(live.url("/console/publications"))
    assert "共 37 条，第 1 / 2 页" in page.locator("main").inner_text()
    assert page.locator("tr.attention").count() == 2  # 发布失败, 待人工核对 in red
    shot(page, "publications-list")
    page.get_by_role("link", name="下一页 ›").click()
    page.wait_for_url("**page=2")
    page.get_by_label("平台", exact=True).select_option("weibo")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**platform=weibo**")
    rows = page.locator('td[data-label="平台"]')
    assert rows.count() == 1 and rows.first.inner_text() == "微博"
    assert "已发布" in page.locator("main").inner_text()

    page.get_by_role("link", name="撤回或更正").click()
    page.wait_for_url(live.url(f"/console/publications/{sent}"))
    page.get_by_label("撤回原因（必填，记入审计日志）").fill("数据有误，更正后重发")
    page.get_by_label("确认从平台删除").check()
    page.get_by_role("button", name="撤回").click()
    assert f"已撤回发布记录 {sent}" in page.locator(".flash").inner_text()
    assert "已撤回" in page.locator("dl.pub").inner_text()

    page.goto(live.url(f"/console/publications/{check}"))
    shot(page, "publication-settle")
    page.get_by_label("未发出，也不再发（记为发布失败）").check()
    page.get_by_label("核对依据（必填，至少 4 个字）").fill("公众号后台已群发列表中没有这篇")
    page.get_by_role("button", name="记录核对结果").click()
    assert "已核对为「发布失败」" in page.locator(".flash").inner_text()

    page.get_by_role("link", name="账号", exact=True).click()
    page.wait_for_url(live.url("/console/accounts"))
    weibo = page.get_by_role("region", name="长春民政（微博）")
    assert "办公室" in weibo.inner_text() and "寒潮救助提示" in weibo.inner_text()
    wechat = page.get_by_role("region", name="长春民政（微信公众号）")
    assert "已 8 天未更新，还剩 6 天" in wechat.inner_text()
    assert "平台拒绝：与最近一条内容重复" in wechat.inner_text() and "正常" in wechat.inner_text()
    assert "never-shown" not in page.content()
    elderly = page.get_by_role("region", name="长春养老服务（微信公众号）")
    assert "已 16 天未更新，超过 14 天" in elderly.inner_text() and "失效" in elderly.inner_text()
    shot(page, "accounts-overview")
