"""Chat's bridge to the 口径 library: 「口径 低保」 lists the approved entries that match (number
and text), 「口径 12」 shows one — short enough for one WeCom reply."""

from __future__ import annotations

from bot.chat.ports import Caller
from bot.services import Services
from bot.wordings import service
from review.errors import DomainError
from review.wordings.views import EntryView

#: WeCom cuts a reply at 2048 bytes: the entries' texts share what the header and hint leave
BUDGET = 1800
SHOWN = 4
HINT = "答复时写「回复 #留言号 【口径编号】」插入，可在前后补充。"


def _entry(v: EntryView, room: int) -> str:
    text = v.text or ""
    line = f"口径{v.id}【{v.kind_label}·{v.title}】\n{text}"
    while len(line.encode()) > room and len(text) > 20:
        text = text[: int(len(text) * 0.8)]
        line = f"口径{v.id}【{v.kind_label}·{v.title}】\n{text}…（全文：「口径 {v.id}」）"
    return line


def wording_text(query: str, found: list[EntryView]) -> str:
    if not found:
        return f"没有找到含「{query}」的已审定口径；可换个关键词，或请所属处室新建并报审。"
    shown = found[:SHOWN]
    head = (
        f"已审定口径（{len(found)} 条"
        + (f"，显示前 {SHOWN} 条" if len(found) > SHOWN else "")
        + "）："
    )
    room = (BUDGET - len(head.encode()) - len(HINT.encode())) // len(shown)
    return "\n".join([head, *(_entry(v, room) for v in shown), HINT])


def one_text(v: EntryView) -> str:
    """「口径 12」: the approved text, and a version under review for its reviewers to read."""
    pending = next((x for x in reversed(v.versions) if x.status == "in_review"), None)
    parts = [wording_text(str(v.id), [v]) if v.text is not None else (
        f"口径{v.id}「{v.title}」尚无审定版本，不能引用。"
    )]  # fmt: skip
    if pending is not None:
        due = f"，须于 {pending.due_at} 前审定上线" if pending.due_at else ""
        text = pending.text if len(pending.text) <= 300 else pending.text[:300] + "…"
        parts.append(
            f"待审 v{pending.number}（{pending.awaiting}{due}，{pending.author}）：\n{text}"
        )
    return "\n".join(parts)


class WordingBridge:
    services: Services

    async def wordings(self, caller: Caller, query: str) -> str:
        query = query.strip().lstrip("#")
        if query.isdigit():
            try:
                one = await service.show(self.services, int(query))
            except DomainError as exc:
                return exc.message
            return one_text(one)
        return wording_text(query, await service.search(self.services, query))
