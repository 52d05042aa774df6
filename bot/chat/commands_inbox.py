"""Citizen-message commands for repliers: list, answer, transfer and close.

Message numbers may be typed with ``#`` (``回复 #35 …``); the router checks the message belongs
to the caller's department before these run.
"""

from __future__ import annotations

from bot.chat.formatting import listing, message_line
from bot.chat.registry import Arg, Call, Need, Registry

group = Registry()
REPLIERS = ("replier", "head")
MESSAGE = Arg("message", "#留言号", "id")


@group.command("留言", "/inbox", need=Need(roles=REPLIERS))
async def inbox(call: Call) -> str:
    """列出本处室待答复的网民留言（含即将到期、已超期）。"""
    messages = await call.services.inbox(call.caller)
    if not messages:
        return f"{call.caller.department}目前没有待答复的留言。"
    return listing(
        f"{call.caller.department}待答复留言",
        [message_line(m) for m in messages],
        shown=8,
        hint="发送「回复 #编号 内容」答复。",
    )


@group.command(
    "回复",
    "/reply",
    args=(MESSAGE, Arg("text", "内容", "text")),
    need=Need(roles=REPLIERS, message="message"),
)
async def reply(call: Call) -> str:
    """答复一条留言；内容先经过个人信息和用语检查，再发给网民。"""
    return await call.services.reply(call.caller, call.args["message"], call.args["text"])


@group.command(
    "公开答复",
    "/public",
    args=(MESSAGE, Arg("text", "内容", "text")),
    need=Need(roles=REPLIERS, message="message"),
)
async def public_answer(call: Call) -> str:
    """问题去标识化，连同答复经审核发布。

    生成「留言答复·受理编号#留言号」稿件，走本账号的审核流程；发布后留言才记为已答复。
    """
    return await call.services.answer_public(call.caller, call.args["message"], call.args["text"])


@group.command(
    "电话",
    "/phone",
    args=(MESSAGE, Arg("summary", "摘要", "text")),
    need=Need(roles=REPLIERS, message="message"),
)
async def phone(call: Call) -> str:
    """记录已打的答复电话。

    写明致电时间和答复要点；记录后留言记为已答复（电话答复）。
    """
    return await call.services.record_phone(call.caller, call.args["message"], call.args["summary"])


@group.command(
    "转办",
    "/transfer",
    args=(MESSAGE, Arg("department", "处室"), Arg("note", "说明", "text", optional=True)),
    need=Need(roles=REPLIERS, message="message"),
)
async def transfer(call: Call) -> str:
    """把不属于本处室职责的留言转给负责的处室（如「转办 #35 社会救助处」）。"""
    return await call.services.transfer(
        call.caller, call.args["message"], call.args["department"], call.args["note"]
    )


@group.command(
    "关闭",
    "/close",
    args=(MESSAGE, Arg("reason", "原因", "text")),
    need=Need(roles=REPLIERS, message="message"),
)
async def close(call: Call) -> str:
    """关闭一条无需答复的留言（必须写明原因，如重复留言、广告）。"""
    return await call.services.close(call.caller, call.args["message"], call.args["reason"])
