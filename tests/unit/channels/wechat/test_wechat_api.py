"""WeChat OA client against the sandbox: tokens, error mapping, faults, service window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sandbox_env import PNG, Env

from channels.base import AuthExpired, NotSent, NotSupported, Rejected, Transient
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI


async def test_stable_token_normal_mode_reuses_the_token(env: Env, wechat_api: WeChatAPI) -> None:
    first = await wechat_api.refresh_token()
    second = await wechat_api.refresh_token()
    assert first == second
    assert await wechat_api.access_token() == first
    calls = env.sandbox.recorder.find(endpoint="cgi-bin/stable_token")
    assert [c.params["force_refresh"] for c in calls] == [False, False]
    assert all("secret" not in c.params for c in calls)


async def test_expired_token_is_refreshed_once_and_the_call_retried(
    env: Env, wechat_api: WeChatAPI
) -> None:
    await wechat_api.upload_image("a.png", PNG, "image/png")
    env.sandbox.wechat.expire_tokens("wechat-main")
    url = await wechat_api.upload_image("b.png", PNG, "image/png")
    assert url.startswith("/sandbox/wechat/media/")
    results = [r.result for r in env.sandbox.recorder.find(endpoint="cgi-bin/media/uploadimg")]
    assert results == [0, 42001, 0]
    assert env.sandbox.recorder.count("cgi-bin/stable_token") == 2


async def test_token_refused_twice_is_auth_expired(env: Env, wechat_api: WeChatAPI) -> None:
    env.sandbox.faults.fail_next("cgi-bin/freepublish/batchget", 2, errcode=40001)
    with pytest.raises(AuthExpired) as info:
        await wechat_api.batchget()
    assert info.value.code == 40001
    calls = env.sandbox.recorder.find(endpoint="cgi-bin/stable_token")
    # first fetch; after the refusal normal mode returns the same token, so force once
    assert [c.params["force_refresh"] for c in calls] == [False, False, True]


async def test_concurrent_refusals_refresh_once(env: Env, wechat_api: WeChatAPI) -> None:
    await wechat_api.access_token()
    env.sandbox.wechat.expire_tokens("wechat-main")
    await asyncio.gather(*(wechat_api.batchget() for _ in range(10)))
    assert env.sandbox.recorder.count("cgi-bin/stable_token") == 2


async def test_wrong_secret_is_auth_expired(env: Env) -> None:
    account = env.sandbox.config.wechat[0]
    api = WeChatAPI(
        "wechat-main", account.appid, "wrong", tokens=MemoryTokenStore(), base_url=env.url("wechat")
    )
    try:
        with pytest.raises(AuthExpired):
            await api.batchget()
    finally:
        await api.close()
    assert "wrong" not in repr(api)


@pytest.mark.parametrize(
    ("errcode", "kind"),
    [
        (45009, Rejected),
        (40164, Rejected),
        (48001, Rejected),
        (53503, Rejected),
        (45015, Rejected),
        (45047, Rejected),
        (-1, Transient),
        (45106, NotSupported),
    ],
)
async def test_error_codes_map_to_the_closed_set(
    env: Env, wechat_api: WeChatAPI, errcode: int, kind: type[Exception]
) -> None:
    env.sandbox.faults.fail_next("cgi-bin/freepublish/submit", errcode=errcode)
    with pytest.raises(kind) as info:
        await wechat_api.submit("draft1")
    assert getattr(info.value, "code") == errcode


async def test_ip_not_whitelisted_on_token_is_rejected(env: Env, wechat_api: WeChatAPI) -> None:
    env.sandbox.faults.fail_next("cgi-bin/stable_token", errcode=40164)
    with pytest.raises(Rejected):
        await wechat_api.refresh_token()


async def test_fail_n_then_succeed(env: Env, wechat_api: WeChatAPI) -> None:
    env.sandbox.faults.fail_next("cgi-bin/freepublish/batchget", 2, status=502)
    for _ in range(2):
        with pytest.raises(Transient):
            await wechat_api.batchget()
    assert (await wechat_api.batchget())["total_count"] == 0


async def test_timeout_is_transient(env: Env) -> None:
    account = env.sandbox.config.wechat[0]
    api = WeChatAPI(
        "wechat-main",
        account.appid,
        account.secret,
        tokens=MemoryTokenStore(),
        base_url=env.url("wechat"),
        timeout=0.2,
    )
    env.sandbox.faults.fail_next("cgi-bin/freepublish/batchget", delay=0.5)
    try:
        with pytest.raises(Transient) as info:
            await api.batchget()
        assert info.value.code == "timeout"
    finally:
        await api.close()


async def test_connection_refused_is_transient() -> None:
    api = WeChatAPI("x", "wx1", "s", tokens=MemoryTokenStore(), base_url="http://127.0.0.1:9")
    try:
        with pytest.raises(NotSent):
            await api.refresh_token()
    finally:
        await api.close()


async def test_customer_service_window(env: Env, wechat_api: WeChatAPI) -> None:
    with pytest.raises(Rejected) as outside:
        await wechat_api.send_text("o-citizen", "您好")
    assert outside.value.code == 45015
    env.sandbox.note_user_message("wechat-main", "o-citizen", datetime.now(UTC))
    for i in range(5):
        await wechat_api.send_text("o-citizen", f"答复{i}")
    with pytest.raises(Rejected) as over:
        await wechat_api.send_text("o-citizen", "第六条")
    assert over.value.code == 45047
    env.sandbox.note_user_message("wechat-main", "o-old", datetime.now(UTC) - timedelta(hours=49))
    with pytest.raises(Rejected) as stale:
        await wechat_api.send_text("o-old", "迟到的答复")
    assert stale.value.code == 45015
    assert env.sandbox.wechat.state("wechat-main").sent[0].text == "答复0"


async def test_delete_index_zero_is_refused_client_side(wechat_api: WeChatAPI) -> None:
    with pytest.raises(Rejected):
        await wechat_api.delete_article("art1", 0)
