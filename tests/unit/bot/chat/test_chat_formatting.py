"""The queue listing a reviewer or replier reads on a phone."""

from __future__ import annotations

from bot.chat.formatting import listing


def test_a_short_queue_is_listed_whole() -> None:
    assert listing("办公室待审任务", ["#1 甲", "#2 乙"], shown=10, hint="发送「认领 编号」。") == (
        "办公室待审任务（2）：\n#1 甲\n#2 乙\n发送「认领 编号」。"
    )


def test_a_long_queue_shows_the_first_and_counts_the_rest() -> None:
    lines = [f"#{i}" for i in range(1, 13)]
    text = listing("养老服务处待答复留言", lines, shown=8, hint="发送「回复 #编号 内容」答复。")
    assert text.splitlines() == [
        "养老服务处待答复留言（12）：",
        *lines[:8],
        "……另有 4 条，请在控制台查看",
        "发送「回复 #编号 内容」答复。",
    ]
