"""WeChat channel end to end on the sandbox: publish → pending → check → published, and more."""

from __future__ import annotations

import asyncio

import pytest
from sandbox_env import Env

from channels.base import Channel, NotSupported, Post, Receipt, ReceiptState, Rejected, Transient
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel

BODY = "## 一、政策要点\n\n详见[民政部网站](https://www.mca.gov.cn/x)。\n\n![图表](chart.png)\n"


def post(key: str = "pub-1", **changes: object) -> Post:
    fields: dict[str, object] = {
        "publication_id": 1,
        "account_key": "wechat-main",
        "title": "关于做好冬季困难群众救助工作的通知",
        "body_markdown": BODY,
        "author": "市民政局",
        "digest": "冬季救助工作安排",
        "source": "市民政局社会救助处",
        "cover_path": "cover.png",
        "link_url": "https://mzj.example.gov.cn/art/1.html",
        "idempotency_key": key,
    }
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


async def settle(wechat: WeChatChannel, receipt: Receipt, p: Post) -> Receipt:
    for _ in range(50):
        receipt = await wechat.check(p, receipt)
        if receipt.state is not ReceiptState.PENDING:
            return receipt
        await asyncio.sleep(0.02)
    raise AssertionError("still pending")


async def test_is_a_channel(wechat: WeChatChannel) -> None:
    assert isinstance(wechat, Channel)


async def test_publish_pending_then_published(env: Env, wechat: WeChatChannel) -> None:
    p = post()
    receipt = await wechat.publish(p)
    assert receipt.state is ReceiptState.PENDING
    assert (await wechat.check(p, receipt)).state is ReceiptState.PENDING
    done = await settle(wechat, receipt, p)
    assert done.state is ReceiptState.PUBLISHED
    assert done.remote_id and done.remote_id.startswith("art")
    assert done.url and "#wx-" in done.url
    assert done.extra["publish_id"] == receipt.remote_id
    rec = env.sandbox.recorder
    assert rec.count("cgi-bin/media/uploadimg") == 1
    assert rec.find(endpoint="cgi-bin/material/add_material")[0].params["type"] == "thumb"
    article = rec.find(endpoint="cgi-bin/draft/add")[0].params["articles"][0]
    assert "/sandbox/wechat/media/" in article["content"] and "chart.png" not in article["content"]
    assert "（https://www.mca.gov.cn/x）" in article["content"]
    assert article["content_source_url"].endswith("?p=pub-1")
    assert rec.count("cgi-bin/message/mass/sendall") == 0
    timeline = env.sandbox.wechat.state("wechat-main").timeline
    assert [t.articles[0].title for t in timeline] == [p.title]


async def test_platform_review_rejects_marked_article(wechat: WeChatChannel) -> None:
    p = post(body_markdown="正文【测试:平台拒绝】")
    done = await settle(wechat, await wechat.publish(p), p)
    assert done.state is ReceiptState.FAILED
    assert done.detail == "平台审核不通过"


async def test_scripted_status(env: Env, wechat: WeChatChannel) -> None:
    env.sandbox.wechat.script_publish("wechat-main", 3)
    p = post()
    done = await settle(wechat, await wechat.publish(p), p)
    assert (done.state, done.detail) == (ReceiptState.FAILED, "常规失败")


async def test_retract_uses_the_one_based_index(env: Env, wechat: WeChatChannel) -> None:
    p = post()
    done = await settle(wechat, await wechat.publish(p), p)
    assert done.remote_id
    await wechat.retract(done.remote_id, index=1)
    assert env.sandbox.recorder.find(endpoint="cgi-bin/freepublish/delete")[0].params["index"] == 1
    gone = await wechat.check(p, done)
    assert gone.state is ReceiptState.FAILED and gone.detail.startswith("已删除")
    assert env.sandbox.wechat.state("wechat-main").timeline[0].articles[0].deleted


