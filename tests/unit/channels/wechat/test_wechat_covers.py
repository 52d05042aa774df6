"""The WeChat cover cache: one permanent material per cover picture and account, reused."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sandbox_env import PNG, Env

from channels.base import ChannelError, Post, ReceiptState
from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel
from review.media import MediaPolicy
from review.media_files import FRESH_SECONDS, publish_loader
from review.media_renditions import THUMB

MATERIAL = "cgi-bin/material/add_material"


def picture(n: int) -> bytes:
    """Another picture (not just other bytes): a cover goes up as the JPEG made of it, and two
    files showing the same picture make the same JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (n * 7 % 256, 40, 90)).save(out, format="PNG")
    return out.getvalue()


def post(n: int, cover: str = "cover.png") -> Post:
    return Post(
        publication_id=n,
        account_key="wechat-main",
        title=f"民政动态{n}",
        body_markdown="本市今冬救助工作有序开展。",
        author="市民政局",
        digest="",
        source=None,
        cover_path=cover,
        link_url="https://mzj.example.gov.cn/art/1.html",
        idempotency_key=f"pub-{n}",
    )


def thumbs(env: Env) -> list[str]:
    drafts = env.sandbox.wechat.state("wechat-main").drafts
    return [a["thumb_media_id"] for articles in drafts.values() for a in articles]


async def test_same_cover_is_uploaded_once(env: Env, wechat: WeChatChannel) -> None:
    for n in range(3):
        assert (await wechat.publish(post(n))).state is ReceiptState.PENDING
    assert env.sandbox.recorder.count(MATERIAL) == 1
    assert len(set(thumbs(env))) == 1 and len(thumbs(env)) == 3


async def test_concurrent_posts_share_one_upload(env: Env, wechat: WeChatChannel) -> None:
    receipts = await asyncio.gather(*(wechat.publish(post(n)) for n in range(6)))
    assert all(r.state is ReceiptState.PENDING for r in receipts)
    assert env.sandbox.recorder.count(MATERIAL) == 1 and wechat.covers.uploads == 1


async def test_a_different_file_is_uploaded_anew(
    env: Env, wechat_api: WeChatAPI, media: Path
) -> None:
    now = [0.0]
    loader = publish_loader(MediaPolicy(media, 10 * 2**20), profile=THUMB, clock=lambda: now[0])
    wechat = WeChatChannel(wechat_api, load_image=loader)
    await wechat.publish(post(1))
    now[0] += FRESH_SECONDS + 1  # the loader looks at the file on disk again
    # the same name with other content (a new picture saved over the old one)
    (media / "cover.png").write_bytes(picture(1))
    stat = (media / "cover.png").stat()
    os.utime(media / "cover.png", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    await wechat.publish(post(2))
    (media / "other.png").write_bytes(picture(2))
    await wechat.publish(post(3, cover="other.png"))
    assert env.sandbox.recorder.count(MATERIAL) == 3
    assert len(set(thumbs(env))) == 3


async def test_material_deleted_on_the_platform_is_uploaded_again(
    env: Env, wechat: WeChatChannel
) -> None:
    await wechat.publish(post(1))
    env.sandbox.wechat.state("wechat-main").materials.clear()  # staff deleted it in the back office
    receipt = await wechat.publish(post(2))
    assert receipt.state is ReceiptState.PENDING
    assert env.sandbox.recorder.count(MATERIAL) == 2
    assert [r.result for r in env.sandbox.recorder.find(endpoint="cgi-bin/draft/add")] == [
        0,
        40007,
        0,
    ]


async def test_the_cache_is_bounded(env: Env, wechat: WeChatChannel, media: Path) -> None:
    wechat.covers._size = 2
    for n in range(4):
        (media / f"c{n}.png").write_bytes(picture(n + 10))
        await wechat.publish(post(n, cover=f"c{n}.png"))
    assert len(wechat.covers) == 2
    await wechat.publish(post(9, cover="c0.png"))  # dropped: uploaded again
    assert env.sandbox.recorder.count(MATERIAL) == 5


async def test_failed_upload_is_not_cached(env: Env, wechat: WeChatChannel) -> None:
    env.sandbox.faults.fail_next(MATERIAL, errcode=45001)
    with pytest.raises(ChannelError) as refused:  # the platform's refusal reaches the publisher
        await wechat.publish(post(1))
    assert refused.value.code == 45001
    assert len(wechat.covers) == 0
    assert (await wechat.publish(post(2))).state is ReceiptState.PENDING


async def test_loader_keeps_files_until_they_change(tmp_path: Path) -> None:
    one, three = PNG + b"one", PNG + b"three"  # trailing bytes: still the same picture
    (tmp_path / "a.png").write_bytes(one)
    now = [0.0]
    load = publish_loader(MediaPolicy(tmp_path, 2**20), clock=lambda: now[0])
    assert (await load("a.png"))[1] == one
    now[0] += FRESH_SECONDS + 1
    assert (await load("a.png"))[1] == one
    (tmp_path / "a.png").write_bytes(three)
    now[0] += FRESH_SECONDS + 1
    assert (await load("a.png"))[1] == three
