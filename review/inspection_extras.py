"""The seed's clocks in the inspection report: 规范性文件 without their 政策解读 in time
(``review.interpretations``) and the quarterly press counter (``review.press``).

Their numbers are settings (``[disclosure]``), handed in as plain values (review/ never reads
settings); without them these lines are left out. Thresholds and sources: ``inspection_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review import inspection_rules as rules
from review import interpretations, press
from review.inspection_items import Evidence, Item


@dataclass(frozen=True)
class Clocks:
    interpretation: interpretations.Policy | None = None
    press_minimum: int | None = None


async def extra_items(
    session: AsyncSession, since: datetime, as_of: datetime, clocks: Clocks
) -> list[Item]:
    out: list[Item] = []
    if clocks.interpretation is not None:
        found = await interpretations.outstanding_in(session, as_of, clocks.interpretation)
        count = {s: sum(a.state == s for a in found) for s in (
            interpretations.OVERDUE, interpretations.LATE, interpretations.DUE)}  # fmt: skip
        late = [
            a for a in found
            if a.state == interpretations.LATE and a.first is not None
            and a.first.published_at is not None and a.first.published_at > since
        ]  # fmt: skip
        shown = [a for a in found if a.state != interpretations.LATE] + late
        evidence = [
            Evidence(
                "interpretation",
                f"#{a.doc.draft_id}",
                a.doc.title,
                a.doc.published_at,
                f"{a.label}；{'；'.join(a.evidence[1:])}",
            )
            for a in shown
        ]
        threshold = rules.interpretation_threshold(clocks.interpretation.working_days)
        status = rules.interpretation_status(
            count[interpretations.OVERDUE], len(late), count[interpretations.DUE]
        )
        out.append(Item("interpretation", "政策解读（谁起草、谁解读）", rules.DEDUCT, status,
                        f"解读超期未发布 {count[interpretations.OVERDUE]} 件，期内逾期发布 "
                        f"{len(late)} 件，待发布 {count[interpretations.DUE]} 件",
                        rules.BUREAU, (threshold,), evidence))  # fmt: skip
    if clocks.press_minimum is not None:
        year = as_of.year
        quarters = await press.quarterly_in(session, year, clocks.press_minimum, as_of)
        short = [q for q in quarters if q.state == press.SHORT]
        current = quarters[-1] if quarters else None
        open_not_met = current is not None and current.state == press.OPEN
        evidence = [
            Evidence("press", f"#{i.draft_id}", i.title, i.published_at, f"{q.label} {i.kind}")
            for q in quarters for i in q.items
        ] + [Evidence("quarter", q.label, f"{q.count}/{q.minimum} 次", None, press.STATE_LABELS[q.state]) for q in short]  # fmt: skip
        said = "；".join(f"{q.label} {q.count}/{q.minimum} 次（{press.STATE_LABELS[q.state]}）"
                        for q in quarters)  # fmt: skip
        out.append(Item("press", "季度新闻发布", rules.DEDUCT,
                        rules.press_status(len(short), open_not_met), said or "本年尚无季度",
                        rules.BUREAU, (rules.press_threshold(clocks.press_minimum),), evidence))  # fmt: skip
    return out
