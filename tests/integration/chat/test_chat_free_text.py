"""What a replier types by chat reaches the citizen and the record as typed: the parser reads
command words, ids and names normalised (＃１４ is #14), never the free text — a full-width
「，；（）」 stays full-width in the answer the citizen receives, a public answer and a call's
summary."""

from __future__ import annotations

from chat_support import Service, say
from inbox_support import add_shut_window_message, assigned_message
from sqlalchemy import select

from review.models import CitizenMessage, Draft, MessageReply
from review.store import drafts as dstore

ANSWER = "您好，养老机构收费实行备案管理；符合条件的可申请养老服务补贴（详见民政局官网）。"
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


async def test_an_answer_with_full_width_punctuation_reaches_the_citizen_unchanged(
    service: Service,
) -> None:
    mid = await assigned_message(
        service.sf, dedup_key="m-free-1", sender="o_free_1", text="养老院收费怎么管？"
    )
    service.sandbox.note_user_message("ccmz_wechat", "o_free_1")
    answered = await say(service, "LiNa", f"回复　＃{str(mid).translate(WIDE)}　{ANSWER}")
    assert f"#{mid}" in answered, answered
    sent = service.sandbox.wechat.state("ccmz_wechat").sent
    assert [m.openid for m in sent] == ["o_free_1"] and ANSWER in sent[0].text


async def test_a_public_answer_and_a_call_summary_keep_what_was_typed(service: Service) -> None:
    async with service.sf.begin() as s:
        public = (await add_shut_window_message(s, "m-free-2", "高龄津贴怎么申请？")).id
        phone = (await add_shut_window_message(s, "m-free-3", "护理补贴何时发放？")).id
    started = await say(service, "SunLi", f"公开答复 #{public} {ANSWER}")
    assert "提交审核" in started, started
    summary = "12月3日致电留言人：补贴月底到账；如有疑问，可拨打（0431）12345。"
    assert "已记录电话答复" in await say(service, "SunLi", f"电话 #{phone} {summary}")
    async with service.sf() as s:
        row = await s.get(CitizenMessage, public)
        assert row is not None and row.public_draft_id
        draft = await s.get(Draft, row.public_draft_id)
        assert draft is not None
        revision = await dstore.current_revision(s, draft)
        texts = await s.scalars(select(MessageReply.text).where(MessageReply.message_id == phone))
    assert ANSWER in revision.body and list(texts) == [summary]
