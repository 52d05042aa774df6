"""Chat ops end to end: phone → encrypted /wecom/review_app → router → store → WeCom sandbox.

A 政策解读 draft goes from submission to publication with only chat commands from the right
people: 李娜 初审, 王强 终审 (head), 陈静 保密审查, 刘洋 法制审核.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from chat_support import Service, open_task, say, submitted, wait_for
from sqlalchemy import select

from bot.chat.ticks import deliver_notifications
from bot.keys import PUBLISHER
from review.models import AuditEvent, CitizenMessage, Publication, utcnow
from review.publishing.reconciliation import poll_pending
from review.store import directory
from review.store import drafts as dstore


@pytest.mark.pg
async def test_draft_goes_from_submission_to_publication_by_chat_only(
    service: Service, db_backend: str
) -> None:
    draft_id, _ = await submitted(
        service.sf, publish_at=utcnow(), warn={"wording": "疑似错敏词「某某」"}
    )
    stages = [
        ("LiNa", "初审"),
        ("WangQiang", "终审"),
        ("ChenJing", "保密审查"),
        ("LiuYang", "法制审核"),
    ]
    for userid, stage in stages:
        await deliver_notifications(service.app)
        task = await open_task(service.sf, draft_id)
        assert task.stage_name == stage
        # the department was told, with buttons and the command to type
        cards = service.cards(userid)
        assert cards and cards[-1].body["task_id"].startswith(f"task-{task.id}-")
        assert any(f"认领 {task.id}" in t for t in service.texts(userid))
        shown = await say(service, userid, f"查看 {task.id}")
        assert "最低生活保障政策解读" in shown and "疑似错敏词" in shown and stage in shown
        claimed = await say(service, userid, f"认领 {task.id}")
        assert "已认领" in claimed and f"通过 {task.id}" in claimed
        approved = await say(service, userid, f"通过 {task.id} 同意")
        assert f"已通过：任务 {task.id}" in approved
    assert "全部审核通过" in approved
    async with service.sf() as s:
        draft = await dstore.get_draft(s, draft_id)
        assert draft is not None and draft.status == "scheduled"
    publisher = service.app[PUBLISHER]
    assert await publisher.publish_due() == 1
    for _ in range(20):
        await poll_pending(publisher)
        async with service.sf() as s:
            pub = (await s.scalars(select(Publication))).one()
        if pub.status == "published":
            break
    assert pub.status == "published" and pub.remote_id, pub.last_error
    # 发布失当及时整改: only the owner department retracts, with a reason
    assert "办公室" in await say(service, "ChenJing", f"撤回 {pub.id} 表述有误")
    assert "缺少「原因」" in await say(service, "LiNa", f"撤回 {pub.id}")
    retracted = await say(service, "LiNa", f"撤回 {pub.id} 表述有误")
    assert "已撤回" in retracted
    async with service.sf() as s:
        assert (await s.get(Publication, pub.id, populate_existing=True)).status == "retracted"  # type: ignore[union-attr]
    async with service.sf() as s:
        events = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "chat.command"))
        ).all()
    actors = {e.actor for e in events if e.detail.get("outcome") == "ok"}
    assert actors == {"li_na", "wang_qiang", "chen_jing", "liu_yang"}


async def test_card_click_is_the_typed_command_and_double_click_acts_once(
    service: Service,
) -> None:
    draft_id, task_id = await submitted(service.sf)
    await deliver_notifications(service.app)
    card = service.cards("LiNa")[-1].body
    keys = {b["text"]: b["key"] for b in card["button_list"]}
    phone = service.phone("LiNa")
    early = await phone.click(keys["通过"], card["task_id"])
    assert early.status == 200 and early.text and "还没有人认领" in early.text
    claimed = await phone.click(keys["认领"], card["task_id"])
    assert claimed.text and "已认领" in claimed.text
    corp = service.settings.wecom_apps["review_app"].corp_id
    fields = service.sandbox.wecom.click(corp, "LiNa", card["task_id"], keys["通过"])
    first = await phone.post(*phone.build_request(phone.message_xml(fields)))
    again = await phone.click(keys["通过"], card["task_id"])  # the second tap of a double click
    assert first.text and "已通过" in first.text and again.text == first.text
    await wait_for(lambda: service.cards("LiNa")[-1].replaced_name == "已通过")
    async with service.sf() as s:
        approvals = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "task.approve"))
        ).all()
        repeats = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "chat.repeat"))
        ).all()
    assert len(approvals) == 1 and len(repeats) == 1
    nxt = await open_task(service.sf, draft_id)
    assert nxt.stage_name == "终审" and nxt.id != task_id


async def test_platform_retry_of_a_typed_command_gets_the_same_answer(service: Service) -> None:
    _, task_id = await submitted(service.sf)
    phone = service.phone("LiNa")
    query, body = phone.build_request(phone.text_xml(f"认领 {task_id}", msg_id=990001))
    first = await phone.post(query, body)
    retry = await phone.post(query, body)
    assert first.text and "已认领" in first.text and retry.text == first.text
    async with service.sf() as s:
        claims = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "task.claim"))
        ).all()
    assert len(claims) == 1


async def test_url_verification_answers_the_decrypted_echostr(service: Service) -> None:
    assert await service.phone("LiNa").verify_url()


async def test_help_lists_every_command(service: Service) -> None:
    from bot.chat.commands import registry

    text = await say(service, "LiNa", "帮助")
    for cmd in registry().commands:
        assert cmd.usage in text and cmd.brief in text


async def test_replier_lists_and_answers_a_citizen_message_by_chat(service: Service) -> None:
    async with service.sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        account = await directory.account_by_key(s, "ccmz_wechat")
        assert office and account
        msg = CitizenMessage(
            account_id=account.id, platform="wechat", dedup_key="m-chat-1", sender="o_citizen_9",
            msg_type="text", text="请问民政局几点下班？", status="assigned", topic="民政综合",
            department_id=office.id, deadline_at=utcnow() + timedelta(days=3),
        )  # fmt: skip
        s.add(msg)
    service.sandbox.note_user_message("ccmz_wechat", "o_citizen_9")
    listing = await say(service, "LiNa", "留言")
    assert f"#{msg.id}" in listing and "回复 #编号" in listing
    assert "社会救助处" in await say(service, "ZhengLei", f"回复 #{msg.id} 您好")  # other dept
    answered = await say(service, "LiNa", f"回复 #{msg.id} 您好，工作日17:00下班。")
    assert f"#{msg.id}" in answered
    async with service.sf() as s:
        row = await s.get(CitizenMessage, msg.id, populate_existing=True)
        assert row is not None and row.status == "answered"
