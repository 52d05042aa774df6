"""谁起草、谁解读: a 规范性文件 gets its 政策解读 from the department that drafted it, published
within ``[disclosure] interpretation_working_days`` working days of the document.

A 政策解读 names the 规范性文件 it interprets (``--interprets``, ``Revision.interprets_draft_id``);
``check_link`` refuses a link to anything else or from another department. ``assess`` (pure)
says, for each published 规范性文件, whether its 解读 is in time; the reminder tick
(``bot/clocks/ticks.py``) and the inspection report read ``outstanding`` from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.errors import Forbidden, ValidationFailed
from review.store import drafts as dstore
from review.store import seed_clocks as store
from review.timefmt import short_time
from review.workdays import add_working_days

NORMATIVE = "规范性文件"
INTERPRETATION = "政策解读"
#: the states of one 规范性文件 against its clock
DUE, OVERDUE, LATE, DONE = "due", "overdue", "late", "done"
STATE_LABELS = {
    DUE: "解读待发布",
    OVERDUE: "解读超期未发布",
    LATE: "解读逾期发布",
    DONE: "已按时解读",
}


@dataclass(frozen=True)
class Policy:
    working_days: int = 3
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Interpretation:
    draft_id: int
    title: str
    published_at: datetime | None


@dataclass(frozen=True)
class Normative:
    """A published 规范性文件 and the 政策解读 drafts that name it."""

    draft_id: int
    title: str
    department_id: int
    department: str
    published_at: datetime
    interpretations: tuple[Interpretation, ...] = ()


@dataclass(frozen=True)
class Assessment:
    doc: Normative
    deadline: datetime
    state: str
    #: the 解读 published first (None: none yet)
    first: Interpretation | None = None
    evidence: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def assess(doc: Normative, as_of: datetime, policy: Policy) -> Assessment:
    deadline, _ = add_working_days(
        doc.published_at, policy.working_days, policy.extra_holidays, policy.extra_workdays
    )
    out = sorted(
        (i for i in doc.interpretations if i.published_at is not None and i.published_at <= as_of),
        key=lambda i: i.published_at or deadline,
    )
    first = out[0] if out else None
    facts = [f"规范性文件 #{doc.draft_id}「{doc.title}」{short_time(doc.published_at)} 发布"]
    if first is not None and first.published_at is not None:
        facts.append(
            f"政策解读 #{first.draft_id}「{first.title}」{short_time(first.published_at)} 发布"
        )
        state = DONE if first.published_at <= deadline else LATE
    else:
        drafted = [f"#{i.draft_id}" for i in doc.interpretations]
        facts.append(
            f"政策解读草稿 {'、'.join(drafted)} 尚未发布" if drafted else "尚无政策解读稿件"
        )
        state = OVERDUE if as_of > deadline else DUE
    facts.append(f"解读时限 {short_time(deadline)}（{policy.working_days} 个工作日）")
    return Assessment(doc, deadline, state, first, tuple(facts))


def outstanding(docs: Iterable[Normative], as_of: datetime, policy: Policy) -> list[Assessment]:
    """Every published 规范性文件 whose 解读 is not out in time: still due, overdue, or late."""
    found = [assess(d, as_of, policy) for d in docs if d.published_at <= as_of]
    return [a for a in found if a.state != DONE]


async def load(session: AsyncSession) -> list[Normative]:
    """Every published 规范性文件 with the 政策解读 drafts that name it."""
    rows = await store.drafts_of_kind(session, [NORMATIVE])
    published = await store.first_published(session, [d.id for d, _, _ in rows])
    rows = [r for r in rows if r[0].id in published]
    linked = await store.interpretations_of(session, [d.id for d, _, _ in rows])
    out_at = await store.first_published(session, [d.id for d, _ in linked])
    by_doc: dict[int, list[Interpretation]] = {}
    for draft, rev in linked:
        assert rev.interprets_draft_id is not None
        by_doc.setdefault(rev.interprets_draft_id, []).append(
            Interpretation(draft.id, rev.title, out_at.get(draft.id))
        )
    return [
        Normative(d.id, r.title, dept.id, dept.name, published[d.id], tuple(by_doc.get(d.id, ())))
        for d, r, dept in rows
    ]


async def outstanding_in(
    session: AsyncSession, as_of: datetime, policy: Policy
) -> list[Assessment]:
    """``outstanding`` over the database: what the inspection report and the tick call."""
    return outstanding(await load(session), as_of, policy)


async def check_link(
    session: AsyncSession, target_id: int, department_id: int, *, own: int | None = None
) -> None:
    """A 政策解读 may name only a 规范性文件, and only one its own department drafted."""
    if own is not None and target_id == own:
        raise ValidationFailed("政策解读不能解读它自己", field="interprets")
    target = await dstore.get_draft(session, target_id)
    if target is None:
        raise ValidationFailed(f"所解读的稿件 #{target_id} 不存在", field="interprets")
    rev = await dstore.current_revision(session, target)
    if rev.kind != NORMATIVE:
        raise ValidationFailed(
            f"稿件 #{target_id}「{rev.title}」是「{rev.kind}」，政策解读只能对应规范性文件",
            field="interprets",
        )
    drafting = await store.author_department(session, target_id)
    if drafting is not None and drafting.id != department_id:
        raise Forbidden(
            f"谁起草、谁解读：规范性文件 #{target_id}「{rev.title}」由「{drafting.name}」起草，"
            f"其政策解读须由「{drafting.name}」撰写",
            field="interprets",
        )
