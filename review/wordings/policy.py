"""Kinds, labels and who reviews an entry: plain values handed over from settings (pure).

An entry is reviewed first by its owning department (a reviewer or its head), then by the
configured stages (``[wordings] stages``, e.g. 保密审查, 法制审核) that apply to its kind. The
chain is pinned on the version when it is submitted, so a settings change never reroutes a
version halfway through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from review.errors import ValidationFailed
from review.workdays import add_working_days

KINDS = {"wording": "口径", "guide": "办事指南"}
STATUS_LABELS = {
    "draft": "草稿",
    "in_review": "审核中",
    "approved": "已审定（在用）",
    "rejected": "已驳回",
    "superseded": "已被新版本取代",
}
OWNER_STAGE = "处室审核"
TITLE_MAX, TEXT_MAX = 100, 2000


def kind_of(text: str) -> str:
    """ "口径" / "wording" → wording; "办事指南" / "guide" → guide."""
    for key, label in KINDS.items():
        if text in (key, label):
            return key
    raise ValidationFailed(f"类别「{text}」不存在，请写「口径」或「办事指南」", field="kind")


@dataclass(frozen=True)
class WordingStage:
    name: str
    department_key: str
    role: str = "reviewer"
    #: "口径" / "办事指南" (or the keys); empty = every entry
    kinds: tuple[str, ...] = ()

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds or KINDS[kind] in self.kinds


@dataclass(frozen=True)
class WordingPolicy:
    stages: tuple[WordingStage, ...] = ()
    guide_days: int = 1
    reminder_hours: int = 4
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    guide_owner: str | None = None

    def due_at(self, kind: str, submitted_at: datetime) -> datetime | None:
        """办事指南: live by the end of the ``guide_days``-th working day after submission."""
        if kind != "guide":
            return None
        end, _ = add_working_days(
            submitted_at, self.guide_days, self.extra_holidays, self.extra_workdays
        )
        return end


def chain(
    policy: WordingPolicy, kind: str, owner_id: int, department_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """The stages a version of ``kind`` goes through, as stored on the version."""
    out: list[dict[str, Any]] = [
        {"name": OWNER_STAGE, "department_id": owner_id, "role": "reviewer"}
    ]
    for stage in policy.stages:
        if not stage.applies_to(kind):
            continue
        dept = department_ids.get(stage.department_key)
        if dept is None:
            raise ValidationFailed(
                f"[wordings] stages 中「{stage.name}」的处室 {stage.department_key} 不存在，"
                "请检查 settings.toml"
            )
        out.append({"name": stage.name, "department_id": dept, "role": stage.role})
    return out


def clean_keywords(words: list[str] | tuple[str, ...]) -> list[str]:
    seen: list[str] = []
    for w in words:
        for part in w.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return seen


def check_text(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title:
        raise ValidationFailed("请填写标题（如「低保申请条件」）", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"标题最长 {TITLE_MAX} 字，现有 {len(title)} 字", field="title")
    if not text:
        raise ValidationFailed("请填写口径正文", field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(f"正文最长 {TEXT_MAX} 字，现有 {len(text)} 字，请精简", field="text")
    return title, text
