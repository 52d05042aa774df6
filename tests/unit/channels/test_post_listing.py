"""Both adapters list an account's posts the same way (``channels.base.PostLister``): newest
first, back to ``since``, back-office posts included, the bot's idempotency marker read out of
each; the sandbox takes back-office posts in memory and over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
from sandbox_env import Env

from channels.base import PostLister
from channels.wechat.channel import WeChatChannel
from channels.weibo.channel import WeiboChannel

NOW = datetime.now(UTC)


async def test_wechat_lists_back_office_posts_and_reads_the_marker(
    env: Env, wechat: WeChatChannel
) -> None:
    key = wechat.account_key
    sb = env.sandbox
    sb.back_office_post(key, "旧文", "很久以前", at=NOW - timedelta(days=40))
    ours = sb.back_office_post(
        key, "冬季救助", "<p>正文</p><!--nm:p7a1r2-->", at=NOW - timedelta(days=3)
    )
    theirs = sb.back_office_post(key, "后台直接发的", "<p>未经审核</p>", at=NOW - timedelta(days=1))

    assert isinstance(wechat, PostLister)
    listing = await wechat.list_posts(NOW - timedelta(days=31), max_pages=3)

    assert [p.remote_id for p in listing.posts] == [theirs, ours]
    assert [p.marker for p in listing.posts] == [None, "p7a1r2"]
    assert listing.posts[1].title == "冬季救助" and listing.posts[1].excerpt == "正文"
    assert listing.complete and listing.pages == 1


async def test_weibo_lists_statuses_and_reads_the_marker(env: Env, weibo: WeiboChannel) -> None:
    key = weibo.account_key
    sb = env.sandbox
    sb.back_office_post(key, "", "上个月的微博", at=NOW - timedelta(days=40))
    ours = sb.back_office_post(
        key,
        "",
        "冬季救助 https://mzj.example.gov.cn/art/7.html?p=p7a2r2",
        at=NOW - timedelta(days=2),
    )
    theirs = sb.back_office_post(key, "", "今天天气不错", at=NOW - timedelta(hours=5))

    assert isinstance(weibo, PostLister)
    listing = await weibo.list_posts(NOW - timedelta(days=31), max_pages=3)

    assert [(p.remote_id, p.marker) for p in listing.posts] == [(theirs, None), (ours, "p7a2r2")]
    assert listing.posts[0].title == "今天天气不错" and listing.posts[0].url
    assert listing.complete


async def test_a_listing_cut_by_its_page_budget_says_so(env: Env, wechat: WeChatChannel) -> None:
    for i in range(21):  # batchget pages hold 20
        env.sandbox.back_office_post(
            wechat.account_key, f"第{i}篇", "", at=NOW - timedelta(hours=i)
        )
    cut = await wechat.list_posts(NOW - timedelta(days=2), max_pages=1)
    assert (len(cut.posts), cut.complete, cut.pages) == (20, False, 1)
    whole = await wechat.list_posts(NOW - timedelta(days=2), max_pages=3)
    assert (len(whole.posts), whole.complete, whole.pages) == (21, True, 2)
    assert whole.posts[-1].title == "第20篇"


async def test_back_office_posts_over_http(env: Env) -> None:
    wechat_key = env.sandbox.config.wechat[0].account_key
    weibo_key = env.sandbox.config.weibo[0].account_key
    at = (NOW - timedelta(days=2)).timestamp()
    async with aiohttp.ClientSession() as http:
        for key in (wechat_key, weibo_key):
            body = {"account": key, "title": "后台发布", "content": "直接在平台后台发布", "at": at}
            async with http.post(f"{env.base}/_backoffice/post", json=body) as resp:
                assert resp.status == 200
                assert (await resp.json())["remote_id"]
        async with http.post(f"{env.base}/_backoffice/post", json={"account": "nobody"}) as resp:
            assert resp.status == 404
    titles = [e.title for e in env.sandbox.timeline(wechat_key)]
    assert titles == ["后台发布"]
    assert [e.title for e in env.sandbox.timeline(weibo_key)] == ["直接在平台后台发布"]
