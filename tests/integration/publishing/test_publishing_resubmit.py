"""Edit and resubmit after a publication ended: a failed one can go out again (once), an unclear
one cannot be replaced by a second version until it has been checked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from publishing_support import FakeChannel
from queue_support import PASS, new_draft, person
from sqlalchemy import select, update

from channels.base import Rejected, Transient
from review import drafts, queue
from review.db import SessionFactory
from review.errors import Conflict
from review.models import Publication, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher
from review.store import scheduling as sstore

FAST = PublishingConfig(
    backoff_base_seconds=0.01, backoff_cap_seconds=0.02, max_attempts=4, lease_seconds=10
)
#: ccmz_weibo's chain for 工作动态: 初审 (office) then 保密审查 (secrecy)
STAGES = ("li_na", "chen_jing")


async def approve_all(sf: SessionFactory, draft_id: int) -> list[Publication]:
    author = await person(sf, "zhao_min")
    async with sf.begin() as s:
        result = await queue.submit(s, draft_id, author, gate=PASS)
    task = result.tasks[0]
    now = utcnow() - timedelta(days=1)  # the next slot is already due
    for who in STAGES:
        reviewer = await person(sf, who)
        async with sf.begin() as s:
            await queue.claim(s, task.id, reviewer, now=now)
        async with sf.begin() as s:
            done = await queue.approve(s, task.id, reviewer, "同意", now=now)
        if done.next_task is None:
            return list(done.publications)
        task = done.next_task
    raise AssertionError("the chain did not finish")


async def edit(sf: SessionFactory, draft_id: int, body: str) -> None:
    author = await person(sf, "zhao_min")
    async with sf.begin() as s:
        await drafts.edit(
            s,
            author,
            draft_id,
            drafts.DraftInput(
                title="养老服务补贴申领指南",
                body=body,
                accounts=["ccmz_weibo"],
                cover_path="covers/a.png",
            ),
        )


async def the_row(sf: SessionFactory) -> Publication:
    async with sf() as s:
        [row] = (await s.scalars(select(Publication))).all()
        return row


@pytest.mark.pg
async def test_rejected_by_the_platform_then_edited_goes_out_once(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, accounts=("ccmz_weibo",))
    await approve_all(sf, draft_id)
    ch = FakeChannel("ccmz_weibo", failures=[Rejected("内容违规", code=20019)])
    pub = Publisher(sf, {"ccmz_weibo": ch}, FAST)
    await pub.publish_due()
    failed = await the_row(sf)
    assert failed.status == "failed"
    await edit(sf, draft_id, "市民政局发布养老服务补贴申领流程（已按平台要求修改）。")
    [again] = await approve_all(sf, draft_id)
    assert (again.id, again.status, again.attempts) == (failed.id, "scheduled", 0)
    assert again.revision_id != failed.revision_id and again.receipt_extra == {}
    assert again.idempotency_key.endswith("r2") and again.last_error is None
    await pub.publish_due()
    row = await the_row(sf)
    assert (row.status, row.attempts) == ("published", 1)
    assert dict(ch.published) == {row.idempotency_key: 1}


@pytest.mark.pg
async def test_an_unclear_attempt_blocks_a_resubmit_until_it_is_checked(
    sf: SessionFactory,
) -> None:
    draft_id = await new_draft(sf, accounts=("ccmz_weibo",))
    await approve_all(sf, draft_id)
    ch = FakeChannel("ccmz_weibo", failures=[Transient("timeout", code="timeout")])
    await Publisher(sf, {"ccmz_weibo": ch}, FAST).publish_due()
    unclear = await the_row(sf)
    assert (unclear.status, unclear.receipt_extra) == ("scheduled", {"ambiguous": "1"})
    await edit(sf, draft_id, "改过的正文。")
    author = await person(sf, "zhao_min")
    async with sf.begin() as s:
        with pytest.raises(Conflict, match=f"publications settle {unclear.id}"):
            await queue.submit(s, draft_id, author, gate=PASS)
    async with sf.begin() as s:  # and the store itself never cancels such a row
        assert await sstore.cancel_scheduled(s, draft_id) == []
    assert (await the_row(sf)).status == "scheduled"


@pytest.mark.pg
async def test_a_revived_row_starts_without_the_old_receipt(sf: SessionFactory) -> None:
    """A row cancelled while still carrying an old attempt's flag (as before this check existed)
    must not make the new version look for the old post instead of publishing."""
    draft_id = await new_draft(sf, accounts=("ccmz_weibo",))
    [first] = await approve_all(sf, draft_id)
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == first.id)
            .values(status="cancelled", receipt_extra={"ambiguous": "1", "publish_id": "old"})
        )
    await edit(sf, draft_id, "改过的正文。")
    [again] = await approve_all(sf, draft_id)
    assert (again.status, again.receipt_extra) == ("scheduled", {})
    ch = FakeChannel("ccmz_weibo")
    await Publisher(sf, {"ccmz_weibo": ch}, FAST).publish_due()
    await asyncio.sleep(0)
    row = await the_row(sf)
    assert (row.status, ch.calls, ch.checks) == ("published", 1, 0)
