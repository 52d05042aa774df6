"""Answers that fit a phone screen: title, gate warnings, stage and holder, and what to do next."""

from __future__ import annotations

from bot.chat.ports import Caller, Decision, MessageInfo, TaskInfo
from review.timefmt import fmt

MAX_TITLE = 24
MAX_WARNINGS = 3


def short(text: str, limit: int = MAX_TITLE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def next_step(task: TaskInfo, caller: Caller | None) -> str:
    tid = task.id
    if task.status == "open":
        return f"下一步：发送「认领 {tid}」后办理。"
    if task.status in ("claimed", "reassigned"):
        if caller is not None and task.holder == caller.name:
            return (
                f"下一步：「通过 {tid} 意见」或「驳回 {tid} 原因」或「退回 {tid} 修改意见」；"
                f"不办理请「释放 {tid}」。"
            )
        return f"由{task.holder or '他人'}办理中。"
    if task.status == "waiting":
        return "等待前一阶段审核完成。"
    return "该任务已办结。"


def holder_line(task: TaskInfo) -> str:
    line = f"阶段：{task.stage}（{task.department}）· {task.status_label}"
    if task.holder:
        line += f" · {task.holder}"
        if task.lease_until and task.status == "claimed":
            line += f"（认领至 {fmt(task.lease_until)[-5:]}）"
    return line


def warnings_lines(task: TaskInfo) -> list[str]:
    shown = [f"⚠ {short(w, 40)}" for w in task.warnings[:MAX_WARNINGS]]
    if len(task.warnings) > MAX_WARNINGS:
        shown.append(f"⚠ 另有 {len(task.warnings) - MAX_WARNINGS} 条提示，请在控制台查看")
    return shown


def task_card(task: TaskInfo, caller: Caller | None, head: str = "") -> str:
    lines = [head] if head else []
    lines.append(f"任务 {task.id}「{short(task.title)}」")
    meta = f"稿件 {task.draft_id} · {task.kind} · {task.account}"
    lines.append(meta + (f" · 编辑 {task.author}" if task.author else ""))
    lines.append(holder_line(task))
    lines += warnings_lines(task)
    lines.append(next_step(task, caller))
    return "\n".join(lines)


def task_line(task: TaskInfo) -> str:
    who = f" · {task.holder}" if task.holder else ""
    flag = " ⚠" if task.warnings else ""
    return f"{task.id}「{short(task.title, 16)}」{task.stage}·{task.status_label}{who}{flag}"


def decision_text(verb: str, decision: Decision) -> str:
    task = decision.task
    return "\n".join(
        [
            f"已{verb}：任务 {task.id}「{short(task.title)}」（{task.stage}）",
            f"稿件 {task.draft_id}：{decision.draft_status_label}",
            decision.next_step,
        ]
    )


def message_line(msg: MessageInfo) -> str:
    hot = "🔥" if msg.hot else ""
    due = f" · {msg.deadline}前" if msg.deadline else ""
    return f"#{msg.id}{hot} {msg.topic} · {msg.status_label}{due}\n  {short(msg.preview, 30)}"


def listing(heading: str, lines: list[str], *, shown: int, hint: str) -> str:
    """A queue for a phone screen: the heading with the count, the first ``shown`` lines, how
    many more wait in the console, and what to send next."""
    out = [f"{heading}（{len(lines)}）：", *lines[:shown]]
    if len(lines) > shown:
        out.append(f"……另有 {len(lines) - shown} 条，请在控制台查看")
    out.append(hint)
    return "\n".join(out)
