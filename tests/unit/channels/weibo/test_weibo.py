"""Weibo client and channel against the sandbox: 140 chars + safe domain, errors, comments."""

from __future__ import annotations

import pytest
from sandbox_env import Env

from channels.base import AuthExpired, NotSupported, Post, ReceiptState, Rejected, Transient
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from channels.weibo.limits import LIMITS, MAX_CHARS
from channels.weibo.render import render_status

LINK = "https://mzj.example.gov.cn/art/2026/11/28/1.html"


def post(key: str = "wb-1", **changes: object) -> Post:
    fields: dict[str, object] = {
        "publication_id": 7,
        "account_key": "weibo-main",
        "title": "我市启动2026年冬季困难群众走访慰问 #民生#",
        "body_markdown": "市民政局部署开展走访慰问。" * 30,
        "link_url": LINK,
        "idempotency_key": key,
    }
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


def test_render_fits_140_and_keeps_the_link_whole() -> None:
    text = render_status(post(), LINK + "?p=wb-1", MAX_CHARS)
    assert len(text) <= 140
    assert text.endswith(LINK + "?p=wb-1")
    assert text.startswith("【我市启动2026年冬季困难群众走访慰问 民生】")
    assert "…" in text and "#" not in text


def test_render_refuses_when_title_and_link_alone_are_too_long() -> None:
    with pytest.raises(Rejected):
        render_status(post(title="长" * 120), LINK, MAX_CHARS)


def test_status_text_is_what_the_status_carries_without_its_link() -> None:
    # the review gate inspects this text for links the platform would refuse (review/checks)
    assert LIMITS.status_text is not None
    text = LIMITS.status_text("标题 #话题#", "详见[通知](https://a.cn/1)，或 https://b.cn/2 @某人")
    assert text == "【标题 话题】详见通知，或 https://b.cn/2 ＠某人"


async def test_publish_and_check(env: Env, weibo: WeiboChannel) -> None:
    p = post()
    receipt = await weibo.publish(p)
    assert receipt.state is ReceiptState.PUBLISHED and receipt.remote_id
    shared = env.sandbox.recorder.find(endpoint="2/statuses/share.json")[0].params
    assert shared["rip"] == "127.0.0.1" and "access_token" not in shared
    assert len(shared["status"]) <= 140 and "?p=wb-1" in shared["status"]
    assert await weibo.check(p, receipt) == receipt


async def test_sandbox_refuses_a_status_without_the_safe_domain(weibo_api: WeiboAPI) -> None:
    with pytest.raises(Rejected) as info:
        await weibo_api.share("没有链接的微博 https://example.com/x")
    assert info.value.code == 10017
    with pytest.raises(Rejected) as long:
        await weibo_api.share("长" * 141 + " " + LINK)
    assert long.value.code == 20012


async def test_channel_refuses_a_link_off_the_safe_domain(env: Env, weibo: WeiboChannel) -> None:
    with pytest.raises(Rejected) as info:
        await weibo.publish(post(link_url="https://evil.example.com/a"))
    assert info.value.code == "safe_domain"
    assert env.sandbox.recorder.count("2/statuses/share.json") == 0


async def test_statuses_update_is_gone(weibo_api: WeiboAPI) -> None:
    with pytest.raises(NotSupported) as info:
        await weibo_api.call("POST", "statuses/update.json", {"status": "x"})
    assert info.value.code == 10014


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (10017, Rejected),
        (10014, NotSupported),
        (21327, AuthExpired),
        (21332, AuthExpired),
        (10022, Transient),
        (10023, Transient),
        (10024, Transient),
    ],
)
async def test_error_codes(env: Env, weibo_api: WeiboAPI, code: int, kind: type[Exception]) -> None:
    env.sandbox.faults.fail_next("2/statuses/user_timeline.json", errcode=code)
    with pytest.raises(kind) as info:
        await weibo_api.user_timeline()
    assert getattr(info.value, "code") == code
    if kind is Transient and code != 10014:
        assert getattr(info.value, "retry_after") == 3600.0


