"""Schedule commands: stop or move a draft's publication before it goes out.

The draft's account owner department (its editors and heads) may; ``review.draft_rights`` says
who, and the domain refuses anyone else with the reason, so ``Need`` only asks for a role.
"""

from __future__ import annotations

from bot.chat.registry import Arg, Call, Need, Registry

group = Registry()
MANAGERS = ("editor", "head", "admin")
DRAFT = Arg("draft", "稿件号", "id")


@group.command("取消", "/cancel", args=(DRAFT,), need=Need(roles=MANAGERS))
async def cancel(call: Call) -> str:
    """取消尚未发出的定时发布。

    只有稿件账号的开设部门（编辑、负责人）可以取消；已被发布程序领取的不能取消，已发出的请用「撤回」。
    """
    return await call.services.cancel_schedule(call.caller, call.args["draft"])


@group.command(
    "改期",
    "/reschedule",
    args=(DRAFT, Arg("when", "时间", "line")),
    need=Need(roles=MANAGERS),
)
async def reschedule(call: Call) -> str:
    """改发布时间，审核结果不变。

    时间为北京时间，如「改期 12 2026-12-03 09:00」；只有稿件账号的开设部门（编辑、负责人）可以改期。
    """
    return await call.services.reschedule(call.caller, call.args["draft"], call.args["when"])
