"""改期 and 取消 from a phone: the encrypted callback, the router, the owner-department rule and
the guarded changes in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chat_support import Service, say
from publishing_support import seed
from sqlalchemy import select, update

from review.models import AuditEvent, Publication, utcnow
from review.timefmt import fmt


async def publication(service: Service, pub_id: int) -> Publication:
    async with service.sf() as s:
        pub = await s.get(Publication, pub_id)
        assert pub is not None
        return pub


@pytest.mark.pg
async def test_reschedule_and_cancel_by_chat(service: Service, db_backend: str) -> None:
    seeded = await seed(service.sf, 1, due_at=utcnow() + timedelta(days=3))
    pub_id = seeded.publication_ids[0]
    draft_id = (await publication(service, pub_id)).draft_id

    answer = await say(service, "WuFang", f"改期 {draft_id} 2099-12-03 09:00")  # 养老服务处
    assert "谁开设、谁管理" in answer and "办公室" in answer
    answer = await say(service, "LiNa", f"取消 {draft_id}")  # a reviewer, not an editor
    assert answer.startswith("未执行") and "李娜" in answer
    assert (await publication(service, pub_id)).status == "scheduled"

    answer = await say(service, "ZhaoMin", f"改期 #{draft_id} 2099-12-03 09:00")
    assert "发布时间改为 12月3日 09:00" in answer
    assert fmt((await publication(service, pub_id)).due_at) == "2099-12-03 09:00"

    answer = await say(service, "WangQiang", f"取消 {draft_id}")
    assert "定时发布已取消" in answer
    assert (await publication(service, pub_id)).status == "cancelled"
    async with service.sf() as s:
        actions = set((await s.scalars(select(AuditEvent.action))).all())
    assert {"draft.reschedule", "draft.cancel_publication"} <= actions


async def test_a_post_the_publisher_took_is_not_cancelled(service: Service) -> None:
    pub_id = (await seed(service.sf, 1, due_at=utcnow())).publication_ids[0]
    async with service.sf.begin() as s:
        await s.execute(
            update(Publication).where(Publication.id == pub_id).values(status="publishing")
        )
    draft_id = (await publication(service, pub_id)).draft_id
    answer = await say(service, "ZhaoMin", f"取消 {draft_id}")
    assert "已被发布程序领取" in answer and "不能取消" in answer
    assert (await publication(service, pub_id)).status == "publishing"
    answer = await say(service, "ZhaoMin", f"改期 {draft_id} 明天")
    assert "无法识别的时间" in answer
