"""Every chat command in one registry: the general commands here, then the groups included.

Each command module owns its ``Registry`` group (``commands_inbox.group``,
``commands_review.group``) and registers nothing anywhere else; ``registry()`` includes them
explicitly, and the order of the includes is the order 「帮助」 lists the commands in.
Each command is a small async function; its docstring is the help text a reviewer sees.
"""

from __future__ import annotations

from bot.chat import (
    commands_comments,
    commands_inbox,
    commands_review,
    commands_schedule,
    commands_wordings,
)
from bot.chat.registry import Arg, Call, Registry

general = Registry()


@general.command(
    "帮助", "/help", args=(Arg("topic", "命令", optional=True),), aliases=("?", "菜单")
)
async def help_(call: Call) -> str:
    """列出全部命令；「帮助 通过」查看一个命令的详细说明。

    每个命令都有中文和斜杠两种写法，如「通过 12」与「/approve 12」。
    """
    return call.registry.help_text(call.args.get("topic") or None)


def registry() -> Registry:
    """A registry holding every chat command (a new one each call; the groups stay as they are)."""
    return Registry().include(
        general,
        commands_inbox.group,
        commands_wordings.group,
        commands_comments.group,
        commands_review.group,
        commands_schedule.group,
    )
