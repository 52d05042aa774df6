"""@mentions of the account on Weibo, against the sandbox: statuses/mentions and
comments/mentions with since_id / max_id paging, the channel's walk and its budget stop,
comments/create under a mentioning status, the hourly comment limit, fan-service messages."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env

from channels.base import Post, Rejected, Transient
from channels.sandbox.config import WeiboAccount
from channels.sandbox.weibo_state import (
    Comment,
    OtherStatus,
    PrivateMessage,
    WeiboState,
    dump,
    restore,
)
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from channels.weibo.errors import NO_MESSAGE_QUOTA
from channels.weibo.inbound import COMMENT_MENTIONS, COMMENTS, STATUS_MENTIONS

ACCOUNT = "weibo-main"


def api_for(env: Env) -> WeiboAPI:
    account = env.sandbox.config.weibo[0]
    return WeiboAPI(
        account.account_key, account.access_token, rip="127.0.0.1", base_url=env.url("weibo")
    )


async def own_status(weibo: WeiboChannel) -> str:
    post = Post(
        publication_id=1,
        account_key=ACCOUNT,
        title="低保申请指南",
        body_markdown="申请条件与材料。",
        link_url="https://mzj.example.gov.cn/art/1.html",
        idempotency_key="m-1",
    )
    return (await weibo.publish(post)).remote_id or ""


async def test_status_mentions_page_newest_first_with_since_and_max_id(
    env: Env, weibo_api: WeiboAPI
) -> None:
    sb = env.sandbox.weibo
    ids = [sb.mention_in_status(ACCOUNT, f"请问低保怎么办{i}") for i in range(5)]
    first = await weibo_api.listing("statuses/mentions.json", count=2)
    assert [s["id"] for s in first["statuses"]] == [ids[4], ids[3]]
    assert first["total_number"] == 5 and first["next_cursor"] == ids[3] - 1
    assert first["statuses"][0]["text"].startswith("@示例市民政局 ")
    assert first["statuses"][0]["user"]["idstr"] == "6000000002"
    older = await weibo_api.listing("statuses/mentions.json", max_id=str(ids[2]), count=2)
    assert [s["id"] for s in older["statuses"]] == [ids[2], ids[1]]
    newer = await weibo_api.listing("statuses/mentions.json", since_id=str(ids[2]))
    assert [s["id"] for s in newer["statuses"]] == [ids[4], ids[3]]


async def test_comment_mentions_include_comments_under_citizens_statuses(
    env: Env, weibo: WeiboChannel, weibo_api: WeiboAPI
) -> None:
    sb = env.sandbox.weibo
    sid = await own_status(weibo)
    on_ours = sb.mention_in_comment(ACCOUNT, "这个指南在哪看？", status_id=sid)
    elsewhere = sb.mention_in_comment(ACCOUNT, "民政局管不管？")
    data = await weibo_api.listing("comments/mentions.json")
    assert [c["id"] for c in data["comments"]] == [elsewhere, on_ours]
    assert data["comments"][1]["status"]["idstr"] == sid
    foreign = data["comments"][0]["status"]
    assert foreign["user"]["idstr"] != sb.state(ACCOUNT).account.uid
    # a mention under the account's own status is also a comment to it (one id: one message)
    to_me = await weibo_api.comments_to_me()
    assert [c["id"] for c in to_me["comments"]] == [on_ours]
    # citizens' statuses that do not mention the account are not mentions
    assert (await weibo_api.listing("statuses/mentions.json"))["statuses"] == []


async def test_channel_walks_mentions_and_stops_at_the_budget(env: Env) -> None:
    api = api_for(env)
    weibo = WeiboChannel(api, safe_domain="mzj.example.gov.cn", page_size=2)
    sb = env.sandbox.weibo
    ids = [sb.mention_in_status(ACCOUNT, f"问题{i}") for i in range(5)]
    page = await weibo.fetch(STATUS_MENTIONS, None)
    assert [m.text.split()[-1] for m in page.messages] == [f"问题{i}" for i in range(5)]
    assert page.cursor == str(ids[-1])
    first = page.messages[0]
    assert (first.msg_type, first.dedup_key, first.remote_ref) == (
        "mention_status",
        f"status:{ids[0]}",
        str(ids[0]),
    )
    assert env.sandbox.recorder.count("2/statuses/mentions.json") == 3

    newer = [sb.mention_in_status(ACCOUNT, f"新问题{i}") for i in range(3)]
    allowed = iter([True, False])

    async def one_call() -> bool:
        return next(allowed)

    stopped = await weibo.fetch(STATUS_MENTIONS, page.cursor, may_call=one_call)
    assert [m.dedup_key for m in stopped.messages] == [f"status:{i}" for i in newer[1:]]
    assert stopped.cursor == page.cursor  # the gap is walked again with tomorrow's budget
    done = await weibo.fetch(STATUS_MENTIONS, stopped.cursor)
    assert [m.dedup_key for m in done.messages] == [f"status:{i}" for i in newer]
    assert done.cursor == str(newer[-1])
    await api.close()


async def test_comment_mention_messages_are_comments_on_their_status(
    env: Env, weibo: WeiboChannel
) -> None:
    sid = await own_status(weibo)
    cid = env.sandbox.weibo.mention_in_comment(ACCOUNT, "请回复", status_id=sid)
    mentions = await weibo.fetch(COMMENT_MENTIONS, None)
    comments = await weibo.fetch(COMMENTS, None)
    assert [m.dedup_key for m in mentions.messages] == [m.dedup_key for m in comments.messages]
    assert mentions.messages[0].dedup_key == str(cid)
    assert mentions.messages[0].msg_type == "mention_comment"
    assert mentions.messages[0].remote_ref == sid


async def test_answering_a_mention_comments_under_the_status(env: Env, weibo: WeiboChannel) -> None:
    sb = env.sandbox.weibo
    sid = sb.mention_in_status(ACCOUNT, "养老补贴什么时候发？")
    await weibo.reply(f"status:{sid}", "您好，本月底前发放。")
    ours = sb.state(ACCOUNT).replies
    assert [(c.status_id, c.reply_to, c.text) for c in ours] == [
        (sid, None, "您好，本月底前发放。")
    ]
    with pytest.raises(Rejected) as too_long:
        await weibo.reply(f"status:{sid}", "长" * 141)
    assert too_long.value.code == "limit_comment"
    with pytest.raises(Rejected) as missing:
        await weibo.reply("status:123", "不存在的微博")
    assert missing.value.code == 20101


async def test_hourly_comment_limit_is_a_transient_rate_limit(make_env: Any) -> None:
    env: Env = await make_env(weibo_comments_per_hour=1)
    api = api_for(env)
    weibo = WeiboChannel(api, safe_domain="mzj.example.gov.cn")
    sid = env.sandbox.weibo.mention_in_status(ACCOUNT, "问一下")
    await weibo.reply(f"status:{sid}", "第一条")
    with pytest.raises(Transient) as limited:
        await weibo.reply(f"status:{sid}", "第二条")
    assert limited.value.code == 10024 and limited.value.retry_after == 3600.0
    await api.close()


async def test_private_message_needs_the_citizen_to_have_written(
    env: Env, weibo: WeiboChannel
) -> None:
    sb = env.sandbox.weibo
    with pytest.raises(Rejected) as refused:
        await weibo.reply("user:6000000005", "您好")
    assert refused.value.code == NO_MESSAGE_QUOTA
    sb.note_user_message(ACCOUNT, "6000000005")
    await weibo.reply("user:6000000005", "您好，已收到。")
    assert [(m.receiver_id, m.text) for m in sb.state(ACCOUNT).messages] == [
        ("6000000005", "您好，已收到。")
    ]
    with pytest.raises(Rejected):
        await weibo.reply("user:6000000005", "长" * 300)


def test_mentions_and_messages_survive_the_state_document() -> None:
    account = WeiboAccount(ACCOUNT, "t", "5000000001", "mzj.example.gov.cn", "示例市民政局")
    state = WeiboState(account)
    state.others = [OtherStatus(11, "6", "市民", "@示例市民政局 问", 1.0)]
    state.mention_comments = [Comment(12, 11, "7", "市民", "@示例市民政局 问", 2.0)]
    state.messages = [PrivateMessage(13, "7", "答", 3.0)]
    state.contacts = {"7": 2.5}
    state.comment_calls = (5, 2)
    again = WeiboState(account)
    restore(again, dump(state))
    assert dump(again) == dump(state)
    assert again.by_other[11].text == "@示例市民政局 问" and 12 in again.by_comment
    older = dump(state)
    for key in ("others", "mention_comments", "messages", "contacts", "comment_calls"):
        del older[key]
    restore(WeiboState(account), older)  # a document from before mentions still loads
