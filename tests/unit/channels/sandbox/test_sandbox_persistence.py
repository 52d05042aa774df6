"""The sandbox with a state file: a restart keeps timelines, ids and WeChat publishes in flight."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from aiohttp.test_utils import TestServer
from sandbox_env import PNG

from channels.base import Post, Receipt, ReceiptState
from channels.sandbox.app import Sandbox, create_sandbox_app
from channels.sandbox.config import SandboxConfig
from channels.tokens import MemoryTokenStore
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from channels.wecom.api import WeComAPI
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import THUMB, convert


@dataclass
class Clock:
    """The sandbox's clock, moved by hand: a publish is due when the test says so."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Running:
    sandbox: Sandbox
    wechat: WeChatChannel
    weibo: WeiboChannel
    base: str


@asynccontextmanager
async def running(state: Path, clock: Clock, media: Path) -> AsyncIterator[Running]:
    """One life of the sandbox process on ``state`` (a publish takes 60 s on its clock)."""
    config = replace(SandboxConfig(), clock=clock, publish_delay=60.0)
    app, sandbox = create_sandbox_app(config, state=state)
    server = TestServer(app)
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    wx, wb = config.wechat[0], config.weibo[0]
    wechat_api = WeChatAPI(
        wx.account_key, wx.appid, wx.secret, tokens=MemoryTokenStore(), base_url=base + "/wechat"
    )
    weibo_api = WeiboAPI(wb.account_key, wb.access_token, rip="127.0.0.1", base_url=base + "/weibo")
    loader = publish_loader(MediaPolicy(media, 10 * 2**20), profile=THUMB)
    try:
        yield Running(
            sandbox,
            WeChatChannel(wechat_api, load_image=loader),
            WeiboChannel(weibo_api, safe_domain=wb.safe_domain),
            base,
        )
    finally:
        await wechat_api.close()
        await weibo_api.close()
        await server.close()
        sandbox.close()


def wx_post(n: int) -> Post:
    return Post(
        n, "wechat-main", f"通知{n}", f"正文{n}", cover_path="cover.png", idempotency_key=f"k{n}"
    )


def wb_post(n: int) -> Post:
    link = f"https://mzj.example.gov.cn/a{n}"
    return Post(n, "weibo-main", f"微博{n}", f"摘要{n}", link_url=link, idempotency_key=f"w{n}")


def number(remote_id: str | None) -> int:
    """``art100000006`` → 100000006 (WeChat ids share one counter whatever their prefix)."""
    return int(re.sub(r"\D", "", remote_id or ""))


def media_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "cover.png").write_bytes(PNG)
    return folder


async def test_timelines_and_ids_survive_a_restart(tmp_path: Path) -> None:
    clock, state, media = Clock(), tmp_path / "sandbox.db", media_dir(tmp_path)
    async with running(state, clock, media) as first:
        receipt = await first.wechat.publish(wx_post(1))
        clock.now += 61
        done = await first.wechat.check(wx_post(1), receipt)
        status = await first.weibo.publish(wb_post(1))
        first.sandbox.weibo.add_comment("weibo-main", status.remote_id or "", "市民留言")
        old_ids = {number(done.remote_id), number(receipt.remote_id)}
        old_weibo = number(status.remote_id)
        cover_url = first.sandbox.wechat.accounts["wechat-main"].timeline[0].articles[0].cover_url
    async with running(state, clock, media) as second:
        assert [e.title for e in second.sandbox.timeline("wechat-main")] == ["通知1"]
        assert [e.title for e in second.sandbox.timeline("weibo-main")] == [
            second.sandbox.weibo.accounts["weibo-main"].statuses[0].text
        ]
        assert [c.text for c in second.sandbox.weibo.accounts["weibo-main"].comments] == [
            "市民留言"
        ]
        assert len(second.sandbox.recorder) > 0  # what the control API counts spans restarts
        image = second.sandbox.wechat.media[cover_url.rsplit("/", 1)[1]]
        # the cover went up as the JPEG thumb the draft's PNG was made into, and was kept
        assert image == (convert(PNG, THUMB), "image/jpeg")
        # the next ids are past every id handed out before the restart
        again = await second.wechat.publish(wx_post(2))
        clock.now += 61
        live = await second.wechat.check(wx_post(2), again)
        assert live.state is ReceiptState.PUBLISHED
        assert min(number(again.remote_id), number(live.remote_id)) > max(old_ids)
        status2 = await second.weibo.publish(wb_post(2))
        assert number(status2.remote_id) > old_weibo
        # 撤回 of the new post deletes the new post only
        await second.wechat.retract(live.remote_id or "", index=1)
        entries = second.sandbox.timeline("wechat-main")
        assert [(e.title, e.deleted) for e in entries] == [("通知1", False), ("通知2", True)]


async def test_a_publish_accepted_before_a_restart_finishes_after_it(tmp_path: Path) -> None:
    clock, state, media = Clock(), tmp_path / "sandbox.db", media_dir(tmp_path)
    async with running(state, clock, media) as first:
        receipt = await first.wechat.publish(wx_post(1))
        assert receipt.state is ReceiptState.PENDING
        still = await first.wechat.check(wx_post(1), receipt)
        assert still.state is ReceiptState.PENDING
    clock.now += 3600  # the sandbox was down when the publish came due
    async with running(state, clock, media) as second:
        kept = Receipt(ReceiptState.PENDING, remote_id=receipt.remote_id, extra=receipt.extra)
        done = await second.wechat.check(wx_post(1), kept)
        assert done.state is ReceiptState.PUBLISHED, done.detail
        assert [e.title for e in second.sandbox.timeline("wechat-main")] == ["通知1"]


async def test_a_pending_publish_shows_on_the_timeline_page_once_due(tmp_path: Path) -> None:
    clock, state, media = Clock(), tmp_path / "sandbox.db", media_dir(tmp_path)
    async with running(state, clock, media) as first:
        await first.wechat.publish(wx_post(1))
    clock.now += 61
    async with running(state, clock, media) as second:
        assert [e.title for e in second.sandbox.timeline("wechat-main")] == ["通知1"]


async def test_reviewer_phones_survive_a_restart(tmp_path: Path) -> None:
    clock, state, media = Clock(), tmp_path / "sandbox.db", media_dir(tmp_path)
    async with running(state, clock, media) as first:
        corp = first.sandbox.config.wecom[0]
        wecom = WeComAPI(corp.corpid, corp.corpsecret, corp.agentid, base_url=first.base + "/wecom")
        await wecom.send_text(["zhangsan"], "请审核草稿 #1")
        await wecom.close()
    async with running(state, clock, media) as second:
        got = second.sandbox.wecom.messages_to(corp.corpid, "zhangsan")
        assert [m.body.get("content") for m in got] == ["请审核草稿 #1"]


def test_without_a_state_file_a_restart_starts_empty(tmp_path: Path) -> None:
    """The default (tests, benchmarks): nothing is written anywhere."""
    _, sandbox = create_sandbox_app()
    sandbox.weibo.add_comment("weibo-main", 1, "留言")
    assert not sandbox.store.persistent
    _, fresh = create_sandbox_app()
    assert fresh.weibo.accounts["weibo-main"].comments == []
    assert list(tmp_path.iterdir()) == []
