"""The console inbox's filters as a plain GET form: reading the query string into
``review.store.inbox_listing.InboxFilter`` (need-to-know: only admins choose the department),
the choices the form offers, and the links of the pages with the filters kept.

A value the form never offers (a hand-edited address) is dropped with a Chinese note on the page,
not answered with an error page: the list still shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from bot.web.api_common import MAX_PAGE
from review.models import Department, Person
from review.states import MESSAGE_LABELS, MessageStatus
from review.store.inbox import OPEN_STATES
from review.store.inbox_listing import InboxFilter

PER_PAGE = 20
#: "window closing" choices, hours: the window clock's escalation, reminder and a day
WINDOW_HOURS = (2, 6, 24)
#: the state choices: the open queue (default), every state, or one
STATE_CHOICES = (
    ("", "待办（未答复）"),
    ("all", "全部"),
    *((s.value, MESSAGE_LABELS[s]) for s in MessageStatus),
)
_KEYS = ("state", "topic", "department", "overdue", "hot", "window")


@dataclass(frozen=True)
class InboxQuery:
    """The form's values as given (echoed back into the form) and the filter they make."""

    values: dict[str, str]
    filter: InboxFilter
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PER_PAGE

    def link(self, page: int) -> str:
        """The list's address at ``page`` with the same filters."""
        kept = {k: v for k, v in self.values.items() if v}
        if page > 1:
            kept["page"] = str(page)
        return "/console/inbox" + (f"?{urlencode(kept)}" if kept else "")

    @property
    def active(self) -> bool:
        return any(self.values.values())


def _states(state: str, problems: list[str]) -> tuple[str, Sequence[str]]:
    if state == "all":
        return state, tuple(s.value for s in MessageStatus)
    if state in {s.value for s in MessageStatus}:
        return state, (state,)
    if state:
        problems.append(f"未知的状态「{state}」，已显示待办留言")
    return "", OPEN_STATES


def _department(
    key: str, person: Person, departments: Sequence[Department], problems: list[str]
) -> tuple[str, int | None]:
    """Admins choose any department (or all); everyone else reads their own only."""
    if not person.has_role("admin"):
        return "", person.department_id
    if not key:
        return "", None
    found = next((d for d in departments if d.key == key), None)
    if found is None:
        problems.append(f"未知的处室「{key}」，已显示全部处室")
        return "", None
    return key, found.id


def _window(hours: str, problems: list[str]) -> tuple[str, timedelta | None]:
    if not hours:
        return "", None
    if hours.isdecimal() and int(hours) in WINDOW_HOURS:
        return hours, timedelta(hours=int(hours))
    problems.append(f"回复窗口筛选只能选 {'、'.join(map(str, WINDOW_HOURS))} 小时内关闭")
    return "", None


def _page(text: str, problems: list[str]) -> int:
    if not text:
        return 1
    if text.isdecimal() and 0 < int(text) <= MAX_PAGE:
        return int(text)
    problems.append(f"页码「{text}」无效，已显示第 1 页")
    return 1


def parse(
    query: Mapping[str, str], person: Person, departments: Sequence[Department]
) -> InboxQuery:
    raw = {k: query.get(k, "").strip() for k in _KEYS}
    problems: list[str] = []
    state, states = _states(raw["state"], problems)
    dept_key, dept_id = _department(raw["department"], person, departments, problems)
    window, within = _window(raw["window"], problems)
    overdue, hot = raw["overdue"] == "1", raw["hot"] == "1"
    topic = raw["topic"][:32]
    values = {
        "state": state, "topic": topic, "department": dept_key,
        "overdue": "1" if overdue else "", "hot": "1" if hot else "", "window": window,
    }  # fmt: skip
    made = InboxFilter(states, dept_id, topic or None, hot, overdue, within)
    return InboxQuery(values, made, _page(query.get("page", "").strip(), problems), problems)


def pages(q: InboxQuery, total: int) -> dict[str, object]:
    """The pager: 第 N / M 页, previous and next links (None at either end)."""
    last = max(1, -(-total // PER_PAGE))
    return {
        "page": q.page,
        "last": last,
        "total": total,
        "prev": q.link(min(q.page - 1, last)) if q.page > 1 else None,
        "next": q.link(q.page + 1) if q.page < last else None,
    }
