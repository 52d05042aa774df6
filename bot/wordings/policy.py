"""``[wordings]`` and ``[calendar]`` as the plain ``WordingPolicy`` the domain takes."""

from __future__ import annotations

from bot.config.load import Settings
from review.wordings.policy import WordingPolicy, WordingStage
from review.workdays import parse_dates


def policy_from(settings: Settings) -> WordingPolicy:
    w, cal = settings.file.wordings, settings.file.calendar
    return WordingPolicy(
        stages=tuple(WordingStage(s.name, s.department, s.role, s.kinds) for s in w.stages),
        guide_days=w.guide_live_working_days,
        reminder_hours=w.guide_reminder_hours_before,
        extra_holidays=parse_dates(cal.extra_holidays),
        extra_workdays=parse_dates(cal.extra_workdays),
        guide_owner=w.guide_owner or next(iter(settings.departments), None),
    )
