"""The inbox in a real browser (issue 15 item 4): a replier narrows the list with the filter
form, opens a message, finds a 口径, inserts it with a button (no script on the page) and sends
the answer; screenshots of the filtered list and the message page at both widths."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from browser_support import LiveService, shot, sign_in

from bot import keys
from bot.wordings import service as wordings
from channels.sandbox.app import Sandbox
from review.models import CitizenMessage, utcnow
from review.store import directory
from review.wordings.library import Proposal

APPROVED = "申请低保须同时具备本市户籍、家庭人均收入低于当地低保标准、家庭财产符合规定三个条件。"
QUESTION = "我母亲独居，想问问家里能不能申请低保？"


async def _wording(live: LiveService) -> int:
    svc = live.app[keys.SERVICES]
    entry = await wordings.create(
        svc, "li_na", "wording", Proposal("低保申请条件", APPROVED, ("低保",)), None
    )
    await wordings.submit(svc, "li_na", entry.id)
    for person in ("wang_qiang", "chen_jing", "liu_yang"):
        await wordings.decide(svc, person, entry.id, approve=True, note=None)
    return entry.id


async def _messages(live: LiveService) -> int:
    """养老服务处's queue: the hot one whose window closes in 5 hours (to answer), a hot one
    with no window, an overdue one and a quiet one. Returns the first one's id."""
    now = utcnow()
    rows = [
        ("b-hot", QUESTION, True, timedelta(days=2), timedelta(hours=5)),
        ("b-hot-2", "老人摔倒后养老院没有及时送医，请尽快处理", True, timedelta(days=1), None),
        ("b-late", "上个月的高龄津贴还没有到账", False, -timedelta(hours=3), timedelta(hours=30)),
        ("b-quiet", "社区食堂的开放时间是几点？", False, timedelta(days=5), timedelta(hours=40)),
    ]
    async with live.app[keys.SESSIONS].begin() as s:
        dept = await directory.department_by_key(s, "elderly")
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert dept is not None and account is not None
        made = []
        for key, text, hot, deadline, window in rows:
            msg = CitizenMessage(
                account_id=account.id, platform="wechat", dedup_key=key, sender=f"o_{key}",
                msg_type="text", text=text, status="assigned", topic="养老服务",
                department_id=dept.id, hot=hot, processed=True,
                received_at=now - timedelta(hours=1), deadline_at=now + deadline,
                reply_window_closes_at=now + window if window else None,
            )  # fmt: skip
            s.add(msg)
            made.append(msg)
        await s.flush()
        return made[0].id


async def _citizen_wrote(sandbox: Sandbox) -> None:
    """The platform's own window opens too (on the service's thread: the sandbox's state file is
    a sqlite3 connection made there)."""
    sandbox.note_user_message("ccmz_wechat", "o_b-hot")


def test_a_replier_filters_the_inbox_and_answers_with_a_wording(
    page: Any, live: LiveService
) -> None:
    entry_id = live.run(_wording(live))
    mid = live.run(_messages(live))
    sandbox = live.app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    live.run(_citizen_wrote(sandbox))

    sign_in(page, live, "sun_li")
    page.get_by_role("link", name="留言", exact=True).click()
    page.wait_for_url(live.url("/console/inbox"))
    assert page.locator("tbody tr").count() == 4

    page.get_by_label("只看热点").check()
    page.get_by_label("回复窗口").select_option("24")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/console/inbox?*hot=1*")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "回复窗口" in rows.first.inner_text()
    assert page.get_by_label("只看热点").is_checked()
    shot(page, "inbox-list")

    page.get_by_role("link", name=f"#{mid}").click()
    page.wait_for_url(live.url(f"/console/inbox/{mid}"))
    assert page.locator("script").count() == 0  # the forms work without JavaScript
    assert QUESTION in page.locator("pre").inner_text()
    box = page.get_by_label("答复内容或通话摘要（发送前经个人信息与用语检查）")
    box.fill("您好，")
    page.get_by_label("查找口径（关键词）").fill("低保")
    page.get_by_role("button", name="查找口径").click()
    page.wait_for_url(live.url(f"/console/inbox/{mid}/compose"))
    assert box.input_value() == "您好，"  # searching kept what was typed
    page.get_by_role("button", name=f"将口径{entry_id}插入答复").click()
    page.get_by_text(f"已将口径{entry_id}插入答复内容").wait_for()
    assert box.input_value() == f"您好，\n{APPROVED}"
    shot(page, "inbox-message")

    page.get_by_role("button", name="提交答复").click()
    page.wait_for_url(live.url(f"/console/inbox/{mid}"))
    assert f"留言 #{mid} 已答复" in page.locator(".flash").inner_text()
    sent = sandbox.wechat.state("ccmz_wechat").sent
    assert sent and sent[-1].openid == "o_b-hot" and APPROVED in sent[-1].text
