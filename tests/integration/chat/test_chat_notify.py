"""Staff notifications delivered by WeCom: the right people, a template per kind, the command."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from chat_support import Service, start
from sqlalchemy import select

from bot.chat.notifier import TEMPLATES, render
from bot.chat.ticks import deliver_notifications
from review.models import Notification
from review.notify import KINDS, notify
from review.store import directory


@pytest.fixture
async def service(settings, sf) -> AsyncIterator[Service]:  # type: ignore[no-untyped-def]
    async for svc in start(settings, sf):
        yield svc


def test_every_kind_has_a_template_that_names_a_command() -> None:
    for kind in KINDS:
        assert (TEMPLATES / f"{kind}.txt.j2").exists(), kind
        note = Notification(
            id=7, kind=kind, subject="task:12", text="内容", payload={"draft_id": 3}
        )
        text = render(note)
        assert text.startswith(f"【{KINDS[kind]}】内容"), kind
        assert "「" in text or "newmedia" in text or "控制台" in text or "平台" in text, kind


async def test_notifications_reach_the_people_who_act_on_them(service: Service) -> None:
    async with service.sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        li_na = await directory.person_by_key(s, "li_na")
        zhao = await directory.person_by_key(s, "zhao_min")
        assert office and li_na and zhao
        await notify(s, kind="claim_expiring", subject="task:5", text="任务 5 即将到期",
                     person_id=li_na.id)  # fmt: skip
        await notify(s, kind="message_overdue", subject="message:35", text="留言 #35 已超期",
                     department_id=office.id)  # fmt: skip
        await notify(s, kind="draft_returned", subject="draft:3", text="稿件 3 被退回",
                     person_id=zhao.id, payload={"draft_id": 3})  # fmt: skip
    await deliver_notifications(service.app)
    li_na_texts = "\n".join(service.texts("LiNa"))
    assert "「通过 5 意见」" in li_na_texts and "「释放 5」" in li_na_texts
    assert "「回复 #35 内容」" in li_na_texts
    assert any("#35" in t for t in service.texts("WangQiang"))  # replier and head
    zhao_texts = "\n".join(service.texts("ZhaoMin"))
    assert "#35" not in zhao_texts  # the editor does not answer citizens
    assert "newmedia draft edit 3" in zhao_texts
    assert "5 即将到期" not in "\n".join(service.texts("WangQiang"))
    async with service.sf() as s:
        states = set((await s.scalars(select(Notification.status))).all())
    assert states == {"sent"}


async def test_nobody_reachable_is_logged_not_lost(service: Service) -> None:
    async with service.sf.begin() as s:
        xu_ke = await directory.person_by_key(s, "xu_ke")  # no WeCom identity
        assert xu_ke
        await notify(s, kind="task_assigned", subject="task:9", text="任务 9", person_id=xu_ke.id)
    await deliver_notifications(service.app)
    async with service.sf() as s:
        assert (await s.scalars(select(Notification.status))).one() == "logged"


async def test_a_head_stage_task_goes_only_to_heads(service: Service) -> None:
    async with service.sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        assert office
        await notify(s, kind="task_waiting", subject="task:9", text="待审任务 9（终审）",
                     department_id=office.id, payload={"task_id": 9, "role": "head"})  # fmt: skip
        await notify(s, kind="task_waiting", subject="task:10", text="待审任务 10（初审）",
                     department_id=office.id, payload={"task_id": 10, "role": "reviewer"})  # fmt: skip
    await deliver_notifications(service.app)
    li_na = "\n".join(service.texts("LiNa"))  # a reviewer, not the head
    wang = "\n".join(service.texts("WangQiang"))  # the head
    assert "任务 10" in li_na and "任务 9" not in li_na
    assert "任务 9" in wang and "任务 10" in wang
