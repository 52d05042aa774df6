"""The audit log's hash chain as pure rules: how an event is hashed, and every way a stored chain
can be broken.

Kept apart from the queries (review/store/audit.py) so the rules can be tested on plain rows and
so a verifier walks the whole log in one pass, listing every break rather than stopping at the
first: someone repairing or investigating a tampered log needs all of them at once.

What the chain stores per event, and so what can break:
- ``seq``: 1, 2, 3 … with no holes → a hole is a ``GAP`` (rows deleted);
- ``hash`` = sha256(``prev_hash`` + canonical fields) → a mismatch is ``ALTERED`` (a row changed);
- ``prev_hash`` = the previous event's ``hash`` (GENESIS for #1) → a mismatch is ``BROKEN_LINK``
  (a row replaced, or rows re-chained);
- ``id`` grows with ``seq`` (events are appended under the chain's lock) → an event written
  before the one it follows is ``OUT_OF_ORDER`` (seq numbers swapped or rewritten).
A deleted tail cannot be seen from the rows alone (nothing follows it to point back).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

GENESIS = "0" * 64


def event_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: Mapping[str, Any],
) -> str:
    canonical = json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject": f"{subject_type}:{subject_id}",
            "detail": detail,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


class BreakKind(enum.StrEnum):
    """The closed set of ways the stored chain can be wrong (one per stored invariant)."""

    GAP = "gap"
    BROKEN_LINK = "broken_link"
    ALTERED = "altered"
    OUT_OF_ORDER = "out_of_order"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    BreakKind.GAP: "缺失",
    BreakKind.BROKEN_LINK: "链接断裂",
    BreakKind.ALTERED: "内容被改动",
    BreakKind.OUT_OF_ORDER: "顺序错乱",
}


@dataclass(frozen=True)
class Break:
    """One break: at event ``seq`` (a gap: the missing ``seq`` … ``last_seq``)."""

    seq: int
    kind: BreakKind
    last_seq: int | None = None

    def describe(self) -> str:
        if self.kind is BreakKind.GAP:
            span = f"#{self.seq}" if self.last_seq == self.seq else f"#{self.seq}–#{self.last_seq}"
            return f"{span} 缺失：序号不连续，这些事件已被删除"
        reason = {
            BreakKind.BROKEN_LINK: "prev_hash 与上一条事件的哈希不符",
            BreakKind.ALTERED: "记录的哈希与其内容不符",
            BreakKind.OUT_OF_ORDER: "比它前面的事件写入得更早（序号被改动）",
        }[self.kind]
        return f"#{self.seq} {self.kind.label}：{reason}"

    def as_json(self) -> dict[str, object]:
        return {"seq": self.seq, "kind": self.kind.value, "last_seq": self.last_seq}


class ChainRow(Protocol):
    """What the walk reads from a stored event (``review.models.AuditEvent`` has it)."""

    @property
    def id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def subject_type(self) -> str: ...
    @property
    def subject_id(self) -> str: ...
    @property
    def detail(self) -> Mapping[str, Any]: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


@dataclass
class ChainWalk:
    """Feed events in ``seq`` order, one at a time (the log need not fit in memory)."""

    checked: int = 0
    breaks: list[Break] = field(default_factory=list)
    _expected_seq: int = 1
    _prev_hash: str = GENESIS
    _prev_id: int | None = None

    def feed(self, ev: ChainRow) -> None:
        self.checked += 1
        after_gap = ev.seq > self._expected_seq
        if after_gap:
            self.breaks.append(Break(self._expected_seq, BreakKind.GAP, ev.seq - 1))
        elif ev.prev_hash != self._prev_hash:
            # after a gap the event it should point to is gone: the gap already says so
            self.breaks.append(Break(ev.seq, BreakKind.BROKEN_LINK))
        if self._prev_id is not None and ev.id < self._prev_id:
            self.breaks.append(Break(ev.seq, BreakKind.OUT_OF_ORDER))
        # checked against its own prev_hash, so an altered row is told apart from a broken link
        recomputed = event_hash(
            ev.prev_hash,
            ev.seq,
            ev.at,
            ev.actor,
            ev.action,
            ev.subject_type,
            ev.subject_id,
            ev.detail,
        )
        if recomputed != ev.hash:
            self.breaks.append(Break(ev.seq, BreakKind.ALTERED))
        self._expected_seq = max(self._expected_seq, ev.seq + 1)
        self._prev_hash, self._prev_id = ev.hash, ev.id


def find_breaks(rows: Iterable[ChainRow]) -> list[Break]:
    """Every break in events given in ``seq`` order; empty when the chain is intact."""
    walk = ChainWalk()
    for row in rows:
        walk.feed(row)
    return walk.breaks


def headline(checked: int, breaks: list[Break]) -> str:
    """The verdict in one line for staff: intact, or how many breaks."""
    if not breaks:
        return f"审计日志完整：共 {checked} 条事件，哈希链无断裂"
    return f"审计日志有 {len(breaks)} 处断裂（共检查 {checked} 条事件）"


def summary(checked: int, breaks: list[Break]) -> str:
    """The verdict and every break, in one line (the console and the inspection report)."""
    if not breaks:
        return headline(checked, breaks)
    return f"{headline(checked, breaks)}：" + "；".join(b.describe() for b in breaks)
