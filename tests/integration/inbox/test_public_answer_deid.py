"""A public answer (留言答复) and a home address written to the door without 室: the question
loses it (cut to the community), an answer naming one is refused, and a post that would still
carry one — the footer says 「已隐去…住址」 — is stopped by the submission gate."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from inbox_support import assigned_message, demo_client
from sqlalchemy import select

from bot import keys
from bot.config.load import Settings
from bot.inbox import answering
from bot.services import Services
from review import public_answers
from review.db import SessionFactory
from review.errors import ValidationFailed
from review.models import CitizenMessage, Draft, MessageReply, Revision
from review.store import directory

QUESTION = "我住在朝阳区红旗街道幸福小区3栋2单元501，楼道灯坏了一个月了，没人管"
DOOR_ANSWER = "您好，请到幸福小区3栋2单元501找社区网格员登记维修。"


@pytest.fixture
async def services(settings: Settings, sf: SessionFactory) -> AsyncIterator[Services]:
    """The demo app's services (sf: the database is migrated first)."""
    async with demo_client(settings) as client:
        yield client.app[keys.SERVICES]


async def revision_of(sf: SessionFactory, message_id: int) -> Revision:
    async with sf() as s:
        msg = await s.get(CitizenMessage, message_id)
        assert msg is not None and msg.public_draft_id is not None
        rev = await s.scalar(select(Revision).where(Revision.draft_id == msg.public_draft_id))
        assert rev is not None
        return rev


async def test_the_question_is_cut_to_the_community(services: Services, sf: SessionFactory) -> None:
    msg_id = await assigned_message(sf, dedup_key="m-door-1", sender="o_door", text=QUESTION)
    started = await answering.answer_public(services, msg_id, "li_na", "您好，已通知物业维修。")
    assert "提交审核" in started and "问题中 1 处个人信息已隐去" in started
    rev = await revision_of(sf, msg_id)
    assert "3栋2单元501" not in rev.body and "501" not in rev.body
    assert "红旗街道幸福小区，楼道灯坏了" in rev.body


async def test_an_answer_naming_a_door_is_refused_and_the_gate_stops_such_a_post(
    services: Services, sf: SessionFactory
) -> None:
    msg_id = await assigned_message(
        sf, dedup_key="m-door-2", sender="o_door2", text="楼道灯坏了一个月了，没人管"
    )
    with pytest.raises(ValidationFailed, match="家庭住址（到户）"):
        await answering.answer_public(services, msg_id, "li_na", DOOR_ANSWER)
    async with sf() as s:
        assert (await s.scalars(select(Draft))).all() == []

    # past the answer's own check (the domain call): the masking hid nothing, the post would
    # still name the door under a footer saying addresses are hidden — the gate blocks it
    now = services.clock()
    async with sf.begin() as s:
        msg = await s.get(CitizenMessage, msg_id)
        person = await directory.person_by_key(s, "li_na")
        assert msg is not None and person is not None
        inp, masked = await public_answers.draft_input(s, msg, DOOR_ANSWER, now)
        started = await public_answers.start(
            s, msg, person, await services.prepare_draft(inp), DOOR_ANSWER, masked=masked,
            safe_domains=services.safe_domains, limits=services.platform_limits, now=now,
        )  # fmt: skip
    assert masked == 0 and "已隐去姓名、电话、住址" in inp.body
    assert started.blocked and any("家庭住址（到户）" in r for r in started.reasons)
    async with sf() as s:
        draft = await s.get(Draft, started.draft_id)
        reply = await s.scalar(select(MessageReply).where(MessageReply.message_id == msg_id))
    assert draft is not None and draft.status != "in_review"
    assert reply is not None and reply.status == "not_published"
    assert "未通过自动检查" in (reply.error or "") and "家庭住址（到户）" in (reply.error or "")
