"""The publishing calendar's periods and marks (pure): which Beijing days a week or month view
shows, the UTC range to read, the links before and after, and which states must stand out.

A week runs Monday to Sunday; a month view shows whole weeks, so a post on the 30th of the
month before still sits in its week. A post is placed on the day it went out (published or
retracted) or, until then, the day it is due.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from review.models import Publication
from review.states import PublicationStatus as P
from review.timefmt import SHANGHAI, calendar_day, local_date

View = Literal["week", "month"]
VIEWS: dict[str, str] = {"week": "周视图", "month": "月视图"}
#: states a person must act on: shown in red, listed first on their day
ATTENTION = frozenset({P.FAILED, P.NEEDS_CHECK})


@dataclass(frozen=True)
class Period:
    view: View
    anchor: date
    days: tuple[date, ...]
    prev: date
    next: date
    title: str

    @property
    def start(self) -> datetime:
        """The first shown day's Beijing midnight (aware)."""
        return datetime.combine(self.days[0], time(), SHANGHAI)

    @property
    def end(self) -> datetime:
        """The Beijing midnight after the last shown day (exclusive)."""
        return datetime.combine(self.days[-1] + timedelta(days=1), time(), SHANGHAI)

    @property
    def weeks(self) -> list[tuple[date, ...]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]

    def in_month(self, day: date) -> bool:
        return self.view == "week" or day.month == self.anchor.month


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period(view: str, anchor: date) -> Period:
    """The week or month around ``anchor`` (any other ``view`` is the week)."""
    if view == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        start, stop = _monday(first), _monday(last) + timedelta(days=7)
        before = (first - timedelta(days=1)).replace(day=1)
        after = last + timedelta(days=1)
        days = tuple(start + timedelta(days=i) for i in range((stop - start).days))
        return Period("month", first, days, before, after, f"{first.year}年{first.month}月")
    start = _monday(anchor)
    days = tuple(start + timedelta(days=i) for i in range(7))
    end = days[-1]
    title = f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"
    return Period("week", start, days, start - timedelta(days=7), start + timedelta(days=7), title)


def parse_day(text: str | None, today: date) -> date:
    """``2026-12-03`` from a link or the date field; anything else is today."""
    try:
        return calendar_day(text or "")
    except ValueError:
        return today


def placed_at(pub: Publication) -> datetime:
    """When a post belongs on the calendar: when it went out, else when it is due."""
    return pub.published_at or pub.due_at


def by_day(
    rows: Sequence[tuple[Publication, str]],
) -> dict[date, list[tuple[Publication, str]]]:
    """(publication, title) grouped by Beijing day; attention first, then by time."""
    out: dict[date, list[tuple[Publication, str]]] = {}
    for pub, title in rows:
        out.setdefault(local_date(placed_at(pub)), []).append((pub, title))
    for items in out.values():
        items.sort(key=lambda r: (P(r[0].status) not in ATTENTION, placed_at(r[0]), r[0].id))
    return out
