"""A comment under a WeChat article, end to end on the real app and the demo sandbox: the
article goes out with comments open (its kind is configured), a reader comments, the pull
stores it once, a replier answers it in place, 精选 and deletion with a reason are audited, and
what may not be done is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from app_support import run_cli
from console_support import origin, sign_in
from inbox_support import demo_client, sandbox_of
from publishing_support import seed
from sqlalchemy import select

from bot import keys
from bot.config.load import Settings
from bot.inbox import comment_ticks, comments
from bot.inbox import service as inbox_service
from bot.inbox import ticks as inbox_ticks
from review.db import SessionFactory
from review.errors import Conflict, Forbidden, ValidationFailed
from review.models import (
    AuditEvent,
    CitizenMessage,
    Cursor,
    MessageReply,
    Publication,
    WeChatComment,
)
from review.publishing.reconciliation import poll_pending

QUESTION = "孤儿基本生活费标准是多少？"
ABUSE = "孤儿的事你们管不管，一群废物"


@pytest.fixture
async def client(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient[Any, Any]]:
    async with demo_client(settings) as c:  # sf: the database is migrated first
        yield c


async def publish_article(client: TestClient[Any, Any], sf: SessionFactory) -> Publication:
    """A 工作动态 post through the publisher; the sandbox finishes the job when told (no
    waiting on its timer), the pending poll settles it."""
    sandbox = sandbox_of(client)
    sandbox.set_event_sink(None)
    await seed(sf, 1, accounts=("ccmz_wechat",), title="冬季救助")
    publisher = client.app[keys.PUBLISHER]
    assert await publisher.publish_due() == 1
    state = sandbox.wechat.state("ccmz_wechat")
    [job] = state.jobs.values()
    sandbox.wechat.publishing.finish(state, job)
    assert await poll_pending(publisher) == 1
    async with sf() as s:
        pub = await s.scalar(select(Publication))
    assert pub is not None and pub.status == "published"
    return pub


async def comment_rows(sf: SessionFactory) -> list[CitizenMessage]:
    async with sf() as s:
        q = select(CitizenMessage).where(CitizenMessage.msg_type == "comment")
        return list((await s.scalars(q.order_by(CitizenMessage.id))).all())


async def actions(sf: SessionFactory, message_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    async with sf() as s:
        q = select(AuditEvent).where(
            AuditEvent.subject_type == "message", AuditEvent.subject_id == str(message_id)
        )
        return [(e.action, e.actor, e.detail) for e in (await s.scalars(q)).all()]


@pytest.mark.pg
async def test_a_comment_is_pulled_once_answered_in_place_elected_and_deleted(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    app, sandbox = client.app, sandbox_of(client)
    pub = await publish_article(client, sf)
    # the article went out with comments open, and the receipt names it for the pull
    [draft] = sandbox.recorder.find(endpoint="cgi-bin/draft/add")
    assert draft.params["articles"][0]["need_open_comment"] == 1
    msg_data_id = pub.receipt_extra["msg_data_id"]
    assert pub.receipt_extra["comments_open"] == "1" and msg_data_id

    cid = sandbox.wechat.add_comment("ccmz_wechat", msg_data_id, QUESTION, openid="o_reader")
    await comment_ticks.poll_wechat_comments(app)
    await comment_ticks.poll_wechat_comments(app)  # fetched again: stored once
    [row] = await comment_rows(sf)
    assert (row.platform, row.sender, row.text) == ("wechat", "o_reader", QUESTION)
    assert row.remote_ref == f"{msg_data_id}:1:{cid}" and row.reply_window_closes_at is None

    sandbox.wechat.add_comment("ccmz_wechat", msg_data_id, ABUSE, openid="o_rude")
    await comment_ticks.poll_wechat_comments(app)
    question, abuse = await comment_rows(sf)
    assert question.id == row.id and abuse.text == ABUSE
    async with sf() as s:
        cursor = await s.get(Cursor, f"wechat:comments:ccmz_wechat:{msg_data_id}:1")
    assert cursor is not None and cursor.value == "2"

    await inbox_ticks.process_new(app, 50)
    services = app[keys.SERVICES]
    result = await inbox_service.send_answer(services, row.id, "he_ping", "您好，标准见官网公告。")
    assert "已答复" in result and "已公开显示在该评论下方" in result
    [answered] = sandbox.wechat.comments.comments_of("ccmz_wechat", msg_data_id)[:1]
    assert answered.reply == "您好，标准见官网公告。"
    assert sandbox.recorder.count("cgi-bin/message/custom/send") == 0  # no service message
    async with sf() as s:
        msg = await s.get(CitizenMessage, row.id)
        reply = await s.scalar(select(MessageReply).where(MessageReply.message_id == row.id))
    assert msg is not None and msg.status == "answered" and msg.answer_route == "comment"
    assert reply is not None and reply.route == "comment" and reply.status == "sent"

    assert (
        await comments.moderate(services, row.id, "he_ping", "elect") == f"留言 #{row.id} 已精选。"
    )
    assert answered.elected
    with pytest.raises(ValidationFailed, match="须写明原因"):
        await comments.moderate(services, abuse.id, "he_ping", "delete", "  ")
    with pytest.raises(Forbidden):
        await comments.moderate(services, abuse.id, "sun_li", "delete", "辱骂")
    done = await comments.moderate(services, abuse.id, "he_ping", "delete", "含辱骂内容")
    assert "已删除" in done
    assert sandbox.wechat.comments.comments_of("ccmz_wechat", msg_data_id)[1].deleted
    async with sf() as s:
        state = await s.get(WeChatComment, abuse.id)
    assert state is not None and state.deleted_at and state.delete_reason == "含辱骂内容"
    assert ("message.comment_delete", "he_ping", {"reason": "含辱骂内容"}) in await actions(
        sf, abuse.id
    )
    assert ("message.comment_elect", "he_ping", {}) in await actions(sf, row.id)

    page = await (await client.get("/sandbox/")).text()
    assert "作者回复：您好，标准见官网公告。" in page and QUESTION in page


async def test_an_article_of_a_closed_kind_is_not_pulled(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    pub = await publish_article(client, sf)
    async with sf.begin() as s:
        row = await s.get(Publication, pub.id)
        assert row is not None
        row.receipt_extra = {**row.receipt_extra, "comments_open": "0"}
    await comment_ticks.poll_wechat_comments(client.app)
    assert sandbox_of(client).recorder.count("cgi-bin/comment/list") == 0


async def test_an_empty_page_with_a_count_keeps_the_cursor(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    sandbox = sandbox_of(client)
    pub = await publish_article(client, sf)
    msg_data_id = pub.receipt_extra["msg_data_id"]
    sandbox.wechat.add_comment("ccmz_wechat", msg_data_id, QUESTION)
    sandbox.wechat.script_empty_comment_lists("ccmz_wechat")
    await comment_ticks.poll_wechat_comments(client.app)
    assert await comment_rows(sf) == []
    await comment_ticks.poll_wechat_comments(client.app)  # the next pull asks again
    assert [r.text for r in await comment_rows(sf)] == [QUESTION]


async def test_console_buttons_moderate_and_refuse_a_delete_without_reason(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    sandbox = sandbox_of(client)
    pub = await publish_article(client, sf)
    sandbox.wechat.add_comment("ccmz_wechat", pub.receipt_extra["msg_data_id"], ABUSE)
    await comment_ticks.poll_wechat_comments(client.app)
    await inbox_ticks.process_new(client.app, 50)
    [row] = await comment_rows(sf)
    csrf = await sign_in(client, sf, "he_ping")
    page = await (await client.get(f"/console/inbox/{row.id}")).text()
    assert "公众号文章留言" in page and "设为精选" in page and "删除原因" in page
    url = f"/console/inbox/{row.id}/comment"
    r = await client.post(url, data={"csrf": csrf, "action": "delete"}, headers=origin(client))
    assert "须写明原因" in await r.text()
    [kept] = sandbox.wechat.comments.comments_of("ccmz_wechat", pub.receipt_extra["msg_data_id"])
    assert not kept.deleted
    form = {"csrf": csrf, "action": "delete", "reason": "含辱骂内容"}
    r = await client.post(url, data=form, headers=origin(client))
    assert "已删除（含辱骂内容）" in await r.text() and kept.deleted


def test_cli_comment_refuses_an_unknown_message(
    cli_workdir: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(
        capsys, "inbox", "comment", "delete", "99", "--as", "he_ping", "--reason", "辱骂"
    )
    assert code != 0 and "留言 #99 不存在" in err


def test_cli_sandbox_comment_names_the_article_by_its_publication_number(
    cli_workdir: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(
        capsys, "sandbox", "comment", "1", "留言", "--url", "http://127.0.0.1:9"
    )
    assert code != 0 and "发布 1 不存在" in err and "publications list" in err


async def pulled_comment(
    client: TestClient[Any, Any], sf: SessionFactory, text: str
) -> tuple[int, str]:
    """One reader's comment under a published article, pulled and routed: its message id and
    the article's msg_data_id."""
    pub = await publish_article(client, sf)
    msg_data_id = pub.receipt_extra["msg_data_id"]
    sandbox_of(client).wechat.add_comment("ccmz_wechat", msg_data_id, text, openid="o_reader")
    await comment_ticks.poll_wechat_comments(client.app)
    await inbox_ticks.process_new(client.app, 50)
    [row] = await comment_rows(sf)
    return row.id, msg_data_id


