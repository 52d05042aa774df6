"""The console's message page (issue 15 item 4) by forms alone: 转办, 关闭 / 忽略 with the
reason the domain requires, a 口径 found and inserted without JavaScript and sent, the public
answer route, a refused answer that comes back with its text and the reason, the domain's
refusals in Chinese, and another department's message answered as missing (404)."""

from __future__ import annotations

import html

from aiohttp.test_utils import TestClient
from console_support import sign_in
from inbox_support import add_shut_window_message, assigned_message
from sqlalchemy import select

from bot import keys
from bot.wordings import service as wordings
from channels.sandbox.app import Sandbox
from review.db import SessionFactory
from review.models import CitizenMessage, Note
from review.store import directory
from review.wordings.library import Proposal

APPROVED = "申请低保须同时具备本市户籍、家庭人均收入低于当地低保标准、家庭财产符合规定三个条件。"


async def elderly_message(sf: SessionFactory, key: str, *, status: str = "assigned") -> int:
    """A message of 养老服务处 (孙丽 answers it) whose window is still open."""
    msg_id = await assigned_message(sf, dedup_key=key, sender=f"o_{key}", text="养老补贴怎么申请？")
    async with sf.begin() as s:
        dept = await directory.department_by_key(s, "elderly")
        row = await s.get(CitizenMessage, msg_id)
        assert dept is not None and row is not None
        row.department_id, row.status, row.topic = dept.id, status, "养老服务"
    return msg_id


async def row(sf: SessionFactory, msg_id: int) -> CitizenMessage:
    async with sf() as s:
        found = await s.get(CitizenMessage, msg_id)
        assert found is not None
        return found


