"""口径 on a phone: an entry reviewed along its whole chain by chat's reviewers' people, found
with 「口径 低保」 and inserted into a citizen's answer with 【口径N】 — the citizen gets the
approved wording with the replier's own words around it."""

from __future__ import annotations

import pytest
from chat_support import Service, say
from inbox_support import assigned_message

from bot import keys
from bot.wordings import service as wordings
from review.errors import Forbidden
from review.wordings.library import Proposal

APPROVED = "申请低保须同时具备本市户籍、家庭人均收入低于当地低保标准、家庭财产符合规定三个条件。"

pytestmark = pytest.mark.pg  # the guarded decisions (NOT IN a UNION) on both databases


async def approved_wording(service: Service) -> int:
    """李娜 writes it; 王强 (处室审核), 陈静 (保密审查) and 刘洋 (法制审核) approve it."""
    svc = service.app[keys.SERVICES]
    entry = await wordings.create(
        svc, "li_na", "wording", Proposal("低保申请条件", APPROVED, ("低保", "最低生活保障")), None
    )
    await wordings.submit(svc, "li_na", entry.id)
    with pytest.raises(Forbidden, match="自己撰写"):
        await wordings.decide(svc, "li_na", entry.id, approve=True, note=None)
    for person in ("wang_qiang", "chen_jing", "liu_yang"):
        await wordings.decide(svc, person, entry.id, approve=True, note=None)
    shown = await wordings.show(svc, entry.id)
    assert [a.stage for a in shown.versions[0].approvals] == ["处室审核", "保密审查", "法制审核"]
    assert shown.text == APPROVED
    return entry.id


async def test_a_wording_is_approved_found_in_chat_and_inserted_into_an_answer(
    service: Service,
) -> None:
    entry_id = await approved_wording(service)
    found = await say(service, "LiNa", "口径 低保 条件")
    assert f"口径{entry_id}【口径·低保申请条件】" in found and APPROVED in found
    assert len(found.encode()) <= 2048
    assert "没有找到" in await say(service, "LiNa", "口径 火星移民")
    assert APPROVED in await say(service, "LiNa", f"口径 #{entry_id}")

    msg_id = await assigned_message(
        service.sf, dedup_key="m-kouj-1", sender="o_citizen_k", text="我家能申请低保吗？"
    )
    service.sandbox.note_user_message("ccmz_wechat", "o_citizen_k")
    answered = await say(
        service, "LiNa", f"回复 #{msg_id} 您好【口径{entry_id}】如有疑问可到街道窗口咨询"
    )
    assert "已答复" in answered, answered
    sent = service.sandbox.wechat.state("ccmz_wechat").sent
    assert sent and sent[-1].openid == "o_citizen_k"
    assert "您好" + APPROVED + "如有疑问可到街道窗口咨询" in sent[-1].text
    assert "【口径" not in sent[-1].text


async def test_a_reference_to_an_unapproved_wording_is_refused_not_sent(service: Service) -> None:
    svc = service.app[keys.SERVICES]
    entry = await wordings.create(
        svc, "li_na", "wording", Proposal("殡葬补贴", "殡葬补贴草稿。", ()), None
    )
    msg_id = await assigned_message(
        service.sf, dedup_key="m-kouj-2", sender="o_citizen_m", text="殡葬补贴怎么领？"
    )
    service.sandbox.note_user_message("ccmz_wechat", "o_citizen_m")
    answered = await say(service, "LiNa", f"回复 #{msg_id} 口径{entry.id}")
    assert "尚无审定版本" in answered
    assert not [
        m for m in service.sandbox.wechat.state("ccmz_wechat").sent if m.openid == "o_citizen_m"
    ]
