"""A publication the platform could not confirm is settled by a person of the owner department."""

from __future__ import annotations

import pytest
from publishing_support import seed
from sqlalchemy import update

from review.db import SessionFactory
from review.errors import Conflict, Forbidden, ValidationFailed
from review.models import Publication
from review.publishing import resolution
from review.states import PublicationStatus as P
from review.store import audit
from review.store import publications as pstore


async def needs_check_publication(sf: SessionFactory) -> int:
    """One approved 长春民政 publication whose crash reconciliation could not decide."""
    pub_id = (await seed(sf, 1)).publication_ids[0]
    async with sf.begin() as s:
        await s.execute(
            update(Publication).where(Publication.id == pub_id).values(status=P.NEEDS_CHECK)
        )
    return pub_id


@pytest.mark.pg
async def test_reviewer_settles_needs_check_once(sf: SessionFactory) -> None:
    pub_id = await needs_check_publication(sf)
    async with sf.begin() as s:
        with pytest.raises(Forbidden):  # 养老服务处 does not own 长春民政
            await resolution.settle(s, pub_id, "sun_li", "failed", note="后台未见该文章")
    async with sf.begin() as s:
        with pytest.raises(ValidationFailed):
            await resolution.settle(s, pub_id, "li_na", "published", note="后台已见该文章")
    async with sf.begin() as s:  # the link is shown to staff: only a web address
        with pytest.raises(ValidationFailed, match="http"):
            await resolution.settle(
                s, pub_id, "li_na", "published", note="后台已见", url="javascript:alert(1)"
            )
    async with sf.begin() as s:
        msg = await resolution.settle(
            s,
            pub_id,
            "li_na",
            "published",
            note="后台已见该文章",
            url="https://mp.weixin.qq.com/s/x",
        )
    assert "已发布" in msg
    async with sf() as s:
        pub = await pstore.get(s, pub_id)
        assert pub is not None and pub.status == P.PUBLISHED and pub.url.endswith("/s/x")
        assert (await audit.recent(s, limit=1))[0].action == "publication.settle"
        assert (await audit.verify(s))[1] is None
    async with sf.begin() as s:  # a second settlement changes nothing
        with pytest.raises(Conflict):
            await resolution.settle(s, pub_id, "wang_qiang", "retry", note="再发一次")


@pytest.mark.pg
async def test_retry_puts_it_back_on_the_schedule(sf: SessionFactory) -> None:
    pub_id = await needs_check_publication(sf)
    async with sf.begin() as s:
        await resolution.settle(s, pub_id, "wang_qiang", "retry", note="公众号后台确认未发出")
    async with sf() as s:
        pub = await pstore.get(s, pub_id)
        assert pub is not None and pub.status == P.SCHEDULED


async def test_unknown_outcome(sf: SessionFactory) -> None:
    async with sf.begin() as s:
        with pytest.raises(ValidationFailed):
            await resolution.settle(s, 1, "li_na", "maybe", note="不确定")
