"""What goes to the platforms is what they accept, through the real app and sandbox.

A PNG cover given to a draft through the API is made into a JPG of at most 64 KB when the draft
is saved, and that stored rendition is what WeChat receives as ``thumb``; a long Weibo post is
cut and links to the article's own page, never to the site's root.
"""

from __future__ import annotations

import io
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from app_support import bearer
from PIL import Image
from publishing_support import approved_task, seed
from sqlalchemy import select, update

from bot import keys
from bot.app import create_app
from bot.config.load import Settings
from bot.sandbox.wiring import RUNTIME
from channels.sandbox.app import Sandbox
from review.db import SessionFactory
from review.media_renditions import Profile
from review.models import Account, Draft, Person, Publication, Revision, utcnow
from review.scheduling import schedule

pytestmark = pytest.mark.pg
THUMB_MAX = 64 * 1024


def noisy_png(width: int, height: int) -> bytes:
    """A photo-like PNG (noise does not compress): far over 64 KB, as real covers are."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "big_cover.png").write_bytes(noisy_png(640, 360))
    monkeypatch.setenv("NEWMEDIA_MEDIA_ROOT", str(folder))
    return folder


@pytest.fixture
async def client(
    media: Path, settings: Settings, sf: SessionFactory
) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        app[RUNTIME].self_url = str(c.make_url("/")).rstrip("/")
        yield c


async def approve_now(sf: SessionFactory, draft_id: int, account_key: str) -> None:
    """The reviewers' approval of the saved revision, then what the last approval does
    (``review.scheduling.schedule``), due at once."""
    async with sf.begin() as s:
        rev = await s.scalar(select(Revision).where(Revision.draft_id == draft_id))
        account = await s.scalar(select(Account).where(Account.key == account_key))
        reviewer = await s.scalar(select(Person).where(Person.key == "li_na"))
        assert rev is not None and account is not None and reviewer is not None
        await approved_task(s, rev, account, reviewer)
        await s.execute(update(Draft).where(Draft.id == draft_id).values(status="scheduled"))
        await schedule(s, rev, [account])
        await s.execute(
            update(Publication).where(Publication.draft_id == draft_id).values(due_at=utcnow())
        )


async def test_a_png_cover_reaches_wechat_as_the_jpg_thumb_made_when_the_draft_was_saved(
    client: TestClient[Any, Any], sf: SessionFactory, media: Path
) -> None:
    source = (media / "big_cover.png").read_bytes()
    assert len(source) > THUMB_MAX  # as the platform would refuse it
    body = {
        "title": "我市提高城乡低保标准",
        "body": "自2027年1月1日起，城市最低生活保障标准每人每月提高至800元。",
        "kind": "政策解读",
        "cover": "big_cover.png",
        "accounts": ["ccmz_wechat"],
    }
    r = await client.post("/api/drafts", json=body, headers=await bearer(sf, "zhao_min"))
    assert r.status == 201, await r.text()
    draft_id = (await r.json())["id"]

    # made when the draft was saved, and kept
    made = list((media / "renditions").glob("*.thumb.jpg"))
    assert len(made) == 1
    rendition = made[0].read_bytes()
    kept = made[0].stat()
    assert len(rendition) <= THUMB_MAX and rendition.startswith(b"\xff\xd8\xff")

    await approve_now(sf, draft_id, "ccmz_wechat")
    assert await client.app[keys.PUBLISHER].publish_due() == 1

    sandbox = client.app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    [upload] = sandbox.recorder.find(endpoint="cgi-bin/material/add_material")
    assert upload.result == 0 and upload.params["type"] == "thumb"
    assert upload.params["format"] == "JPEG" and upload.params["size"] <= THUMB_MAX
    [cover_url] = sandbox.wechat.state("ccmz_wechat").materials.values()
    key = cover_url.rsplit("/", 1)[1]
    assert sandbox.wechat.media[key] == (rendition, "image/jpeg")
    # the publisher sent the stored rendition: not converted (or rewritten) again
    assert made[0].stat().st_mtime_ns == kept.st_mtime_ns
    assert made[0].stat().st_ino == kept.st_ino


async def test_a_long_weibo_post_links_to_the_articles_own_page(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    body = "本市开展冬季流浪乞讨人员专项救助行动，" * 30
    seeded = await seed(sf, 1, accounts=("ccmz_weibo",), title="专项救助", body=body)
    assert await client.app[keys.PUBLISHER].publish_due() == 1
    sandbox = client.app[keys.SANDBOX]
    assert isinstance(sandbox, Sandbox)
    [status] = sandbox.weibo.state("ccmz_weibo").statuses
    async with sf() as s:
        pub = await s.scalar(select(Publication).where(Publication.id == seeded.publication_ids[0]))
        assert pub is not None
    page = f"https://mzj.changchun.gov.cn/art/{pub.draft_id}.html?p={pub.idempotency_key}"
    assert status.text.endswith(" " + page)
    assert "https://mzj.changchun.gov.cn/?" not in status.text  # never the site's root
    assert len(status.text) <= 140 and "…" in status.text  # cut: the page has the full text


async def test_a_cover_that_cannot_be_made_to_fit_is_refused_when_the_draft_is_saved(
    client: TestClient[Any, Any], sf: SessionFactory, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a platform cap no picture of this size can meet: the editor hears it now, in Chinese
    tiny = Profile("thumb", "公众号封面（缩略图）", ("JPEG",), 300, 1080)
    monkeypatch.setattr("review.media.THUMB", tiny)
    body = {
        "title": "低保",
        "body": "正文。",
        "cover": "big_cover.png",
        "accounts": ["ccmz_wechat"],
    }
    r = await client.post("/api/drafts", json=body, headers=await bearer(sf, "zhao_min"))
    assert r.status == 400
    message = str(await r.json())
    assert "封面图片「big_cover.png」不可用：无法转换为公众号封面（缩略图）" in message
    assert "压缩到 300 字节以内后图片过小" in message, message
    async with sf() as s:
        assert await s.scalar(select(Draft.id)) is None  # nothing saved