def box(page: str) -> str:
    """The answer box's content as the browser shows it."""
    return html.unescape(
        page.split('<textarea name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    )


async def test_transfer_refusals_in_chinese_then_the_message_moves(
    app_client: TestClient, sf: SessionFactory
) -> None:
    mid = await elderly_message(sf, "m-transfer")
    csrf = await sign_in(app_client, sf, "sun_li")
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    assert f'action="/console/inbox/{mid}/transfer"' in page
    assert '<option value="assistance">社会救助处</option>' in page
    assert '<option value="elderly">' not in page  # not to its own department
    url = f"/console/inbox/{mid}/transfer"

    r = await app_client.post(url, data={"csrf": csrf, "department": "assistance", "note": " "})
    page = await r.text()
    assert r.status == 200 and "未转办：转办需要填写说明" in page
    assert '<option value="assistance" selected>' in page  # the choice kept
    r = await app_client.post(url, data={"csrf": csrf, "department": "", "note": "不属本处"})
    page = await r.text()
    assert "请选择转办的处室" in page and "不属本处</textarea>" in page  # the note kept
    r = await app_client.post(url, data={"csrf": csrf, "department": "elderly", "note": "试试"})
    assert "留言已在该处室" in await r.text()
    assert (await row(sf, mid)).department_id != (await _dept(sf, "assistance"))

    r = await app_client.post(
        url,
        data={"csrf": csrf, "department": "assistance", "note": "属于低保事项"},
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"] == "/console/inbox"
    listing = await (await app_client.get("/console/inbox")).text()
    assert (
        f"留言 #{mid} 已转办至社会救助处。" in listing
        and f'href="/console/inbox/{mid}"' not in listing
    )
    assert (await row(sf, mid)).department_id == await _dept(sf, "assistance")
    assert (await app_client.get(f"/console/inbox/{mid}")).status == 404  # no longer theirs

    app_client.session.cookie_jar.clear()
    await sign_in(app_client, sf, "zheng_lei")  # 社会救助处 takes it over
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    assert "转办至社会救助处：属于低保事项" in page and "社会救助处" in page


async def _dept(sf: SessionFactory, key: str) -> int:
    async with sf() as s:
        dept = await directory.department_by_key(s, key)
        assert dept is not None
        return dept.id


async def test_an_answered_message_is_not_transferred(
    app_client: TestClient, sf: SessionFactory
) -> None:
    mid = await elderly_message(sf, "m-answered", status="answered")
    csrf = await sign_in(app_client, sf, "sun_li")
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    assert "/transfer" not in page and f'action="/console/inbox/{mid}/close"' in page
    r = await app_client.post(
        f"/console/inbox/{mid}/transfer",
        data={"csrf": csrf, "department": "assistance", "note": "转给救助处"},
    )
    assert r.status == 200 and f"留言 #{mid} 当前为「已答复」，不能转办" in await r.text()


async def test_close_needs_a_reason_and_dismiss_is_the_other_kind(
    app_client: TestClient, sf: SessionFactory
) -> None:
    mid = await elderly_message(sf, "m-close", status="answered")
    spam = await elderly_message(sf, "m-spam")
    csrf = await sign_in(app_client, sf, "sun_li")
    url = f"/console/inbox/{mid}/close"

    r = await app_client.post(url, data={"csrf": csrf, "kind": "close", "reason": "  "})
    assert r.status == 200 and "未关闭：请填写关闭原因" in await r.text()
    assert (await row(sf, mid)).status == "answered"

    r = await app_client.post(
        url,
        data={"csrf": csrf, "kind": "close", "reason": "已答复，事项办结"},
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"] == f"/console/inbox/{mid}"
    page = await (await app_client.get(r.headers["Location"])).text()
    assert f"留言 #{mid} 已关闭。" in page and "已关闭" in page
    assert f"/console/inbox/{mid}/reply" not in page and "/close" not in page  # nothing left to do
    closed = await row(sf, mid)
    assert (closed.status, closed.close_reason) == ("closed", "已答复，事项办结")

    r = await app_client.post(url, data={"csrf": csrf, "kind": "close", "reason": "再关一次"})
    page = await r.text()
    assert f"留言 #{mid} 当前为「已关闭」，不能关闭" in page and 'value="再关一次"' in page

    r = await app_client.post(
        f"/console/inbox/{spam}/close", data={"csrf": csrf, "kind": "dismiss", "reason": "广告"}
    )
    assert f"留言 #{spam} 已忽略。" in await r.text()
    assert (await row(sf, spam)).status == "dismissed"


async def approved_wording(client: TestClient) -> int:
    """李娜 writes it; 王强, 陈静 and 刘洋 approve it along its chain."""
    svc = client.app[keys.SERVICES]
    entry = await wordings.create(
        svc, "li_na", "wording", Proposal("低保申请条件", APPROVED, ("低保",)), None
    )
    await wordings.submit(svc, "li_na", entry.id)
    for person in ("wang_qiang", "chen_jing", "liu_yang"):
        await wordings.decide(svc, person, entry.id, approve=True, note=None)
    return entry.id


async def test_a_wording_is_found_and_inserted_without_javascript_then_sent(
    app_client: TestClient, sf: SessionFactory
) -> None:
    entry_id = await approved_wording(app_client)
    mid = await elderly_message(sf, "m-kouj")
    sandbox = app_client.app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    sandbox.note_user_message("ccmz_wechat", "o_m-kouj")  # the platform's window is open too
    csrf = await sign_in(app_client, sf, "sun_li")
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    assert f'formaction="/console/inbox/{mid}/compose"' in page  # plain form buttons, no script
    assert "<script" not in page

    compose = f"/console/inbox/{mid}/compose"
    typed = "您好，关于您咨询的低保："
    r = await app_client.post(
        compose, data={"csrf": csrf, "text": typed, "kouj": "低保", "route": "cs"}
    )
    page = await r.text()
    assert r.status == 200 and f'name="insert" value="{entry_id}"' in page and APPROVED in page
    assert box(page) == typed  # searching keeps what was typed

    r = await app_client.post(
        compose, data={"csrf": csrf, "text": typed, "kouj": "低保", "insert": str(entry_id)}
    )
    page = await r.text()
    assert box(page) == f"{typed}\n{APPROVED}" and f"已将口径{entry_id}插入答复内容" in page

    answer = box(page) + "如有疑问可到街道窗口咨询。"
    r = await app_client.post(
        f"/console/inbox/{mid}/reply",
        data={"csrf": csrf, "text": answer, "route": "cs"},
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    sent = sandbox.wechat.state("ccmz_wechat").sent
    assert sent and sent[-1].openid == "o_m-kouj" and APPROVED in sent[-1].text
    assert (await row(sf, mid)).status == "answered"

    missing = await app_client.post(compose, data={"csrf": csrf, "text": typed, "insert": "9999"})
    page = await missing.text()
    assert "口径9999 不存在" in page and box(page) == typed


async def test_the_public_answer_route_writes_a_post_for_review(
    app_client: TestClient, sf: SessionFactory
) -> None:
    mid = await elderly_message(sf, "m-public")
    csrf = await sign_in(app_client, sf, "sun_li")
    r = await app_client.post(
        f"/console/inbox/{mid}/reply",
        data={
            "csrf": csrf,
            "text": "您好，养老补贴可到户籍所在街道申请，材料清单见本栏目。",
            "route": "public",
        },
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    page = await (await app_client.get(r.headers["Location"])).text()
    msg = await row(sf, mid)
    assert msg.public_draft_id is not None and msg.status == "assigned"  # answered once published
    assert "公开答复已提交审核" in page and f'href="/console/drafts/{msg.public_draft_id}"' in page


async def test_a_refused_answer_keeps_the_text_and_says_why_in_console_words(
    app_client: TestClient, sf: SessionFactory
) -> None:
    async with sf.begin() as s:
        mid = (await add_shut_window_message(s, "m-shut", "养老院暖气不热")).id
    csrf = await sign_in(app_client, sf, "sun_li")
    typed = "您好，已联系养老院，今天恢复供暖。"
    r = await app_client.post(
        f"/console/inbox/{mid}/reply", data={"csrf": csrf, "text": typed, "route": "cs"}
    )
    page = await r.text()
    assert r.status == 200 and box(page) == typed
    assert "已超出 48 小时回复窗口" in page and 'value="cs" checked' in page
    assert "提交「答复方式：公开答复」" in page  # what to do here, not a chat command
    assert f"公开答复 #{mid}" not in page
    assert (await row(sf, mid)).status == "assigned"


async def test_another_departments_message_is_missing_and_an_admin_reads_why_not(
    app_client: TestClient, sf: SessionFactory
) -> None:
    mid = await elderly_message(sf, "m-hidden")
    csrf = await sign_in(app_client, sf, "li_na")  # 办公室 replier
    r = await app_client.get(f"/console/inbox/{mid}")
    assert r.status == 404 and "养老补贴" not in await r.text()
    for action, form in (
        ("reply", {"text": "您好", "route": "phone"}),
        ("compose", {"text": "您好", "insert": "1"}),
        ("transfer", {"department": "office", "note": "我来办"}),
        ("close", {"reason": "重复"}),
    ):
        r = await app_client.post(f"/console/inbox/{mid}/{action}", data={"csrf": csrf, **form})
        assert r.status == 404, action
    assert (
        f'href="/console/inbox/{mid}"' not in await (await app_client.get("/console/inbox")).text()
    )
    msg = await row(sf, mid)
    assert (msg.status, msg.department_id) == ("assigned", await _dept(sf, "elderly"))
    async with sf() as s:
        assert (await s.scalars(select(Note).where(Note.message_id == mid))).all() == []

    app_client.session.cookie_jar.clear()
    csrf = await sign_in(app_client, sf, "ma_jun")  # admin: reads it, may not act on it
    page = await (await app_client.get(f"/console/inbox/{mid}")).text()
    assert "养老补贴" in page and f"只有承办处室的答复人可以处理留言 #{mid}" in page
    assert "/close" not in page
    r = await app_client.post(
        f"/console/inbox/{mid}/close", data={"csrf": csrf, "kind": "close", "reason": "重复"}
    )
    assert f"未关闭：只有承办处室的答复人可以处理留言 #{mid}" in await r.text()
    assert (await row(sf, mid)).status == "assigned"