async def test_a_comment_with_a_mobile_number_is_not_elected(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    sandbox = sandbox_of(client)
    message_id, msg_data_id = await pulled_comment(
        client, sf, "孤儿基本生活费怎么领？我电话13912345678，请回电"
    )
    with pytest.raises(ValidationFailed) as refused:
        await comments.moderate(client.app[keys.SERVICES], message_id, "he_ping", "elect")
    assert refused.value.message == (
        f"留言 #{message_id} 含个人信息：手机号（1处），不能精选；可删除或直接答复"
    )
    assert sandbox.recorder.count("cgi-bin/comment/markelect") == 0  # refused before the call
    [kept] = sandbox.wechat.comments.comments_of("ccmz_wechat", msg_data_id)
    assert not kept.elected
    async with sf() as s:
        assert await s.get(WeChatComment, message_id) is None
    assert not [a for a, _, _ in await actions(sf, message_id) if "comment_elect" in a]


async def test_a_deleted_comment_leaves_the_queue_and_takes_no_answer(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    services, sandbox = client.app[keys.SERVICES], sandbox_of(client)
    message_id, msg_data_id = await pulled_comment(client, sf, ABUSE)
    assert [v.id for v in await inbox_service.list_for(services, "he_ping")] == [message_id]
    await comments.moderate(services, message_id, "he_ping", "delete", "含辱骂内容")

    async with sf() as s:
        msg = await s.get(CitizenMessage, message_id)
    assert msg is not None and msg.status == "dismissed"
    assert msg.close_reason == "评论已删除：含辱骂内容"
    assert await inbox_service.list_for(services, "he_ping") == []  # out of the open queue
    done = [(a, d) for a, _, d in await actions(sf, message_id) if a != "message.routed"]
    assert ("message.comment_delete", {"reason": "含辱骂内容"}) in done
    assert ("message.dismissed", {"reason": "评论已删除：含辱骂内容"}) in done
    shown = await inbox_service.show(services, message_id, "he_ping")
    assert shown["status_label"] == "已忽略" and shown["comment"] == "已删除（含辱骂内容）"
    assert [n["text"] for n in shown["notes"]] == ["评论已删除：含辱骂内容"]
    await sign_in(client, sf, "he_ping")
    page = await (await client.get(f"/console/inbox/{message_id}")).text()
    assert "已忽略" in page and "已删除（含辱骂内容）" in page and "评论已删除：含辱骂内容" in page

    # an answer to it is refused before any platform call, and nothing is stored
    with pytest.raises(Conflict) as refused:
        await inbox_service.send_answer(services, message_id, "he_ping", "您好，请文明留言。")
    assert refused.value.message == f"留言 #{message_id} 对应的文章评论已删除，不能再答复"
    assert sandbox.recorder.count("cgi-bin/comment/reply/add") == 0
    [gone] = sandbox.wechat.comments.comments_of("ccmz_wechat", msg_data_id)
    assert gone.deleted and gone.reply is None
    async with sf() as s:
        q = select(MessageReply).where(MessageReply.message_id == message_id)
        assert (await s.scalars(q)).all() == []


async def test_an_answered_comment_deleted_later_is_closed_not_reopened(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    services = client.app[keys.SERVICES]
    message_id, _ = await pulled_comment(client, sf, QUESTION)
    await inbox_service.send_answer(services, message_id, "he_ping", "您好，标准见官网公告。")
    await comments.moderate(services, message_id, "he_ping", "delete", "重复留言")
    async with sf() as s:
        msg = await s.get(CitizenMessage, message_id)
    assert msg is not None and msg.status == "closed"
    assert msg.close_reason == "评论已删除：重复留言"
    assert "message.closed" in [a for a, _, _ in await actions(sf, message_id)]
