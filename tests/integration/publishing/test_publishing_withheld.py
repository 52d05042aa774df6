"""先审后发's second line for the disclosure attribute: a publication whose revision is marked
不予公开 is cancelled at the claim even when every stage approved exactly that content, and the
platform is never called."""

from __future__ import annotations

import pytest
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from review.db import SessionFactory
from review.drafts import content_hash
from review.models import AuditEvent, Notification, Publication, ReviewTask, Revision
from review.publishing.config import PublishingConfig
from review.publishing.publisher import Publisher


@pytest.mark.pg
async def test_a_withheld_revision_is_cancelled_never_sent(sf: SessionFactory) -> None:
    seeded = await seed(sf, 2)
    async with sf.begin() as s:  # the first one marked 不予公开, its approval pinned to it
        rev = await s.get(Revision, seeded.revision_ids[0])
        assert rev is not None
        rev.disclosure = "不予公开"
        rev.content_hash = content_hash(rev)
        await s.execute(
            update(ReviewTask)
            .where(ReviewTask.revision_id == rev.id)
            .values(approved_hash=rev.content_hash)
        )
    ch = FakeChannel("ccmz_wechat")
    publisher = Publisher(sf, {"ccmz_wechat": ch}, PublishingConfig())  # type: ignore[dict-item]
    await publisher.publish_due()
    async with sf() as s:
        rows = (await s.scalars(select(Publication).order_by(Publication.id))).all()
        assert [r.status for r in rows] == ["cancelled", "published"]
        assert "不予公开" in (rows[0].last_error or "")
        note = await s.scalar(select(Notification).where(Notification.kind == "publication_failed"))
        assert note is not None and "不予公开" in note.text and "重新提交" not in note.text
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "publication.cancel"))
        assert event is not None and event.detail["reason"] == "withheld"
    assert ch.calls == 1  # only the other post reached the platform
