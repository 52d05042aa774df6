"""State names and the transitions allowed between them. Pure: no I/O.

These tables are the one authority on which status changes exist: every guarded ``UPDATE … SET
status`` of the stores is built from them (review/store/transitions.py), which refuses a pair they
do not list before any SQL runs, so a wrong transition is a programming error caught in tests.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any


class DraftStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    BLOCKED = "blocked"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    REASSIGNED = "reassigned"
    #: a task of an older revision, or of a chain stopped by another stage's decision
    SUPERSEDED = "superseded"
    #: a later stage waiting for an earlier one
    WAITING = "waiting"


class PublicationStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PENDING = "pending"
    PUBLISHED = "published"
    FAILED = "failed"
    NEEDS_CHECK = "needs_check"
    RETRACTED = "retracted"
    CANCELLED = "cancelled"


class MessageStatus(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"
    OVERDUE = "overdue"
    DISMISSED = "dismissed"


class WordingStatus(enum.StrEnum):
    """A version of a 口径 / 办事指南 entry (``review.wordings``)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: a newer version was approved (it was live), or a newer edit replaced it before approval
    SUPERSEDED = "superseded"


D, T, P, M = DraftStatus, TaskStatus, PublicationStatus, MessageStatus
W = WordingStatus

DRAFT_TRANSITIONS: dict[DraftStatus, frozenset[DraftStatus]] = {
    D.DRAFT: frozenset({D.SUBMITTED}),
    D.SUBMITTED: frozenset({D.BLOCKED, D.IN_REVIEW}),
    D.BLOCKED: frozenset({D.SUBMITTED}),
    D.IN_REVIEW: frozenset({D.APPROVED, D.CHANGES_REQUESTED, D.REJECTED, D.SUBMITTED}),
    D.CHANGES_REQUESTED: frozenset({D.SUBMITTED}),
    D.APPROVED: frozenset({D.SCHEDULED, D.SUBMITTED}),
    D.SCHEDULED: frozenset({D.SUBMITTED}),
    D.REJECTED: frozenset(),
}

TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    T.WAITING: frozenset({T.OPEN, T.SUPERSEDED}),
    T.OPEN: frozenset({T.CLAIMED, T.SUPERSEDED, T.REASSIGNED}),
    # → claimed: another reviewer takes over a claim whose lease ran out (claimed → open →
    # claimed in one guarded step)
    T.CLAIMED: frozenset(
        {T.APPROVED, T.REJECTED, T.CHANGES_REQUESTED, T.OPEN, T.REASSIGNED, T.SUPERSEDED, T.CLAIMED}
    ),
    T.REASSIGNED: frozenset({T.CLAIMED}),
    T.APPROVED: frozenset({T.SUPERSEDED}),
    T.REJECTED: frozenset(),
    T.CHANGES_REQUESTED: frozenset(),
    T.SUPERSEDED: frozenset(),
}

PUBLICATION_TRANSITIONS: dict[PublicationStatus, frozenset[PublicationStatus]] = {
    P.SCHEDULED: frozenset({P.PUBLISHING, P.CANCELLED}),
    P.PUBLISHING: frozenset(
        {P.PUBLISHED, P.PENDING, P.FAILED, P.SCHEDULED, P.NEEDS_CHECK, P.CANCELLED}
    ),
    P.PENDING: frozenset({P.PUBLISHED, P.FAILED, P.NEEDS_CHECK}),
    # → pending: the original call's receipt came back after the reconciler gave up on it
    P.NEEDS_CHECK: frozenset({P.PUBLISHED, P.PENDING, P.FAILED, P.SCHEDULED, P.CANCELLED}),
    P.PUBLISHED: frozenset({P.RETRACTED}),
    P.FAILED: frozenset({P.SCHEDULED}),
    P.RETRACTED: frozenset(),
    # → scheduled: a re-approved edit takes over its cancelled row ((draft, account) is unique)
    P.CANCELLED: frozenset({P.SCHEDULED}),
}

MESSAGE_TRANSITIONS: dict[MessageStatus, frozenset[MessageStatus]] = {
    M.NEW: frozenset({M.ASSIGNED, M.ANSWERED, M.OVERDUE, M.DISMISSED, M.CLOSED}),
    M.ASSIGNED: frozenset({M.ANSWERED, M.OVERDUE, M.DISMISSED, M.CLOSED, M.ASSIGNED}),
    M.OVERDUE: frozenset({M.ANSWERED, M.DISMISSED, M.CLOSED, M.ASSIGNED}),
    M.ANSWERED: frozenset({M.CLOSED, M.ANSWERED}),
    M.CLOSED: frozenset(),
    M.DISMISSED: frozenset(),
}

WORDING_TRANSITIONS: dict[WordingStatus, frozenset[WordingStatus]] = {
    W.DRAFT: frozenset({W.IN_REVIEW, W.SUPERSEDED}),
    # → in_review: one stage approved, the next one's turn (the stage index moves, guarded)
    W.IN_REVIEW: frozenset({W.IN_REVIEW, W.APPROVED, W.REJECTED, W.SUPERSEDED}),
    W.APPROVED: frozenset({W.SUPERSEDED}),
    W.REJECTED: frozenset(),
    W.SUPERSEDED: frozenset(),
}

