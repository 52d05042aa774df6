"""The scheduled refresh and the on-demand one share one lock in a client: a round of the
refresher (``refresh_before``) running while calls are refused fetches one token between them,
never one each — and a round finding the store fresh again fetches nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sandbox_env import Env

from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI


def now() -> datetime:
    return datetime.now(UTC)


async def until_refused(env: Env, n: int, limit: float = 30.0) -> None:
    """Poll until ``n`` batchget calls were answered 42001 (expired token)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while len([r for r in env.sandbox.recorder.find(endpoint="cgi-bin/freepublish/batchget")
               if r.result == 42001]) < n:  # fmt: skip
        assert loop.time() < deadline, "the calls were never refused"
        await asyncio.sleep(0.01)


async def test_a_round_and_refused_calls_fetch_one_token_between_them(env: Env) -> None:
    account = env.sandbox.config.wechat[0]
    tokens = MemoryTokenStore()
    api = WeChatAPI(
        account.account_key,
        account.appid,
        account.secret,
        tokens=tokens,
        base_url=env.url("wechat"),
        timeout=5.0,
    )
    try:
        first = await api.access_token()
        # the store says it runs out within the round's horizon (calls still use it) …
        await tokens.put(account.account_key, first, now() + timedelta(minutes=5))
        # … and the platform has just stopped taking it: calls are refused and recover
        env.sandbox.wechat.expire_tokens(account.account_key)
        horizon = now() + timedelta(minutes=10)
        answer = asyncio.Event()  # the round's stable_token answer waits for the test
        env.sandbox.faults.fail_next("cgi-bin/stable_token", hold=answer)
        round_ = asyncio.create_task(api.refresh_before(horizon))
        refused = [asyncio.create_task(api.batchget()) for _ in range(5)]
        await until_refused(env, 5)  # the calls were refused while the round's fetch is out
        answer.set()
        assert await round_ is True
        assert all(r["total_count"] == 0 for r in await asyncio.gather(*refused))
        calls = env.sandbox.recorder.find(endpoint="cgi-bin/stable_token")
        assert [c.params["force_refresh"] for c in calls] == [False, False]
        stored = await tokens.get(account.account_key)
        assert stored is not None and stored[0] != first
        # the next round finds a token good past its horizon: nothing fetched
        assert await api.refresh_before(horizon) is False
        assert env.sandbox.recorder.count("cgi-bin/stable_token") == 2
    finally:
        await api.close()
