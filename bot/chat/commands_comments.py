"""Moderating a comment under a WeChat article (pulled into the queue as a message): 精选,
取消精选, 删除 with a reason. The answer itself is 「回复」, which goes under the comment."""

from __future__ import annotations

from bot.chat.commands_inbox import MESSAGE, REPLIERS
from bot.chat.registry import Arg, Call, Need, Registry

group = Registry()
#: what repliers type → the action's name in the service
ACTIONS = {"精选": "elect", "取消精选": "unelect", "删除": "delete"}


@group.command(
    "评论",
    "/comment",
    args=(MESSAGE, Arg("action", "操作"), Arg("reason", "原因", "text", optional=True)),
    need=Need(roles=REPLIERS, message="message"),
)
async def comment(call: Call) -> str:
    """精选、取消精选或删除（须写原因）文章留言。

    如「评论 #35 精选」「评论 #35 删除 含辱骂内容」；答复用「回复」，显示在留言下方。
    """
    action = ACTIONS.get(call.args["action"])
    if action is None:
        return "操作须为「精选」「取消精选」或「删除」，如「评论 #35 删除 含辱骂内容」。"
    reason = call.args.get("reason") or ""
    return await call.services.moderate_comment(call.caller, call.args["message"], action, reason)
