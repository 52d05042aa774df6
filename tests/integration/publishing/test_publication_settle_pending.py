"""A post stuck 平台处理中 (``pending``) can be settled by a person who saw it live — but not
marked failed or sent again: the platform accepted the job and may still publish it, and a row
marked failed would never be looked at again while the post is live (a newcomer did exactly
that: the article went out 40 s later, and could be neither seen nor retracted)."""

from __future__ import annotations

import asyncio

import pytest
from app_support import run_cli
from publishing_support import seed
from sqlalchemy import update

from review.db import SessionFactory
from review.errors import Conflict, Forbidden, NotFound
from review.models import Publication
from review.publishing import resolution
from review.states import PUBLICATION_LABELS
from review.states import PublicationStatus as P
from review.store import publications as pstore
from review.store import resolutions

pytestmark = pytest.mark.pg


async def pending_publication(sf: SessionFactory) -> int:
    """One 长春民政 publication the platform accepted and never finished."""
    pub_id = (await seed(sf, 1)).publication_ids[0]
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == pub_id)
            .values(status=P.PENDING, receipt_extra={"publish_id": "100000005"})
        )
    return pub_id


async def status_of(sf: SessionFactory, pub_id: int) -> str:
    async with sf() as s:
        pub = await pstore.get(s, pub_id)
        assert pub is not None
        return pub.status


async def test_a_pending_post_is_settled_published_only(sf: SessionFactory) -> None:
    pub_id = await pending_publication(sf)
    async with sf.begin() as s:
        msg = await resolution.settle(
            s, pub_id, "li_na", "published", note="后台已见该文章", url="https://mp/s/x"
        )
        assert "已发布" in msg
    assert await status_of(sf, pub_id) == "published"


@pytest.mark.parametrize("outcome", ["failed", "retry"])
async def test_a_pending_post_is_neither_failed_nor_sent_again_by_hand(
    sf: SessionFactory, outcome: str
) -> None:
    pub_id = await pending_publication(sf)
    async with sf.begin() as s:
        with pytest.raises(Conflict, match="仍可能发出：系统会继续自动查询"):
            await resolution.settle(s, pub_id, "li_na", outcome, note="后台发表记录里没有")
    assert await status_of(sf, pub_id) == "pending"


async def test_the_platform_answering_first_wins(sf: SessionFactory) -> None:
    """The guard is the status the person saw: a poll that settled it meanwhile is not undone."""
    pub_id = await pending_publication(sf)
    async with sf.begin() as s:
        await s.execute(
            update(Publication).where(Publication.id == pub_id).values(status=P.PUBLISHED)
        )
        now = (await pstore.get(s, pub_id)).updated_at  # type: ignore[union-attr]
        assert not await resolutions.settle(s, pub_id, P.FAILED, P.PENDING, now=now)
    assert await status_of(sf, pub_id) == "published"


async def test_cli_settles_a_pending_post(
    sf: SessionFactory,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", db_url)
    pub_id = await pending_publication(sf)
    argv = ["publications", "settle", str(pub_id)]
    code, _, err = await asyncio.to_thread(
        run_cli, capsys, *argv, "retry", "--as", "li_na", "--note", "后台没看到"
    )
    assert code != 0 and "仍可能发出" in err
    code, _, err = await asyncio.to_thread(
        run_cli, capsys, *argv, "failed", "--as", "li_na", "--note", "后台发表记录里没有"
    )
    assert code != 0 and "仍可能发出" in err
    code, out, _ = await asyncio.to_thread(
        run_cli, capsys, *argv, "published", "--as", "li_na", "--note", "后台已见该文章",
        "--url", "https://mp.weixin.qq.com/s/x",
    )  # fmt: skip
    assert code == 0 and f"发布记录 {pub_id} 已核对为「{PUBLICATION_LABELS[P.PUBLISHED]}」" in out
    assert await status_of(sf, pub_id) == "published"


async def test_what_the_row_is_is_said_before_what_the_note_lacks(sf: SessionFactory) -> None:
    """A missing row, or one that needs no check, is named first — not the length of the note
    or a missing link (the newcomer was told to write a longer note about a row that did not
    exist)."""
    pub_id = (await seed(sf, 1)).publication_ids[0]
    async with sf.begin() as s:
        await s.execute(
            update(Publication).where(Publication.id == pub_id).values(status=P.PUBLISHED)
        )
    async with sf.begin() as s:
        with pytest.raises(NotFound, match="不存在"):
            await resolution.settle(s, 9999, "li_na", "failed", note="x")
        with pytest.raises(Conflict, match="不需要人工核对"):
            await resolution.settle(s, pub_id, "li_na", "published", note="已在平台核对")
        with pytest.raises(Forbidden, match="不能核对发布结果"):
            await resolution.settle(s, pub_id, "zhao_min", "failed", note="已在平台核对")
