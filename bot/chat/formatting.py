"""Answers that fit a phone screen: title, gate warnings, stage and holder, and what to do next."""

from __future__ import annotations

from bot.chat.ports import Caller, Decision, MessageInfo, PreviewInfo, TaskInfo
from review.timefmt import short_time

MAX_TITLE = 24
MAX_WARNINGS = 3
#: changed sentences a phone shows; the preview page shows them all
MAX_CHANGES = 6
#: WeCom cuts a text message at 2048 bytes: the preview keeps room for the lines around it
PREVIEW_BYTES = 1500


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
            line += f"（认领至 {short_time(task.lease_until)}）"
    return line


def warnings_lines(task: TaskInfo) -> list[str]:
    shown = [f"⚠ {short(w, 40)}" for w in task.warnings[:MAX_WARNINGS]]
    if len(task.warnings) > MAX_WARNINGS:
        shown.append(f"⚠ 另有 {len(task.warnings) - MAX_WARNINGS} 条提示，请在控制台查看")
    return shown


def _size(lines: list[str]) -> int:
    return len("\n".join(lines).encode())


def preview_lines(p: PreviewInfo, budget: int = PREVIEW_BYTES) -> list[str]:
    """The content a reviewer approves: platform, the signed link (early: WeCom cuts a long
    message at its end), the Weibo status, the body's opening, the gate's findings and the
    changes since their last look — within ``budget`` bytes, the changes giving way first."""
    lines = [f"平台：{p.platform}", f"预览（72 小时内有效）：{p.url}"]
    if p.status_text:
        lines.append(f"微博正文（{p.count}）：{p.status_text}")
    excerpt_at = len(lines)
    lines.append(f"正文摘录：{p.excerpt or '（正文为空）'}")
    if p.problem:
        lines.append(f"⛔ 平台会拒收：{p.problem}")
    if p.findings:
        lines.append("检查结果：")
        lines += [f"· {short(f, 60)}" for f in p.findings[:MAX_WARNINGS]]
        if len(p.findings) > MAX_WARNINGS:
            lines.append(f"· 另有 {len(p.findings) - MAX_WARNINGS} 条，见预览")
    else:
        lines.append("检查结果：未发现问题")
    if p.diff_summary:
        lines.append(p.diff_summary)
        changes = [short(c, 60) for c in p.diff_lines[:MAX_CHANGES]]
        while changes and _size([*lines, *changes, "……另有 99 处改动，见预览"]) > budget:
            changes.pop()
        lines += changes
        if len(p.diff_lines) > len(changes):
            lines.append(f"……另有 {len(p.diff_lines) - len(changes)} 处改动，见预览")
    over = _size(lines) - budget
    if over > 0:  # still too long: the excerpt gives way (3 bytes a character)
        keep = max(len(p.excerpt) - over // 3 - 2, 20)
        lines[excerpt_at] = f"正文摘录：{short(p.excerpt, keep)}"
    return lines


def task_card(task: TaskInfo, caller: Caller | None, head: str = "") -> str:
    lines = [head] if head else []
    lines.append(f"任务 {task.id}「{short(task.title)}」")
    meta = f"稿件 {task.draft_id} · {task.kind} · {task.account}"
    lines.append(meta + (f" · 编辑 {task.author}" if task.author else ""))
    lines.append(holder_line(task))
    if task.preview is not None:
        lines += preview_lines(task.preview)
    else:
        lines += warnings_lines(task)
    lines.append(next_step(task, caller))
    return "\n".join(lines)


def task_line(task: TaskInfo) -> str:
    who = f" · {task.holder}" if task.holder else ""
    flag = " ⚠" if task.warnings else ""
    where = f"【{task.platform}】" if task.platform else ""
    title = short(task.title, 16)
    return f"{task.id}{where}「{title}」{task.stage}·{task.status_label}{who}{flag}"


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
    window = f"\n  {msg.window}" if msg.window else ""
    return (
        f"#{msg.id}{hot} {msg.topic} · {msg.status_label}{due}{window}\n  {short(msg.preview, 30)}"
    )


def listing(heading: str, lines: list[str], *, shown: int, hint: str) -> str:
    """A queue for a phone screen: the heading with the count, the first ``shown`` lines, how
    many more wait in the console, and what to send next."""
    out = [f"{heading}（{len(lines)}）：", *lines[:shown]]
    if len(lines) > shown:
        out.append(f"……另有 {len(lines) - shown} 条，请在控制台查看")
    out.append(hint)
    return "\n".join(out)