async def test_string_error_code_and_5xx(env: Env, weibo_api: WeiboAPI) -> None:
    from channels.weibo.errors import code_of

    assert code_of({"error_code": "21327", "error": "expired_token"}) == 21327
    env.sandbox.faults.fail_next("2/statuses/user_timeline.json", status=503)
    with pytest.raises(Transient):
        await weibo_api.user_timeline()


async def test_expired_token_is_auth_expired(env: Env, weibo: WeiboChannel) -> None:
    env.sandbox.weibo.expire_token("weibo-main")
    with pytest.raises(AuthExpired) as info:
        await weibo.publish(post())
    assert info.value.code == 21327


async def test_reconcile_by_marker(env: Env, weibo: WeiboChannel) -> None:
    env.sandbox.faults.fail_next("2/statuses/share.json", delay=0.3)
    short = WeiboChannel(
        WeiboAPI(
            "weibo-main",
            env.sandbox.config.weibo[0].access_token,
            rip="127.0.0.1",
            base_url=env.url("weibo"),
            timeout=0.1,
        ),
        safe_domain="mzj.example.gov.cn",
    )
    p = post(key="crash-9")
    with pytest.raises(Transient):
        await short.publish(p)
    await short.api.close()
    found = await weibo.check(p, None)
    assert found.state is ReceiptState.PUBLISHED and found.remote_id
    assert (await weibo.check(post(key="never"), None)).state is ReceiptState.UNKNOWN
    again = await weibo.publish(p)  # 20019 repeat content → found, not an error
    assert again.remote_id == found.remote_id


async def test_retract(env: Env, weibo: WeiboChannel) -> None:
    receipt = await weibo.publish(post())
    await weibo.retract(receipt.remote_id or "")
    assert env.sandbox.weibo.state("weibo-main").statuses[0].deleted
    with pytest.raises(Rejected) as info:
        await weibo.retract(receipt.remote_id or "")
    assert info.value.code == 20101


async def test_comments_paging_with_cursor(env: Env, weibo_api: WeiboAPI) -> None:
    weibo = WeiboChannel(weibo_api, safe_domain="mzj.example.gov.cn", page_size=3)
    receipt = await weibo.publish(post())
    sb = env.sandbox.weibo
    ids = [sb.add_comment("weibo-main", receipt.remote_id or "", f"留言{i}") for i in range(7)]
    page = await weibo.fetch_messages(None)
    assert [m.text for m in page.messages] == [f"留言{i}" for i in range(7)]
    assert page.cursor == str(ids[-1])
    assert env.sandbox.recorder.count("2/comments/to_me.json") == 3
    first = page.messages[0]
    assert first.remote_ref == receipt.remote_id and first.msg_type == "comment"
    assert first.created_at.tzinfo is not None
    assert (await weibo.fetch_messages(page.cursor)).messages == []
    sb.add_comment("weibo-main", receipt.remote_id or "", "新留言")
    newer = await weibo.fetch_messages(page.cursor)
    assert [m.text for m in newer.messages] == ["新留言"]


async def test_reply_to_comment(env: Env, weibo: WeiboChannel) -> None:
    receipt = await weibo.publish(post())
    cid = env.sandbox.weibo.add_comment("weibo-main", receipt.remote_id or "", "请问怎么申请？")
    await weibo.reply(str(cid), "请拨打12345咨询。", ref=receipt.remote_id)
    reply = env.sandbox.weibo.state("weibo-main").replies[0]
    assert reply.reply_to == cid
    with pytest.raises(Rejected):
        await weibo.reply(str(cid), "长" * 141, ref=receipt.remote_id)
    with pytest.raises(Rejected):
        await weibo.reply(str(cid), "没有微博 id")


async def test_sandbox_rate_limit(make_env: object) -> None:
    env: Env = await make_env(weibo_calls_per_hour=2)  # type: ignore[operator]
    account = env.sandbox.config.weibo[0]
    api = WeiboAPI(
        account.account_key, account.access_token, rip="127.0.0.1", base_url=env.url("weibo")
    )
    try:
        await api.user_timeline()
        await api.user_timeline()
        with pytest.raises(Transient) as info:
            await api.user_timeline()
        assert info.value.code == 10023 and info.value.retry_after == 3600.0
    finally:
        await api.close()
