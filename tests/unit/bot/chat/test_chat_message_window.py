"""The chat 留言 list shows each message's reply window."""

from __future__ import annotations

from bot.chat.formatting import message_line
from bot.chat.ports import MessageInfo


def test_message_line_shows_the_window() -> None:
    line = message_line(
        MessageInfo(12, "已分派", "社会救助", "低保金没到账", "12-09 23:59", False,
                    "回复窗口 12月6日 18:00 关闭")
    )  # fmt: skip
    assert line.splitlines()[1].strip() == "回复窗口 12月6日 18:00 关闭"
    assert "低保金没到账" in line
    assert "回复窗口" not in message_line(MessageInfo(13, "已分派", "社会救助", "低保"))
