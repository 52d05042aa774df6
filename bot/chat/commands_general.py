"""The chat command registry and the general commands; review and inbox commands live in
``commands_review`` and ``commands_inbox`` and register themselves on import.

Each command is a small async function; its docstring is the help text a reviewer sees.
"""

from __future__ import annotations

from bot.chat.registry import Arg, Call, Registry

REGISTRY = Registry()
command = REGISTRY.command


def registry() -> Registry:
    """The full registry (importing the area modules registers their commands)."""
    from bot.chat import commands_inbox, commands_review

    assert commands_review.REGISTERED and commands_inbox.REGISTERED
    return REGISTRY


@command("帮助", "/help", args=(Arg("topic", "命令", optional=True),), aliases=("?", "菜单"))
async def help_(call: Call) -> str:
    """列出全部命令；「帮助 通过」查看一个命令的详细说明。

    每个命令都有中文和斜杠两种写法，如「通过 12」与「/approve 12」。
    """
    return call.registry.help_text(call.args.get("topic") or None)
