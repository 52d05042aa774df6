"""The WeChat comment adapter on the shipped sandbox: comments opened per kind at publish time,
the receipt naming the article, and list / reply / 精选 / delete with the platform's errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_env import Env

from channels.base import CallEffect, Post, Receipt, ReceiptState, Rejected
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from channels.wechat.comments import ELECTED, ORDINARY, ArticleRef, parse_ref, ref_text
from channels.wechat.endpoints import EFFECTS
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import ARTICLE_IMAGE, THUMB


def post(key: str, kind: str) -> Post:
    return Post(
        publication_id=1,
        account_key="wechat-main",
        title="今冬救助工作安排",
        body_markdown="本市今冬救助工作有序开展。",
        kind=kind,
        cover_path="cover.png",
        idempotency_key=key,
    )


@pytest.fixture
def channel(wechat_api: WeChatAPI, media: Path) -> WeChatChannel:
    policy = MediaPolicy(media, 10 * 2**20)
    return WeChatChannel(
        wechat_api,
        load_image=publish_loader(policy, profile=ARTICLE_IMAGE),
        load_cover=publish_loader(policy, profile=THUMB),
        comment_kinds=frozenset({"工作动态"}),
        only_fans_can_comment=True,
    )


async def published(env: Env, channel: WeChatChannel, p: Post) -> Receipt:
    """Publish, let the sandbox finish the job now (no waiting on its timer), then check."""
    receipt = await channel.publish(p)
    state = env.sandbox.wechat.state("wechat-main")
    env.sandbox.wechat.publishing.finish(state, state.jobs[receipt.remote_id or ""])
    return await channel.check(p, receipt)


async def test_a_configured_kind_goes_out_with_comments_open(
    env: Env, channel: WeChatChannel
) -> None:
    done = await published(env, channel, post("k-open", "工作动态"))
    assert done.state is ReceiptState.PUBLISHED
    assert done.extra["comments_open"] == "1" and done.extra["comment_index"] == "1"
    [draft] = env.sandbox.recorder.find(endpoint="cgi-bin/draft/add")
    article = draft.params["articles"][0]
    assert article["need_open_comment"] == 1 and article["only_fans_can_comment"] == 1
    [post_] = env.sandbox.wechat.state("wechat-main").timeline
    assert post_.msg_data_id == done.extra["msg_data_id"] and post_.articles[0].comments_open


async def test_any_other_kind_goes_out_closed_and_takes_no_comment(
    env: Env, channel: WeChatChannel
) -> None:
    done = await published(env, channel, post("k-closed", "通知公告"))
    assert done.extra["comments_open"] == "0"
    [draft] = env.sandbox.recorder.find(endpoint="cgi-bin/draft/add")
    assert draft.params["articles"][0]["need_open_comment"] == 0
    with pytest.raises(Exception, match="closed"):
        env.sandbox.wechat.add_comment("wechat-main", done.extra["msg_data_id"], "我想留言")


async def test_list_reply_elect_delete(env: Env, channel: WeChatChannel) -> None:
    done = await published(env, channel, post("k-ops", "工作动态"))
    ref = ArticleRef(done.extra["msg_data_id"])
    sb = env.sandbox.wechat
    first = sb.add_comment("wechat-main", ref.msg_data_id, "请问补贴何时发放？", openid="o_a")
    second = sb.add_comment("wechat-main", ref.msg_data_id, "骂人的话", openid="o_b")
    page = await channel.comments.list_page(ref)
    assert page.total == 2 and [c.openid for c in page.comments] == ["o_a", "o_b"]

    await channel.comments.reply(ref, str(first), "您好，本月底前发放。")
    await channel.comments.elect(ref, str(first))
    [elected] = (await channel.comments.list_page(ref, kind=ELECTED)).comments
    assert elected.reply == "您好，本月底前发放。" and elected.elected
    assert [
        c.user_comment_id for c in (await channel.comments.list_page(ref, kind=ORDINARY)).comments
    ] == [str(second)]
    await channel.comments.unelect(ref, str(first))
    assert (await channel.comments.list_page(ref, kind=ELECTED)).comments == []

    await channel.comments.delete(ref, str(second))
    assert (await channel.comments.list_page(ref)).total == 1
    assert sb.comments.comments_of("wechat-main", ref.msg_data_id)[1].deleted
    with pytest.raises(Rejected) as again:
        await channel.comments.delete(ref, str(second))
    assert again.value.code == 40097


async def test_platform_errors_map_to_rejected_with_chinese_reasons(
    env: Env, channel: WeChatChannel
) -> None:
    with pytest.raises(Rejected) as missing:
        await channel.comments.list_page(ArticleRef("999999"))
    assert missing.value.code == 88001 and "msg_data_id" in missing.value.message
    done = await published(env, channel, post("k-err", "工作动态"))
    article = env.sandbox.wechat.state("wechat-main").timeline[0].articles[0]
    article.comments_limited = True
    with pytest.raises(Rejected) as limited:
        await channel.comments.list_page(ArticleRef(done.extra["msg_data_id"]))
    assert limited.value.code == 88002 and "限制留言" in limited.value.message
    with pytest.raises(Rejected, match="1 到 49"):
        await channel.comments.list_page(ArticleRef(done.extra["msg_data_id"]), count=50)


def test_every_comment_write_may_be_public_and_list_only_reads() -> None:
    writes = ["open", "close", "markelect", "unmarkelect", "delete", "reply/add", "reply/delete"]
    assert all(EFFECTS[f"comment/{w}"] is CallEffect.PUBLIC for w in writes)
    assert EFFECTS["comment/list"] is CallEffect.READ


def test_a_stored_reference_names_article_and_comment() -> None:
    ref = ArticleRef("2247483650", 2)
    assert parse_ref(ref_text(ref, "17")) == (ref, "17")
    for broken in ("", "2247483650:x:17", "2247483650:1"):
        with pytest.raises(Rejected, match="无法在原处答复"):
            parse_ref(broken)
