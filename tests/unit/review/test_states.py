"""The transition tables themselves: total, reachable, one machine each, and the two guards the
stores rely on (a lapsed claim can be taken over; a cancelled publication can be revived)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import pytest

from review.states import (
    DRAFT_LABELS,
    DRAFT_TRANSITIONS,
    MESSAGE_LABELS,
    MESSAGE_TRANSITIONS,
    PUBLICATION_LABELS,
    PUBLICATION_TRANSITIONS,
    TASK_TRANSITIONS,
    DraftStatus,
    IllegalTransition,
    MessageStatus,
    PublicationStatus,
    TaskStatus,
    check_transition,
    sources_for,
)

D, T, P, M = DraftStatus, TaskStatus, PublicationStatus, MessageStatus

#: each machine with its table and the states a row is inserted in
MACHINES: list[tuple[type[enum.StrEnum], Mapping[Any, frozenset[Any]], set[Any]]] = [
    (D, DRAFT_TRANSITIONS, {D.DRAFT}),
    (T, TASK_TRANSITIONS, {T.OPEN, T.WAITING}),
    (P, PUBLICATION_TRANSITIONS, {P.SCHEDULED}),
    (M, MESSAGE_TRANSITIONS, {M.NEW}),
]


@pytest.mark.parametrize(("machine", "table", "initial"), MACHINES)
def test_every_state_has_a_row_and_every_target_is_of_the_same_machine(
    machine: type[enum.StrEnum], table: Mapping[Any, frozenset[Any]], initial: set[Any]
) -> None:
    assert set(table) == set(machine)
    for targets in table.values():
        assert all(type(t) is machine for t in targets)


@pytest.mark.parametrize(("machine", "table", "initial"), MACHINES)
def test_every_state_is_reachable_from_where_rows_start(
    machine: type[enum.StrEnum], table: Mapping[Any, frozenset[Any]], initial: set[Any]
) -> None:
    seen, todo = set(initial), list(initial)
    while todo:
        for nxt in table[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(machine)


def test_labels_cover_every_state() -> None:
    assert set(DRAFT_LABELS) == set(D)
    assert set(PUBLICATION_LABELS) == set(P)
    assert set(MESSAGE_LABELS) == set(M)


def test_sources_for_lists_every_state_that_may_enter_the_target_sorted() -> None:
    assert sources_for(M.OVERDUE) == (M.ASSIGNED, M.NEW)
    assert sources_for(M.ANSWERED) == (M.ANSWERED, M.ASSIGNED, M.NEW, M.OVERDUE)
    assert sources_for(T.REASSIGNED) == (T.CLAIMED, T.OPEN)
    for machine, table, _initial in MACHINES:
        for target in machine:
            assert set(sources_for(target)) == {s for s, ts in table.items() if target in ts}


def test_a_pair_outside_the_table_is_refused() -> None:
    check_transition(D.IN_REVIEW, D.APPROVED)
    with pytest.raises(IllegalTransition, match="rejected → submitted"):
        check_transition(D.REJECTED, D.SUBMITTED)
    with pytest.raises(IllegalTransition):
        check_transition(P.RETRACTED, P.PUBLISHED)
    with pytest.raises(IllegalTransition):
        check_transition(M.CLOSED, M.ASSIGNED)


def test_states_of_two_machines_never_pair_even_with_the_same_name() -> None:
    # "approved" is a draft state and a task state: equal strings, different machines
    with pytest.raises(IllegalTransition):
        check_transition(D.IN_REVIEW, T.APPROVED)


def test_terminal_states_lead_nowhere() -> None:
    assert not DRAFT_TRANSITIONS[D.REJECTED]
    assert not TASK_TRANSITIONS[T.SUPERSEDED]
    assert not PUBLICATION_TRANSITIONS[P.RETRACTED]
    assert not MESSAGE_TRANSITIONS[M.CLOSED] and not MESSAGE_TRANSITIONS[M.DISMISSED]


def test_the_store_guards_the_table_allows() -> None:
    # a reviewer takes over a claim whose lease ran out in one guarded step
    check_transition(T.CLAIMED, T.CLAIMED)
    # a re-approved edit takes over its cancelled (or failed) publication row
    check_transition(P.CANCELLED, P.SCHEDULED)
    check_transition(P.FAILED, P.SCHEDULED)
