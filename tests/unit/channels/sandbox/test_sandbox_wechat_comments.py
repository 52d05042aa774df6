"""The WeChat fake's comment APIs as platforms.md §2.5a describes them: paths and bodies,
begin/count paging (count ≥ 50 refused), type 0/1/2, errors 88000/88001/88002, the reader's
side, the state file and the timeline page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sandbox_env import Env, MakeEnv

from channels.base import Rejected
from channels.sandbox.app import create_sandbox_app
from channels.sandbox.config import SandboxConfig
from channels.sandbox.platform import SandboxError
from channels.sandbox.wechat_state import Article, Published
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI

MSG = "2247480001"


def seed_article(env: Env, *, open_: bool = True) -> None:
    """One published post as the platform keeps it, its comments open (or not)."""
    state = env.sandbox.wechat.state("wechat-main")
    article = Article(1, "标题", "", "", "<p>正文</p>", "", "", "u", comments_open=open_)
    post = Published("art1", [article], env.sandbox.wechat.now(), "mass", "job1", MSG)
    state.timeline.append(post)
    state.by_article[post.article_id] = post


def body(**fields: Any) -> dict[str, Any]:
    return {"msg_data_id": int(MSG), "index": 1, **fields}


async def test_paging_by_begin_and_count_oldest_first(env: Env, wechat_api: WeChatAPI) -> None:
    seed_article(env)
    ids = [env.sandbox.wechat.add_comment("wechat-main", MSG, f"留言{i}") for i in range(60)]
    first = await wechat_api.call("comment/list", body(begin=0, count=49, type=0))
    rest = await wechat_api.call("comment/list", body(begin=49, count=49, type=0))
    assert first["total"] == rest["total"] == 60
    listed = [c["user_comment_id"] for c in first["comment"] + rest["comment"]]
    assert listed == ids and first["comment"][0]["content"] == "留言0"
    assert first["comment"][0]["comment_type"] == 0 and "reply" not in first["comment"][0]
    past = await wechat_api.call("comment/list", body(begin=60, count=10, type=0))
    assert past["comment"] == [] and past["total"] == 60


@pytest.mark.parametrize("fields", [{"count": 50}, {"count": 0}, {"begin": -1}, {"type": 3}])
async def test_bad_paging_is_refused(
    env: Env, wechat_api: WeChatAPI, fields: dict[str, int]
) -> None:
    seed_article(env)
    with pytest.raises(Rejected) as refused:
        await wechat_api.call("comment/list", body(**{"begin": 0, "count": 10, "type": 0} | fields))
    assert refused.value.code == 40097


async def test_type_filters_elected_and_ordinary(env: Env, wechat_api: WeChatAPI) -> None:
    seed_article(env)
    a, b = (env.sandbox.wechat.add_comment("wechat-main", MSG, t) for t in ("好", "也好"))
    await wechat_api.call("comment/markelect", body(user_comment_id=a))
    elected = await wechat_api.call("comment/list", body(begin=0, count=10, type=2))
    ordinary = await wechat_api.call("comment/list", body(begin=0, count=10, type=1))
    assert [c["user_comment_id"] for c in elected["comment"]] == [a] and elected["total"] == 1
    assert [c["user_comment_id"] for c in ordinary["comment"]] == [b]
    assert elected["comment"][0]["comment_type"] == 1


async def test_reply_add_and_delete(env: Env, wechat_api: WeChatAPI) -> None:
    seed_article(env)
    cid = env.sandbox.wechat.add_comment("wechat-main", MSG, "何时发放？")
    await wechat_api.call("comment/reply/add", body(user_comment_id=cid, content="月底前。"))
    [listed] = (await wechat_api.call("comment/list", body(begin=0, count=5, type=0)))["comment"]
    assert listed["reply"]["content"] == "月底前。"
    await wechat_api.call("comment/reply/delete", body(user_comment_id=cid))
    assert env.sandbox.wechat.comments.comments_of("wechat-main", MSG)[0].reply is None
    with pytest.raises(Rejected) as empty:
        await wechat_api.call("comment/reply/add", body(user_comment_id=cid, content=" "))
    assert empty.value.code == 40097


async def test_errors_88000_88001_88002(make_env: MakeEnv) -> None:
    env = await make_env()
    config = env.sandbox.config
    no_privilege = replace(config.wechat[0], comment_privilege=False)
    env2 = await make_env(wechat=(no_privilege,))
    for e, code in ((env, 88001), (env2, 88000)):
        account = e.sandbox.config.wechat[0]
        api = WeChatAPI(
            account.account_key, account.appid, account.secret,
            tokens=MemoryTokenStore(), base_url=e.url("wechat"),
        )  # fmt: skip
        try:
            with pytest.raises(Rejected) as refused:
                await api.call("comment/open", body())
            assert refused.value.code == code
            if e is env:  # an article whose comments the platform limited: 88002
                seed_article(env)
                env.sandbox.wechat.state("wechat-main").timeline[0].articles[
                    0
                ].comments_limited = True
                with pytest.raises(Rejected) as limited:
                    await api.call("comment/list", body(begin=0, count=1, type=0))
                assert limited.value.code == 88002
        finally:
            await api.close()


async def test_open_close_and_a_reader_on_a_closed_article(env: Env, wechat_api: WeChatAPI) -> None:
    seed_article(env, open_=False)
    with pytest.raises(SandboxError):
        env.sandbox.wechat.add_comment("wechat-main", MSG, "能留言吗")
    await wechat_api.call("comment/open", body())
    env.sandbox.wechat.add_comment("wechat-main", MSG, "能留言吗")
    await wechat_api.call("comment/close", body())
    assert not env.sandbox.wechat.state("wechat-main").timeline[0].articles[0].comments_open


async def test_the_empty_page_with_a_count_can_be_scripted(env: Env, wechat_api: WeChatAPI) -> None:
    seed_article(env)
    env.sandbox.wechat.add_comment("wechat-main", MSG, "留言")
    env.sandbox.wechat.script_empty_comment_lists("wechat-main")
    hiccup = await wechat_api.call("comment/list", body(begin=0, count=5, type=0))
    assert hiccup["comment"] == [] and hiccup["total"] == 1
    again = await wechat_api.call("comment/list", body(begin=0, count=5, type=0))
    assert len(again["comment"]) == 1


async def test_a_reader_comments_over_http_and_the_timeline_shows_it(env: Env) -> None:
    seed_article(env)
    async with aiohttp.ClientSession() as http:
        payload = {"account": "wechat-main", "msg_data_id": MSG, "content": "请问如何申请？"}
        async with http.post(env.url("wechat") + "/_follower/comment", json=payload) as r:
            answer = await r.json()
        assert answer["errcode"] == 0 and answer["user_comment_id"]
        comment = env.sandbox.wechat.comments.comments_of("wechat-main", MSG)[0]
        comment.reply, comment.elected = "请拨打热线。", True
        async with http.get(env.base + "/timeline") as page:
            html = await page.text()
    assert "请问如何申请？" in html and "作者回复：请拨打热线。" in html and "精选" in html


async def test_comments_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.db"
    app, sandbox = create_sandbox_app(SandboxConfig(), state=state)
    server = TestServer(app)
    await server.start_server()
    try:
        env = Env(sandbox, str(server.make_url("")).rstrip("/"))
        seed_article(env)
        sandbox.wechat.save("wechat-main")
        cid = sandbox.wechat.add_comment("wechat-main", MSG, "留言内容", openid="o_x")
    finally:
        await server.close()
        sandbox.close()
    _app, again = create_sandbox_app(SandboxConfig(), state=state)
    try:
        [kept] = again.wechat.comments.comments_of("wechat-main", MSG)
        assert (kept.user_comment_id, kept.openid, kept.content) == (cid, "o_x", "留言内容")
        assert again.wechat.state("wechat-main").timeline[0].msg_data_id == MSG
        assert again.wechat.add_comment("wechat-main", MSG, "新留言") > cid  # ids never reused
    finally:
        again.close()
