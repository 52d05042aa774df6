"""The sandbox's follower's-eye page and its bookkeeping (recorder, faults, multi-account)."""

from __future__ import annotations

import asyncio

import aiohttp
from sandbox_env import Env

from channels.base import Post, ReceiptState
from channels.sandbox.config import WeChatAccount
from channels.sandbox.faults import Faults
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from channels.wecom.api import WeComAPI
from channels.weibo.channel import WeiboChannel


async def test_timeline_shows_every_platform(
    env: Env, wechat: WeChatChannel, weibo: WeiboChannel
) -> None:
    wx = Post(
        1,
        "wechat-main",
        "冬季救助通知",
        "正文<script>x</script>",
        cover_path="cover.png",
        idempotency_key="t-1",
    )
    receipt = await wechat.publish(wx)
    while receipt.state is ReceiptState.PENDING:
        await asyncio.sleep(0.02)
        receipt = await wechat.check(wx, receipt)
    await wechat.retract(receipt.remote_id or "", index=1)
    wb = Post(
        2,
        "weibo-main",
        "微博标题",
        "微博摘要",
        link_url="https://mzj.example.gov.cn/a",
        idempotency_key="t-2",
    )
    status = await weibo.publish(wb)
    env.sandbox.weibo.add_comment("weibo-main", status.remote_id or "", "市民留言")
    corp = env.sandbox.config.wecom[0]
    wecom = WeComAPI(corp.corpid, corp.corpsecret, corp.agentid, base_url=env.url("wecom"))
    await wecom.send_text(["zhangsan"], "请审核草稿 #1")
    await wecom.close()
    async with aiohttp.ClientSession() as session, session.get(env.base + "/timeline") as resp:
        assert resp.status == 200
        html = await resp.text()
    entries = env.sandbox.timeline("wechat-main")
    assert [(e.title, e.deleted, e.index) for e in entries] == [("冬季救助通知", True, 1)]
    assert env.sandbox.timeline("weibo-main")[0].remote_id == status.remote_id
    for text in ("冬季救助通知", "已删除", "微博标题", "市民留言", "请审核草稿 #1", "zhangsan"):
        assert text in html
    assert "<script>x" not in html  # article bodies sit escaped inside a sandboxed iframe


async def test_accounts_are_kept_apart(make_env: object) -> None:
    accounts = (
        WeChatAccount("a", "wxA", "secretA", name="甲"),
        WeChatAccount("b", "wxB", "secretB", name="乙"),
    )
    env: Env = await make_env(wechat=accounts)  # type: ignore[operator]
    apis = [
        WeChatAPI(
            a.account_key, a.appid, a.secret, tokens=MemoryTokenStore(), base_url=env.url("wechat")
        )
        for a in accounts
    ]
    try:
        await apis[0].batchget()
        await apis[1].batchget()
        assert {
            r.account for r in env.sandbox.recorder.find(endpoint="cgi-bin/freepublish/batchget")
        } == {"a", "b"}
    finally:
        for api in apis:
            await api.close()


def test_faults_are_consumed_in_order() -> None:
    faults = Faults()
    faults.fail_next("/cgi-bin/message/send", 2, errcode=1, platform="wecom")
    assert faults.take("wechat", "cgi-bin/message/send") is None
    assert faults.take("wecom", "cgi-bin/message/send") is not None
    assert faults.take("wecom", "cgi-bin/message/send") is not None
    assert faults.take("wecom", "cgi-bin/message/send") is None
