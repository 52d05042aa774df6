"""Every status change the stores make is one the table allows: each store function is driven
with a recording session (no database), and the UPDATE it would send is read back — the status
it sets and the states its guard accepts — and checked against review/states.py. A pair the
table does not list is refused before any SQL is sent."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Update

from review.models import CitizenMessage, Draft, Publication, ReviewTask
from review.publishing.rules import Outcome
from review.states import (
    DRAFT_TRANSITIONS,
    MESSAGE_TRANSITIONS,
    DraftStatus,
    IllegalTransition,
    MessageStatus,
    PublicationStatus,
    TaskStatus,
    check_transition,
    sources_for,
)
from review.store import (
    drafts,
    inbox,
    publication_outcomes,
    publications,
    resolutions,
    review,
    review_leases,
    scheduling,
)
from review.store.transitions import transition

D, T, P, M = DraftStatus, TaskStatus, PublicationStatus, MessageStatus
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MACHINE_OF = {"drafts": D, "review_tasks": T, "publications": P, "citizen_messages": M}
Move = tuple[enum.StrEnum, enum.StrEnum]


class _Result:
    def __init__(self, rowcount: int) -> None:
        self.rowcount = rowcount

    def scalars(self) -> _Result:
        return self

    def all(self) -> list[Any]:
        return []

    def scalar_one_or_none(self) -> None:
        return None


class RecordingSession:
    """Answers like a database where every guarded row matched; keeps each statement."""

    def __init__(self, found: Sequence[int] = ()) -> None:
        self.statements: list[Any] = []
        self.found = list(found)

    def get_bind(self) -> Any:
        return SimpleNamespace(
            dialect=SimpleNamespace(name="sqlite", supports_sane_multi_rowcount=True)
        )

    async def execute(self, stmt: Any, params: Sequence[Any] | None = None) -> _Result:
        self.statements.append(stmt)
        return _Result(len(params) if isinstance(params, list) else 1)

    async def scalars(self, stmt: Any) -> Any:
        self.statements.append(stmt)
        return SimpleNamespace(all=lambda: [] if isinstance(stmt, Update) else self.found)

    @property
    def updates(self) -> list[Update]:
        return [s for s in self.statements if isinstance(s, Update)]


def moves(stmt: Update) -> list[Move]:
    """(source, target) pairs an UPDATE performs, read from its compiled parameters: the value
    it sets ``status`` to, and every state its ``status`` guard (or subquery) compares with."""
    machine = MACHINE_OF[str(getattr(stmt.table, "name", ""))]
    params = stmt.compile().params
    target = machine(params["status"])
    sources: set[enum.StrEnum] = set()
    for key, value in params.items():
        if key.startswith("status_"):
            sources.update(machine(v) for v in (value if isinstance(value, list) else [value]))
    assert sources, f"an unguarded status change: {stmt}"
    return [(s, target) for s in sorted(sources)]


async def performed(
    fn: Callable[..., Awaitable[Any]], *args: Any, found: Sequence[int] = (), **kwargs: Any
) -> list[Move]:
    """The status changes ``fn(session, *args, **kwargs)`` would send, each checked."""
    session = RecordingSession(found)
    await fn(session, *args, **kwargs)
    changes = [
        m for stmt in session.updates if "status" in stmt.compile().params for m in moves(stmt)
    ]
    for source, target in changes:
        check_transition(source, target)  # what the SQL does is what the table allows
    return changes


async def test_draft_moves_are_the_tables() -> None:
    for source, targets in DRAFT_TRANSITIONS.items():
        for target in targets:
            assert await performed(drafts.move_draft, 1, source, target) == [(source, target)]


async def test_message_moves_accept_every_legal_source_and_no_other() -> None:
    for target in M:
        if target is M.NEW:
            continue
        got = await performed(inbox.move, 1, target, assigned_to=2)
        assert {src for src, _ in got} == set(sources_for(target))
        assert all(target in MESSAGE_TRANSITIONS[M(src)] for src, _ in got)


async def test_review_task_moves() -> None:
    until = NOW + timedelta(hours=1)
    assert await performed(review.claim, 1, 2, until=until, now=NOW) == [
        (T.CLAIMED, T.CLAIMED),
        (T.OPEN, T.CLAIMED),
    ]
    assert await performed(review.release, 1, 2) == [(T.CLAIMED, T.OPEN)]
    assert await performed(review_leases.expire_one, 1, 2, NOW) == [(T.CLAIMED, T.OPEN)]
    for target in (T.APPROVED, T.REJECTED, T.CHANGES_REQUESTED):
        got = await performed(review.decide, 1, 2, target, now=NOW, note=None)
        assert got == [(T.CLAIMED, target)]
    for expected in (T.OPEN, T.CLAIMED):
        got = await performed(
            review.reassign, 1, expected=expected, holder=None, to_id=3, until=until
        )
        assert got == [(expected, T.REASSIGNED), (T.REASSIGNED, T.CLAIMED)]
    live = (T.OPEN, T.CLAIMED, T.WAITING, T.APPROVED)
    got = await performed(review.supersede, 1, live, keep_revision=4)
    assert sorted(got) == sorted((src, T.SUPERSEDED) for src in live)


async def test_publication_moves_of_the_queue_and_the_staff() -> None:
    claimed = await performed(
        publications.claim_due, now=NOW, limit=5, worker="w", lease_seconds=60
    )
    assert claimed == [(P.SCHEDULED, P.PUBLISHING)]
    assert await performed(publications.release, 1, worker="w") == [(P.PUBLISHING, P.SCHEDULED)]
    assert await performed(publications.cancel, 1, "edited", NOW) == [
        (P.PUBLISHING, P.CANCELLED),
        (P.SCHEDULED, P.CANCELLED),
    ]
    assert await performed(publications.mark_retracted, 1, "wrong", NOW) == [
        (P.PUBLISHED, P.RETRACTED)
    ]
    assert await performed(scheduling.cancel_scheduled, 1) == [(P.SCHEDULED, P.CANCELLED)]
    revived = await performed(
        scheduling.revive_cancelled, 1, revision_id=2, due_at=NOW, idempotency_key="k"
    )
    assert revived == [(P.CANCELLED, P.SCHEDULED), (P.FAILED, P.SCHEDULED)]
    for target in (P.PUBLISHED, P.FAILED, P.SCHEDULED):
        got = await performed(resolutions.settle, 1, target, now=NOW, url="u")
        assert got == [(P.NEEDS_CHECK, target)]


#: what the publishing engine records: after its own call, and after asking about a pending post
ENGINE_OUTCOMES = [
    (P.PUBLISHING, [P.PUBLISHED, P.PENDING, P.FAILED, P.SCHEDULED, P.NEEDS_CHECK]),
    (P.PENDING, [P.PUBLISHED, P.FAILED, P.NEEDS_CHECK]),
]


async def test_recorded_outcomes_are_the_tables() -> None:
    for expected, targets in ENGINE_OUTCOMES:
        rows = [
            publication_outcomes.OutcomeRow(n, Outcome(t, remote_id="r"), None, expected)
            for n, t in enumerate(targets, 1)
        ]
        got = await performed(
            publication_outcomes.record_many,
            rows,
            worker="w",
            now=NOW,
            found=range(1, len(targets) + 1),
        )
        assert sorted(got) == sorted((expected, t) for t in targets)
    for target in (P.PUBLISHED, P.PENDING):
        outcome = Outcome(target, remote_id="r")
        got = await performed(
            publication_outcomes.record_late, 1, worker="w", attempts=1, outcome=outcome, now=NOW
        )
        assert got == [(P.NEEDS_CHECK, target), (P.PUBLISHING, target)]


async def test_a_late_receipt_that_settles_nothing_keeps_the_status() -> None:
    session = RecordingSession()
    outcome = Outcome(P.FAILED, remote_id="r")
    await publication_outcomes.record_late(
        session,  # type: ignore[arg-type]
        1,
        worker="w",
        attempts=1,
        outcome=outcome,
        now=NOW,
    )
    [stmt] = session.updates
    params = stmt.compile().params
    assert "status" not in params
    assert {params["status_1"], params["status_2"]} == {P.NEEDS_CHECK, P.PUBLISHING}


#: a store call asking for a pair the table does not list
ILLEGAL: list[tuple[Callable[..., Awaitable[Any]], tuple[Any, ...], dict[str, Any]]] = [
    (drafts.move_draft, (1, D.REJECTED, D.SUBMITTED), {}),
    (review.decide, (1, 2, T.WAITING), {"now": NOW, "note": None}),
    (review.reassign, (1,), {"expected": T.WAITING, "holder": None, "to_id": 3, "until": NOW}),
    (review.supersede, (1, (T.REJECTED,)), {}),
    (resolutions.settle, (1, P.RETRACTED), {"now": NOW}),
    (
        publication_outcomes.record_many,
        ([publication_outcomes.OutcomeRow(1, Outcome(P.SCHEDULED), None, P.PENDING)],),
        {"worker": "w", "now": NOW},
    ),
]


@pytest.mark.parametrize(("fn", "args", "kwargs"), ILLEGAL)
async def test_an_illegal_pair_is_refused_before_any_update(
    fn: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    session = RecordingSession(found=[1])
    with pytest.raises(IllegalTransition):
        await fn(session, *args, **kwargs)
    assert session.updates == []


def test_the_guard_is_one_comparison_for_one_state_and_in_for_several() -> None:
    one = str(transition(Draft, D.SUBMITTED, D.DRAFT).compile())
    assert "drafts.status = :status_1" in one and "SET status=:status" in one
    many = str(transition(CitizenMessage, M.CLOSED, *sources_for(M.CLOSED)).compile())
    assert "citizen_messages.status IN" in many
    lapsed = transition(ReviewTask, T.CLAIMED, T.OPEN, (T.CLAIMED, ReviewTask.lease_until < NOW))
    assert "review_tasks.status = :status_1 OR review_tasks.status = :status_2 AND" in str(
        lapsed.compile()
    )


def test_transition_refuses_an_empty_or_illegal_guard() -> None:
    with pytest.raises(IllegalTransition):
        transition(Publication, P.SCHEDULED)
    with pytest.raises(IllegalTransition, match="retracted → published"):
        transition(Publication, P.PUBLISHED, P.RETRACTED)
    with pytest.raises(IllegalTransition):
        transition(Publication.__table__, P.PUBLISHED, P.PENDING, P.CANCELLED)  # type: ignore[arg-type]
