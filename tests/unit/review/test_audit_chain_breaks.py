"""The chain's verifier on plain rows: every break is listed, each with its kind."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from review.audit_chain import GENESIS, Break, BreakKind, event_hash, find_breaks, summary

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def rehashed(self) -> Row:
        """The row as a forger would leave it: its own hash made consistent again."""
        digest = event_hash(
            self.prev_hash,
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.subject_type,
            self.subject_id,
            self.detail,
        )
        return replace(self, hash=digest)


def chain(n: int) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for i in range(1, n + 1):
        row = Row(
            i, i, T0 + timedelta(seconds=i), "li_na", "task.approve", "task", str(i), {}, prev, ""
        )
        row = row.rehashed()
        rows.append(row)
        prev = row.hash
    return rows


def test_an_intact_chain_has_no_breaks() -> None:
    rows = chain(12)
    assert find_breaks(rows) == []
    assert summary(12, []) == "审计日志完整：共 12 条事件，哈希链无断裂"


def test_every_break_is_listed_with_its_kind() -> None:
    rows = chain(12)
    # #3 changed in place (the forger could not fix its hash)
    rows[2] = replace(rows[2], actor="mallory")
    # #5 replaced by a forgery with its hash recomputed: #6 no longer points at it
    rows[4] = replace(rows[4], detail={"forged": True}).rehashed()
    # #7 and #8 deleted
    del rows[6:8]
    # #10 written before #9 (their seq numbers swapped and both rehashed to look right)
    nine, ten = rows[6], rows[7]
    assert (nine.seq, ten.seq) == (9, 10)
    rows[6], rows[7] = replace(nine, id=ten.id), replace(ten, id=nine.id)

    breaks = find_breaks(rows)

    assert breaks == [
        Break(3, BreakKind.ALTERED),
        Break(6, BreakKind.BROKEN_LINK),
        Break(7, BreakKind.GAP, last_seq=8),
        Break(10, BreakKind.OUT_OF_ORDER),
    ]
    text = summary(len(rows), breaks)
    assert text.startswith("审计日志有 4 处断裂（共检查 10 条事件）")
    for needle in ("#3 内容被改动", "#6 链接断裂", "#7–#8 缺失", "#10 顺序错乱"):
        assert needle in text


def test_a_missing_first_event_and_a_single_gap_are_named() -> None:
    rows = chain(5)
    del rows[0]
    del rows[2]  # #4
    assert find_breaks(rows) == [
        Break(1, BreakKind.GAP, last_seq=1),
        Break(4, BreakKind.GAP, last_seq=4),
    ]
    assert "#1 缺失" in Break(1, BreakKind.GAP, last_seq=1).describe()


def test_an_altered_row_does_not_also_break_the_next_link() -> None:
    """The next event points at the stored hash, which the forger left alone: one break, not two."""
    rows = chain(4)
    rows[1] = replace(rows[1], detail={"note": "改过"})
    assert find_breaks(rows) == [Break(2, BreakKind.ALTERED)]
