"""Only what the real gate marks overridable can be overridden by a head — never secrecy."""

from __future__ import annotations

import pytest
from queue_support import with_deputy_head

from bot.config.load import Settings
from bot.platforms.limits import PLATFORM_LIMITS
from review import drafts, queue
from review.db import SessionFactory
from review.errors import Forbidden
from review.store import directory

SAFE = {"ccmz_wechat": None}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_deputy_head(settings)  # else 王强's override would leave 终审 with nobody


async def submit_draft(sf: SessionFactory, *, kind: str, body: str) -> int:
    async with sf.begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        assert editor is not None
        draft, _ = await drafts.create(
            s,
            editor,
            drafts.DraftInput(
                title="关于低保对象的公示",
                body=body,
                accounts=["ccmz_wechat"],
                kind=kind,
                cover_path="cover_ccmz.png",
            ),
        )
        result = await queue.submit(s, draft.id, editor, safe_domains=SAFE, limits=PLATFORM_LIMITS)
        assert result.blocked, result
        return draft.id


@pytest.mark.pg
async def test_secrecy_block_cannot_be_overridden(sf: SessionFactory) -> None:
    draft_id = await submit_draft(
        sf, kind="通知公告", body="本文件为机密，不得外传。最低生活保障标准调整事项。"
    )
    async with sf.begin() as s:
        head = await directory.person_by_key(s, "wang_qiang")
        assert head is not None
        with pytest.raises(Forbidden, match="不允许例外放行"):
            await queue.override(s, draft_id, head, "secrecy", "经请示可以公开发布此内容")


@pytest.mark.pg
async def test_personal_data_in_a_disciplinary_notice_can_be_overridden(sf: SessionFactory) -> None:
    draft_id = await submit_draft(
        sf,
        kind="惩戒性公示",
        body="经核查，张三（身份证号220102199003071235）骗取最低生活保障金，现予公示。",
    )
    async with sf.begin() as s:
        head = await directory.person_by_key(s, "wang_qiang")
        editor = await directory.person_by_key(s, "zhao_min")
        assert head is not None and editor is not None
        row = await queue.override(
            s, draft_id, head, "personal_data", "依据低保管理办法对骗保行为予以惩戒性公示"
        )
        assert row.check_name == "personal_data"
        again = await queue.submit(s, draft_id, editor, safe_domains=SAFE, limits=PLATFORM_LIMITS)
    assert not again.blocked and "personal_data" in again.overridden
