"""``[disclosure]``, ``[digest]`` and ``[calendar]`` as the plain values the domain takes
(``review.interpretations.Policy``; the press minimum; the digest's schedule)."""

from __future__ import annotations

from bot.config.load import Settings
from review.interpretations import Policy
from review.workdays import parse_dates


def interpretation_policy(settings: Settings) -> Policy:
    cal = settings.file.calendar
    return Policy(
        working_days=settings.file.disclosure.interpretation_working_days,
        extra_holidays=parse_dates(cal.extra_holidays),
        extra_workdays=parse_dates(cal.extra_workdays),
    )


def press_minimum(settings: Settings) -> int:
    return settings.file.disclosure.press_quarterly_minimum
