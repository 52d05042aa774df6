"""The one place a stored status changes: a guarded UPDATE built from the transition tables.

Every status change in the stores is ``UPDATE … SET status = :target WHERE status IN (:sources)
…``, checked by its rowcount (0: someone else moved the row first). :func:`transition` builds that
statement from :mod:`review.states` and refuses, before any SQL runs, a source → target pair the
table does not list — so the table and the SQL cannot disagree. The caller adds the row's key and
its own guards (holder, lease, attempt) with ``.where`` and the other columns with ``.values``;
the statement stays the single guarded UPDATE it was, on the same indexes.
"""

from __future__ import annotations

import enum
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, Update, and_, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from review.states import IllegalTransition, check_transition

#: a state the row must be in, alone or with a condition that holds only for that state
#: (``(T.CLAIMED, ReviewTask.lease_until < now)``: a claim whose lease ran out)
Source = enum.StrEnum | tuple[enum.StrEnum, ColumnElement[bool]]


def status_in(status: Any, sources: tuple[Source, ...]) -> ColumnElement[bool]:
    """``status = :s`` for one state, ``status IN (…)`` for several, ``OR`` of ``status = :s
    [AND condition]`` when a source has its own condition. Checks nothing: on its own it guards
    an update that keeps the status (a receipt recorded late that settles nothing)."""
    if all(not isinstance(s, tuple) for s in sources):
        if len(sources) == 1:
            return cast(ColumnElement[bool], status == sources[0])
        return cast(ColumnElement[bool], status.in_(sources))
    return or_(
        *(and_(status == s[0], s[1]) if isinstance(s, tuple) else status == s for s in sources)
    )


def transition(entity: type[Any] | Table, target: enum.StrEnum, *sources: Source) -> Update:
    """``UPDATE entity SET status = target WHERE <status is one of sources>`` — each source →
    target pair checked against the table (``IllegalTransition`` otherwise); ``sources_for``
    gives every state the table allows into ``target``."""
    if not sources:
        raise IllegalTransition(f"→ {target} from no state")
    for source in sources:
        check_transition(source[0] if isinstance(source, tuple) else source, target)
    status = entity.c.status if isinstance(entity, Table) else entity.status
    return update(entity).where(status_in(status, sources)).values(status=target)


async def apply(session: AsyncSession, stmt: Update) -> int:
    """Run a guarded change; the number of rows it moved."""
    result = cast(CursorResult[Any], await session.execute(stmt))
    return int(result.rowcount)
