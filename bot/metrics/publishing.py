"""Publication outcomes counted as the publisher records them, by channel (account) and outcome.

The engine and its recorder (review/publishing/) know nothing of metrics: the composition root
(bot/publishing/wiring.py) adds an observer to this publisher's recorder, told of every outcome
the engine or reconciliation stores — a row that was no longer ours is not counted.
"""

from __future__ import annotations

from bot.metrics.registry import Metrics
from review.publishing import rules
from review.publishing.publisher import Publisher
from review.states import PublicationStatus as P


def outcome_label(outcome: rules.Outcome) -> str:
    """``published``, ``pending``, ``failed``, ``needs_check`` …; a retry is ``retry``, or
    ``ambiguous`` when the attempt may have reached the platform (it is checked, not resent)."""
    if outcome.status == P.SCHEDULED:
        return "ambiguous" if outcome.extra.get(rules.AMBIGUOUS) else "retry"
    return str(outcome.status)


def count_outcomes(publisher: Publisher, metrics: Metrics) -> None:
    """Every outcome this publisher's recorder stores (the engine's and reconciliation's)."""

    def observe(account: str, outcome: rules.Outcome, late: bool) -> None:
        label = outcome_label(outcome)
        metrics.publish_outcome(account, f"late_{label}" if late else label)

    publisher.recorder.observers.append(observe)
