"""The gate's vocabulary: verdicts, evidence spans, per-check results and the whole report.

Plain frozen data so the review queue can store, compare and serialise results without the gate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Verdict(enum.StrEnum):
    """Ordered pass < warn < block; the overall verdict is the worst one."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    WARN = "warn"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Verdict):
            return self.rank < other.rank
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Verdict):
            return self.rank <= other.rank
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Verdict):
            return self.rank > other.rank
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Verdict):
            return self.rank >= other.rank
        return NotImplemented

    @staticmethod
    def worst(verdicts: list[Verdict] | tuple[Verdict, ...]) -> Verdict:
        return max(verdicts, key=lambda v: v.rank, default=Verdict.PASS)


_RANK = {Verdict.PASS: 0, Verdict.WARN: 1, Verdict.BLOCK: 2}


@dataclass(frozen=True)
class Evidence:
    """What was matched and where: ``start``/``end`` index the *original* field text."""

    text: str
    start: int
    end: int
    field: str  # "title" | "body" | "source" | "author" | "digest" | "account"

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "field": self.field}


@dataclass(frozen=True)
class CheckResult:
    name: str
    verdict: Verdict
    reason: str
    evidence: tuple[Evidence, ...] = ()
    suggestion: str | None = None
    overridable: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "verdict": str(self.verdict),
            "reason": self.reason,
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.suggestion is not None:
            out["suggestion"] = self.suggestion
        if self.overridable:
            out["overridable"] = True
        return out


@dataclass(frozen=True)
class GateTarget:
    account_key: str
    platform: str  # "wechat" | "weibo"
    safe_domain: str | None = None


@dataclass(frozen=True)
class GateInput:
    title: str
    body: str
    kind: str = "工作动态"
    source: str | None = None
    author: str = ""
    digest: str = ""
    has_cover: bool = False
    targets: tuple[GateTarget, ...] = ()
    #: 公开属性 (review.disclosure): 不予公开 is blocked
    disclosure: str = "主动公开"


@dataclass(frozen=True)
class GateReport:
    verdict: Verdict
    checks: tuple[CheckResult, ...]

    def to_json(self) -> dict[str, Any]:
        return {"verdict": str(self.verdict), "checks": [c.to_json() for c in self.checks]}

    def get(self, name: str) -> CheckResult | None:
        """The result of the check called ``name``, if it ran."""
        return next((c for c in self.checks if c.name == name), None)
