"""A press release or press conference each quarter (the seed's clock): the drafts of kind
新闻发布稿 / 新闻发布会 that went out, counted per quarter of the Beijing calendar against
``[disclosure] press_quarterly_minimum``. ``quarterly`` is pure; the inspection report and
``newmedia report quarterly`` read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.store import seed_clocks as store
from review.timefmt import local_date

PRESS_KINDS = ("新闻发布稿", "新闻发布会")
MET, SHORT, OPEN = "met", "short", "open"
STATE_LABELS = {MET: "达标", SHORT: "未达标", OPEN: "进行中"}


@dataclass(frozen=True)
class PressItem:
    draft_id: int
    title: str
    kind: str
    published_at: datetime


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    minimum: int
    items: tuple[PressItem, ...]
    #: met; short (the quarter is over below the minimum); open (under way, not met yet)
    state: str

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def met(self) -> bool:
        return self.state == MET

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    def to_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "quarter": self.quarter,
            "count": self.count,
            "minimum": self.minimum,
            "met": self.met,
            "state": self.state,
            "items": [
                {
                    "draft_id": i.draft_id,
                    "title": i.title,
                    "kind": i.kind,
                    "published_at": i.published_at.isoformat(),
                }
                for i in self.items
            ],
        }


def quarter_of(when: datetime) -> tuple[int, int]:
    day = local_date(when)
    return day.year, (day.month - 1) // 3 + 1


def quarterly(
    items: Iterable[PressItem], year: int, minimum: int, as_of: datetime
) -> list[Quarter]:
    """The quarters of ``year`` that have begun by ``as_of``, each with its press items."""
    now_year, now_q = quarter_of(as_of)
    if year > now_year:
        return []
    last = now_q if year == now_year else 4
    chosen = [i for i in items if i.published_at <= as_of and quarter_of(i.published_at)[0] == year]
    out: list[Quarter] = []
    for q in range(1, last + 1):
        mine = tuple(
            sorted(
                (i for i in chosen if quarter_of(i.published_at)[1] == q),
                key=lambda i: i.published_at,
            )
        )
        ongoing = year == now_year and q == now_q
        state = MET if len(mine) >= minimum else OPEN if ongoing else SHORT
        out.append(Quarter(year, q, minimum, mine, state))
    return out


async def load(session: AsyncSession) -> list[PressItem]:
    """Every press item that went out (its first publication on any account)."""
    rows = await store.drafts_of_kind(session, PRESS_KINDS)
    published = await store.first_published(session, [d.id for d, _, _ in rows])
    return [
        PressItem(d.id, r.title, r.kind, published[d.id]) for d, r, _ in rows if d.id in published
    ]


async def quarterly_in(
    session: AsyncSession, year: int, minimum: int, as_of: datetime
) -> list[Quarter]:
    """``quarterly`` over the database: what the inspection report and the CLI call."""
    return quarterly(await load(session), year, minimum, as_of)
