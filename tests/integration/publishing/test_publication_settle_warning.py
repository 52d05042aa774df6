"""``settle … retry`` after a search that stopped short of the send time: refused unless the
person confirms (``force``), and the confirmation then starts with a warning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from publishing_support import seed
from sqlalchemy import update

from channels.base import Absence, Search
from review.db import SessionFactory
from review.errors import Conflict
from review.models import Publication
from review.publishing import resolution, searched
from review.states import PublicationStatus as P
from review.store import audit
from review.store import publications as pstore

BACK = datetime(2026, 12, 2, 2, 3, tzinfo=UTC)
SENT = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


async def needs_check_after(sf: SessionFactory, *, complete: bool) -> int:
    pub_id = (await seed(sf, 1)).publication_ids[0]
    search = Search(Absence.NOT_PUBLISHED, complete, items=200, pages=10, back_to=BACK, since=SENT)
    extra = searched.as_extra(search) | {"unconfirmed": "1"}
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == pub_id)
            .values(status=P.NEEDS_CHECK, receipt_extra=extra)
        )
    return pub_id


@pytest.mark.pg
async def test_retry_after_an_incomplete_search_needs_force_and_warns(sf: SessionFactory) -> None:
    pub_id = await needs_check_after(sf, complete=False)
    async with sf.begin() as s:
        with pytest.raises(Conflict) as refused:
            await resolution.settle(s, pub_id, "li_na", "retry", note="后台未见该文章")
    refusal = str(refused.value)
    assert "只查到 2026-12-02 10:03（200 条），未查到发送时间 2026-12-02 09:00" in refusal
    assert "--force" in refusal
    async with sf() as s:
        assert (await pstore.get(s, pub_id)).status == P.NEEDS_CHECK  # type: ignore[union-attr]
    async with sf.begin() as s:
        msg = await resolution.settle(
            s, pub_id, "li_na", "retry", note="后台逐条翻到发送时间，未见该文章", force=True
        )
    assert msg.startswith("注意：上次核对只查到 2026-12-02 10:03（200 条）")
    assert f"发布记录 {pub_id} 已核对为「" in msg
    async with sf() as s:
        assert (await pstore.get(s, pub_id)).status == P.SCHEDULED  # type: ignore[union-attr]
        event = (await audit.recent(s, limit=1))[0]
        assert event.detail["confirmed_warning"].startswith("注意：")


async def test_retry_after_a_complete_search_needs_no_force(sf: SessionFactory) -> None:
    pub_id = await needs_check_after(sf, complete=True)
    async with sf.begin() as s:
        msg = await resolution.settle(s, pub_id, "li_na", "retry", note="后台未见该文章")
    assert msg.startswith("发布记录")


async def test_other_outcomes_are_not_held_back(sf: SessionFactory) -> None:
    pub_id = await needs_check_after(sf, complete=False)
    async with sf.begin() as s:
        msg = await resolution.settle(s, pub_id, "li_na", "failed", note="后台未见，不再发")
    assert msg.startswith("发布记录")
