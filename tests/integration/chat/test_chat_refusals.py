"""Every wrong sender, person, department, unclaimed task and malformed command is refused with
a reason — through the real encrypted callback, the router and the database."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chat_support import Service, say, start, submitted
from sqlalchemy import func, select

from bot.config.load import Settings
from review.db import SessionFactory
from review.models import AuditEvent, ChatCommand, ReviewTask


async def task_status(service: Service, task_id: int) -> tuple[str, int | None]:
    async with service.sf() as s:
        task = await s.get(ReviewTask, task_id)
        assert task is not None
        return task.status, task.claimed_by


@pytest.mark.pg
async def test_wrong_people_are_refused_with_reasons(service: Service, db_backend: str) -> None:
    _, task_id = await submitted(service.sf)
    # unclaimed task: decide needs a claim first
    assert "还没有人认领" in await say(service, "LiNa", f"通过 {task_id}")
    # wrong department: 保密办 cannot take the office's 初审
    text = await say(service, "ChenJing", f"认领 {task_id}")
    assert "办公室" in text and "保密办" in text
    # no reviewer role: the editor
    assert "审核人" in await say(service, "ZhaoMin", f"认领 {task_id}")
    # another department's head cannot reassign it either
    assert "办公室" in await say(service, "ZhouHui", f"转交 {task_id} 孙丽")
    assert await task_status(service, task_id) == ("open", None)
    # only the claimant decides
    assert "已认领" in await say(service, "LiNa", f"认领 {task_id}")
    text = await say(service, "WangQiang", f"驳回 {task_id} 不同意")
    assert "李娜" in text and "认领人" in text
    assert (await task_status(service, task_id))[0] == "claimed"
    # a reviewer who is not head cannot reassign
    assert "负责人" in await say(service, "LiNa", f"转交 {task_id} 王强")


async def test_head_stage_refuses_a_plain_reviewer(service: Service) -> None:
    _, task_id = await submitted(service.sf)
    await say(service, "LiNa", f"认领 {task_id}")
    text = await say(service, "LiNa", f"通过 {task_id}")
    assert "终审" in text
    async with service.sf() as s:
        final = await s.scalar(select(ReviewTask).where(ReviewTask.stage_name == "终审"))
    assert final is not None
    text = await say(service, "LiNa", f"认领 {final.id}")
    assert "负责人" in text and "李娜" in text


async def test_malformed_and_unknown_commands_get_the_closest_usage(service: Service) -> None:
    text = await say(service, "LiNa", "通过")
    assert "缺少「任务编号」" in text and "用法：通过 任务编号 [意见]" in text
    text = await say(service, "LiNa", "驳回 十二 不行")
    assert "不是任务编号" in text and "用法：驳回 任务编号 原因" in text
    text = await say(service, "LiNa", "/approv 3")
    assert "/approve" in text and "用法：通过" in text
    text = await say(service, "LiNa", "天气怎么样")
    assert "帮助" in text


async def test_unknown_sender_is_refused_and_audited_only(service: Service) -> None:
    text = await say(service, "Intruder", "通过 1")
    assert "未登记" in text
    async with service.sf() as s:
        # (the shipped 办事指南 imported into the 口径 library at start-up is audited too)
        events = (
            await s.scalars(select(AuditEvent).where(AuditEvent.subject_type != "wording"))
        ).all()
        stored = await s.scalar(select(func.count()).select_from(ChatCommand))
    assert [e.action for e in events] == ["chat.unknown_sender"]
    assert events[0].subject_id == "wecom:Intruder" and stored == 0


async def test_bad_signature_is_refused_without_a_500(service: Service) -> None:
    phone = service.phone("LiNa")
    query, body = phone.build_request(phone.text_xml("帮助"))
    query["msg_signature"] = "0" * 40
    reply = await phone.post(query, body)
    assert reply.status == 403
    resp = await service.client.post("/wecom/review_app", data=b"<xml>garbage")
    assert resp.status in (400, 403)
    resp = await service.client.post("/wecom/nope", data=b"")
    assert resp.status == 404


async def test_the_same_msgid_from_two_people_is_two_commands(service: Service) -> None:
    """A MsgId is no key on its own: a colleague's message with the same id is not a retry of
    yours, and each gets the answer to their own command (not the other's)."""
    _, task_id = await submitted(service.sf)
    li_na, chen_jing = service.phone("LiNa"), service.phone("ChenJing")
    first = await li_na.post(*li_na.build_request(li_na.text_xml(f"认领 {task_id}", msg_id=77)))
    second = await chen_jing.post(*chen_jing.build_request(chen_jing.text_xml("待审", msg_id=77)))
    assert first.text is not None and "已认领" in first.text
    assert second.text is not None and "保密办" in second.text and "已认领" not in second.text
    async with service.sf() as s:
        assert await s.scalar(select(func.count()).select_from(ChatCommand)) == 2
    # the same person's same MsgId is a retry: the stored answer, the command not run twice
    again = await li_na.post(*li_na.build_request(li_na.text_xml(f"认领 {task_id}", msg_id=77)))
    assert again.text == first.text
    async with service.sf() as s:
        assert await s.scalar(select(func.count()).select_from(ChatCommand)) == 2


async def test_a_body_over_the_configured_limit_is_refused_before_it_is_read(
    settings: Settings, sf: SessionFactory
) -> None:
    """``[service] max_body_bytes`` holds for the WeCom callback as for the OA one (it used the
    adapter's 64 KiB default whatever the settings said)."""
    service_cfg = settings.file.service.model_copy(update={"max_body_bytes": 2048})
    small = replace(settings, file=settings.file.model_copy(update={"service": service_cfg}))
    async for svc in start(small, sf):
        phone = svc.phone("LiNa")
        query, body = phone.build_request(phone.text_xml("帮助" + "。" * 1200))
        assert len(body) > 2048
        reply = await phone.post(query, body)
        assert reply.status == 413
        fits = await phone.send_text("帮助")
        assert fits.status == 200 and fits.text is not None and "认领" in fits.text
