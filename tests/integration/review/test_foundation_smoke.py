from __future__ import annotations

import pytest

from review import drafts
from review.db import SessionFactory
from review.store import audit
from review.store import directory as dstore


@pytest.mark.pg
async def test_create_draft_and_audit(sf: SessionFactory, db_backend: str) -> None:
    async with sf.begin() as s:
        editor = await dstore.person_by_key(s, "zhao_min")
        assert editor is not None
        _d, r = await drafts.create(
            s,
            editor,
            drafts.DraftInput(title="低保申请指南", body="正文", accounts=["ccmz_wechat"]),
        )
    async with sf() as s:
        n, problem = await audit.verify(s)
    assert (n, problem) == (1, None)
    assert r.number == 1 and len(r.content_hash) == 64
