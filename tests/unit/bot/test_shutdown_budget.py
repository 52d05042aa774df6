"""The stop's budgets nest inside serve's limit (bot/shutdown.py), and each part of the stop
takes its number from there."""

from __future__ import annotations

import inspect

import pytest

from bot import jobs
from bot.chat.wecom_callback import QUICK_SECONDS
from bot.shutdown import SHUTDOWN, ShutdownBudget


def test_the_tree_fits_serves_limit() -> None:
    b = SHUTDOWN
    assert b.cleanup == b.ticks + b.tick_unwind + b.calls + b.hand_back + b.close
    assert b.requests + b.cleanup == b.runner <= b.deadline < b.secondaries <= b.limit
    # the tests hold serve to 10 s (tests/reliability/test_serve_lifecycle.py)
    assert b.limit <= 10
    # a WeCom callback in flight may wait QUICK_SECONDS for its answer before replying
    assert b.requests >= QUICK_SECONDS


def test_a_budget_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="do not nest"):
        ShutdownBudget(requests=8.0)  # the old 8 s for requests alone, plus the rest
    with pytest.raises(ValueError, match="do not nest"):
        ShutdownBudget(calls=8.0)  # the old publisher grace


def test_the_ticks_stop_takes_its_numbers_from_the_budget() -> None:
    params = inspect.signature(jobs.stop).parameters
    assert params["grace"].default == SHUTDOWN.ticks
    assert params["unwind"].default == SHUTDOWN.tick_unwind
