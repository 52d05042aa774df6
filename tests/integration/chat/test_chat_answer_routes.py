"""Answer routes by chat (issue 14): once WeChat's window has shut, 回复 names the routes that
still work; 公开答复 sends a 留言答复 draft to review; 电话 records a call — through the real
router, guard and inbox service."""

from __future__ import annotations

from chat_support import Service, say
from inbox_support import add_shut_window_message

from review.models import CitizenMessage, Draft

QUESTION = "我叫张桂兰，电话13912345678，我母亲的高龄津贴一直没批下来，怎么办？"


async def shut_window_message(service: Service) -> int:
    async with service.sf.begin() as s:
        return (await add_shut_window_message(s, "m-chat-routes", QUESTION)).id


async def test_public_answer_and_phone_by_chat(service: Service) -> None:
    mid = await shut_window_message(service)
    refused = await say(service, "SunLi", f"回复 #{mid} 您好，津贴月底到账。")
    assert f"公开答复 #{mid}" in refused and f"电话 #{mid}" in refused

    leaky = await say(service, "SunLi", f"回复 #{mid} 请联系张三，电话13812345678")
    assert "个人信息" in leaky and "您的答复" in leaky and "电话13812345678" in leaky  # echoed
    other = await say(service, "ZhengLei", f"公开答复 #{mid} 您好")  # 社会救助处
    assert "不属于社会救助处" in other and "提交审核" not in other
    started = await say(service, "SunLi", f"公开答复 #{mid} 您好，经核实，津贴已审批，月底到账。")
    assert "提交审核" in started and f"留言答复·受理编号#{mid}" in started
    async with service.sf() as s:
        row = await s.get(CitizenMessage, mid)
        assert row is not None and row.public_draft_id and row.status == "assigned"
        draft = await s.get(Draft, row.public_draft_id)
        assert draft is not None and draft.status == "in_review"

    again = await say(service, "SunLi", f"公开答复 #{mid} 另一版")
    assert "审核中" in again and "另一版" in again  # refused, the text echoed to copy
    missing = await say(service, "SunLi", f"电话 #{mid}")
    assert "缺少「摘要」" in missing
    called = await say(service, "SunLi", f"电话 #{mid} 12月3日致电留言人，告知月底到账。")
    assert "已记录电话答复" in called
    async with service.sf() as s:
        row = await s.get(CitizenMessage, mid, populate_existing=True)
        assert row is not None and (row.status, row.answer_route) == ("answered", "phone")