async def test_reconcile_finds_a_post_we_never_recorded(env: Env, wechat: WeChatChannel) -> None:
    env.sandbox.faults.fail_next("cgi-bin/freepublish/submit", delay=0.3)
    short = WeChatChannel(
        WeChatAPI(
            "wechat-main",
            wechat.api.appid,
            env.sandbox.config.wechat[0].secret,
            tokens=MemoryTokenStore(),
            base_url=env.url("wechat"),
            timeout=0.15,
        ),
        load_image=wechat._load,
        load_cover=wechat._load_cover,
    )
    p = post(key="crash-7")
    with pytest.raises(Transient):
        await short.publish(p)  # the platform still accepts the job after our timeout
    await asyncio.sleep(0.1)
    found = await wechat.check(p, None)
    assert found.state is ReceiptState.PUBLISHED
    assert found.extra["index"] == "1"
    assert (await wechat.check(post(key="never-sent"), None)).state is ReceiptState.UNKNOWN
    await short.api.close()


async def test_reconcile_without_link_uses_content_marker(wechat: WeChatChannel) -> None:
    p = post(key="no-link", link_url=None)
    await settle(wechat, await wechat.publish(p), p)
    assert (await wechat.check(p, None)).state is ReceiptState.PUBLISHED


async def test_event_sink_gets_publishjobfinish(env: Env, wechat: WeChatChannel) -> None:
    events: list[tuple[str, dict[str, str]]] = []

    async def sink(account_key: str, event: dict[str, str]) -> None:
        events.append((account_key, event))

    env.sandbox.set_event_sink(sink)
    receipt = await wechat.publish(post())
    await asyncio.sleep(0.15)
    assert len(events) == 1
    account_key, event = events[0]
    assert account_key == "wechat-main"
    assert event["Event"] == "PUBLISHJOBFINISH"
    assert event["publish_id"] == receipt.remote_id and event["publish_status"] == "0"


async def test_push_to_followers_mass_sends_once_per_key(env: Env, wechat: WeChatChannel) -> None:
    p = post(key="mass-1", push_to_followers=True)
    receipt = await wechat.publish(p)
    assert receipt.remote_id and receipt.remote_id.startswith("mass:")
    sent = env.sandbox.recorder.find(endpoint="cgi-bin/message/mass/sendall")
    assert sent[0].params["clientmsgid"] == "mass-1"
    assert env.sandbox.recorder.count("cgi-bin/freepublish/submit") == 0
    again = await wechat.publish(p)  # same key: the platform answers with the first msg_id
    assert again.remote_id == receipt.remote_id and again.extra["duplicate"] == "1"
    done = await settle(wechat, receipt, p)
    assert (done.state, done.detail) == (ReceiptState.PUBLISHED, "群发成功")
    with pytest.raises(Rejected) as quota:
        await wechat.publish(post(key="mass-2", push_to_followers=True))
    assert quota.value.code == 45009
    await wechat.retract(done.remote_id or "", index=1)
    assert (await wechat.check(p, done)).detail == "已删除"


async def test_limits_are_checked_before_any_call(env: Env, wechat: WeChatChannel) -> None:
    with pytest.raises(Rejected) as info:
        await wechat.publish(post(title="长" * 33))
    assert info.value.code == "limit_title"
    with pytest.raises(Rejected):
        await wechat.publish(post(cover_path=None))
    with pytest.raises(Rejected) as missing:
        await wechat.publish(post(body_markdown="![x](nope.png)"))
    assert missing.value.code == "image"
    assert env.sandbox.recorder.count("cgi-bin/draft/add") == 0


async def test_reply_and_fetch(env: Env, wechat: WeChatChannel) -> None:
    env.sandbox.note_user_message("wechat-main", "o-1")
    await wechat.reply("o-1", "您反映的问题已转交社会救助处")
    assert env.sandbox.wechat.state("wechat-main").sent[0].openid == "o-1"
    with pytest.raises(NotSupported):
        await wechat.fetch_messages(None)
