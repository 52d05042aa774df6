"""口径: look up approved answer wordings on a phone (by keyword or number); a reply inserts
one with 【口径编号】 (expanded by the answer path, ``bot.wordings.service.expand_wording``)."""

from __future__ import annotations

from bot.chat.registry import Arg, Call, Registry

group = Registry()


@group.command("口径", "/wording", args=(Arg("query", "关键词", "line"),))
async def wording(call: Call) -> str:
    """查审定口径；答复中写【口径编号】插入。"""
    return await call.services.wordings(call.caller, call.args["query"])
