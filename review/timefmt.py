"""Time shown to people is Asia/Shanghai; time stored is UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: the years a date typed into a filter may name: outside them the arithmetic around a day
#: (the next midnight, the week's Monday) would leave what ``date`` can hold
FIRST_YEAR, LAST_YEAR = 2000, 2100


def calendar_day(text: str) -> date:
    """``2026-12-03`` as a date; ValueError when it is not one or falls outside the years a
    filter may name (``FIRST_YEAR``–``LAST_YEAR``)."""
    day = date.fromisoformat(text.strip())
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return day


def to_local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def fmt(dt: datetime | None) -> str:
    """``2026-12-01 09:00`` in Beijing time, or ``—``."""
    return "—" if dt is None else to_local(dt).strftime("%Y-%m-%d %H:%M")


def month_day(when: datetime) -> str:
    """``12月9日`` (Beijing date): a day said in a sentence."""
    local = to_local(when)
    return f"{local.month}月{local.day}日"


#: 周一 … 周日, by ``date.weekday()``
WEEKDAYS = "一二三四五六日"


def day_label(day: date) -> str:
    """``12月3日 周四``: a calendar day as staff read it (the console's calendar)."""
    return f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"


def local_date(when: datetime) -> date:
    """The Beijing date of a stored (UTC) moment: the day a post falls on."""
    return to_local(when).date()


def short_time(when: datetime) -> str:
    """``12月3日 09:00`` (Beijing time): a time said back to a person in a sentence."""
    return f"{month_day(when)} {to_local(when):%H:%M}"


def parse_local(text: str) -> datetime:
    """Parse ``YYYY-MM-DD HH:MM`` (Beijing time, or ISO with offset) or ``now`` into aware UTC."""
    text = text.strip()
    if text.lower() in ("now", "立即", "马上"):
        # "as soon as approved": scheduling treats a passed time as due at once
        return datetime.now(UTC)
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SHANGHAI).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"无法识别的时间「{text}」，请使用 YYYY-MM-DD HH:MM（北京时间）") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(UTC)
