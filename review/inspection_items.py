"""One line of the self-inspection report: an item's status and its evidence (data only).

Shared by ``review.inspection`` (the accounts' items) and ``review.inspection_extras`` (the
seed's clocks); renderers read ``to_json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from review.inspection_rules import ItemSpec, Threshold

#: evidence lines kept per item (the summary says how many there were)
EVIDENCE_MAX = 20


@dataclass(frozen=True)
class Evidence:
    kind: str  # publication | platform_post | message | audit | wording | interpretation | …
    ref: str  # "#12" (ours) or the platform's id
    title: str
    at: datetime | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "title": self.title,
            "at": self.at.isoformat() if self.at else None,
            "note": self.note,
        }


@dataclass
class Item:
    key: str
    name: str
    level: str  # veto | deduct | info
    status: str  # pass | at_risk | fail
    summary: str
    indicator: str
    thresholds: tuple[Threshold, ...] = ()
    evidence: list[Evidence] = field(default_factory=list)

    @classmethod
    def of(cls, spec: ItemSpec, status: str, summary: str, evidence: list[Evidence]) -> Item:
        return cls(spec.key, spec.name, spec.level, status, summary, spec.indicator,
                   spec.thresholds, evidence[:EVIDENCE_MAX])  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "level": self.level,
            "status": self.status,
            "summary": self.summary,
            "indicator": self.indicator,
            "thresholds": [t.to_json() for t in self.thresholds],
            "evidence": [e.to_json() for e in self.evidence],
        }
