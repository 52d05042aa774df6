"""查看 on a phone: the preview's lines, the link kept early, the whole within WeCom's 2048 bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.chat.formatting import PREVIEW_BYTES, holder_line, preview_lines, task_card, task_line
from bot.chat.ports import PreviewInfo, TaskInfo
from channels.wecom.callback import MAX_REPLY_BYTES

URL = "https://bot.example.gov.cn/preview/12.wechat.3.1796494552.0iZmL60Ue2y3WClTlSfJHg"
TASK = TaskInfo(
    12, 5, "冬季救助工作安排", "工作动态", "长春民政（微信）", "初审", "open", "待认领", "办公室"
)


def test_a_short_preview_shows_everything_in_order() -> None:
    p = PreviewInfo(
        "微信公众号（长春民政）",
        "市民政局部署救助工作。",
        ("提示：疑似错敏词",),
        URL,
        diff_summary="与你上次看过的第 1 版相比：新增 1 句，删去 0 句。",
        diff_lines=("+ 新的一句。",),
    )
    assert preview_lines(p) == [
        "平台：微信公众号（长春民政）",
        f"预览（72 小时内有效）：{URL}",
        "正文摘录：市民政局部署救助工作。",
        "检查结果：",
        "· 提示：疑似错敏词",
        "与你上次看过的第 1 版相比：新增 1 句，删去 0 句。",
        "+ 新的一句。",
    ]


def test_a_long_preview_fits_wecom_and_keeps_the_link() -> None:
    p = PreviewInfo(
        "微博（长春民政）",
        "长" * 300 + "…",
        tuple(f"提示：第{i}条" + "很" * 50 for i in range(5)),
        URL,
        status_text="【题】" + "字" * 100 + " https://mzj.example.cn/?p=p1a2r1",
        count="140/140 字",
        diff_summary="与你上次看过的第 1 版相比：新增 20 句，删去 0 句。",
        diff_lines=tuple(f"+ 第{i}句" + "改" * 58 for i in range(20)),
    )
    lines = preview_lines(p)
    assert len("\n".join(lines).encode()) <= PREVIEW_BYTES
    assert lines[1] == f"预览（72 小时内有效）：{URL}"
    assert "· 另有 2 条，见预览" in lines
    shown_changes = [line for line in lines if line.startswith("+ 第")]
    assert f"……另有 {20 - len(shown_changes)} 处改动，见预览" in lines
    card = task_card(replace(TASK, preview=p), None)
    assert len(card.encode()) <= MAX_REPLY_BYTES and URL in card


def test_the_queue_line_names_the_platform() -> None:
    line = task_line(replace(TASK, platform="微博"))
    assert line.startswith("12【微博】「冬季救助工作安排」")


def test_a_claim_says_the_day_it_runs_out_not_only_the_hour() -> None:
    """A lease past midnight read 「认领至 03:46」: which 03:46?"""
    held = replace(
        TASK,
        status="claimed",
        status_label="已认领",
        holder="李娜",
        lease_until=datetime(2026, 12, 2, 19, 46, tzinfo=UTC),  # 03:46 on the 3rd in Beijing
    )
    assert holder_line(held).endswith("李娜（认领至 12月3日 03:46）")