_TABLES: dict[type[enum.StrEnum], Mapping[Any, frozenset[Any]]] = {
    DraftStatus: DRAFT_TRANSITIONS,
    TaskStatus: TASK_TRANSITIONS,
    PublicationStatus: PUBLICATION_TRANSITIONS,
    MessageStatus: MESSAGE_TRANSITIONS,
    WordingStatus: WORDING_TRANSITIONS,
}


class IllegalTransition(ValueError):
    pass


def sources_for(target: enum.StrEnum) -> tuple[enum.StrEnum, ...]:
    """The states from which ``target`` may be reached, by name — the ``WHERE status IN (…)``
    guard of a change allowed from anywhere the table allows."""
    table = _TABLES[type(target)]
    sources: list[enum.StrEnum] = [src for src, dsts in table.items() if target in dsts]
    return tuple(sorted(sources, key=str))


def check_transition(current: enum.StrEnum, target: enum.StrEnum) -> None:
    """Raise ``IllegalTransition`` unless the table lists ``current → target`` (both of one
    machine)."""
    table = _TABLES.get(type(current))
    if table is None or type(target) is not type(current) or target not in table[current]:
        raise IllegalTransition(f"{type(current).__name__}: {current} → {target} is not allowed")


#: labels shown to staff
DRAFT_LABELS = {
    D.DRAFT: "草稿",
    D.SUBMITTED: "已提交",
    D.BLOCKED: "未通过自动检查",
    D.IN_REVIEW: "审核中",
    D.APPROVED: "已通过",
    D.CHANGES_REQUESTED: "退回修改",
    D.REJECTED: "已驳回",
    D.SCHEDULED: "待发布",
}
PUBLICATION_LABELS = {
    P.SCHEDULED: "待发布",
    P.PUBLISHING: "发布中",
    P.PENDING: "平台处理中",
    P.PUBLISHED: "已发布",
    P.FAILED: "发布失败",
    P.NEEDS_CHECK: "待人工核对",
    P.RETRACTED: "已撤回",
    P.CANCELLED: "已取消",
}
#: what a scheduled draft became, from its publications (``draft_state``)
PUBLISHED_STATE_LABELS = {
    "published": "已发布",
    "partly_published": "部分发布",
    "partly_retracted": "部分撤回",
    "retracted": "已撤回",
    "failed": "发布失败",
    "publishing": "发布中",
    "needs_check": "待人工核对",
    "cancelled": "已取消发布",
    "scheduled": "待发布",
}
_IN_FLIGHT = frozenset({P.PUBLISHING, P.PENDING})


def draft_state(status: DraftStatus, publications: Iterable[PublicationStatus]) -> tuple[str, str]:
    """(state, label) staff see for a draft: its own status until it is scheduled, then what
    its publications (one per account) became — so a published or retracted post never reads
    「待发布」. Cancelled rows count only when every row is cancelled."""
    if status != D.SCHEDULED:
        return str(status), DRAFT_LABELS[status]
    every = [P(s) for s in publications]
    live = [s for s in every if s != P.CANCELLED]
    if not live:
        state = "cancelled" if every else "scheduled"
    elif any(s in _IN_FLIGHT for s in live):
        state = "publishing"
    elif P.NEEDS_CHECK in live:
        state = "needs_check"
    elif all(s == P.PUBLISHED for s in live):
        state = "published"
    elif P.PUBLISHED in live and P.RETRACTED in live:
        state = "partly_retracted"  # 「部分发布」 read as if one had failed
    elif P.PUBLISHED in live:
        state = "partly_published"
    elif P.RETRACTED in live:
        state = "retracted"
    elif P.FAILED in live:
        state = "failed"
    else:
        state = "scheduled"
    return state, PUBLISHED_STATE_LABELS[state]


def state_filter(wanted: str) -> tuple[DraftStatus, str | None] | None:
    """``draft list --state``: the stored status to read and the shown state to keep (None:
    every draft of that status). A scheduled draft shows what its publications became, so
    已发布 / published reads scheduled drafts and keeps those now published. Keys or labels;
    None when ``wanted`` names no state."""
    for key, label in PUBLISHED_STATE_LABELS.items():
        if wanted in (key, label):
            return D.SCHEDULED, key
    for status, label in DRAFT_LABELS.items():
        if wanted in (str(status), label):
            return status, None
    return None


def state_names() -> list[str]:
    """Every state ``draft list --state`` takes, as staff read them."""
    return list(dict.fromkeys([*DRAFT_LABELS.values(), *PUBLISHED_STATE_LABELS.values()]))


MESSAGE_LABELS = {
    M.NEW: "新留言",
    M.ASSIGNED: "已分派",
    M.ANSWERED: "已答复",
    M.CLOSED: "已关闭",
    M.OVERDUE: "已超期",
    M.DISMISSED: "已忽略",
}

#: each role (settings ``[[people]] roles``; ``bot.config.schema.ROLES``) as staff read it
ROLE_LABELS = {
    "editor": "编辑",
    "reviewer": "审核人",
    "head": "处室负责人",
    "replier": "答复人",
    "admin": "管理员",
    "operator": "外包运营",
}


def role_names(roles: Iterable[str]) -> str:
    """「审核人、答复人」 for ``reviewer replier``: the console's header, a person's roles."""
    return "、".join(ROLE_LABELS.get(r, r) for r in roles)
