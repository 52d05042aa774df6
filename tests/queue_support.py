"""Helpers for the review-queue tests: a tiny fake gate, people and drafts through the real store."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from review import drafts
from review.checks.types import CheckResult, GateInput, GateReport, Verdict
from review.db import SessionFactory
from review.models import Person
from review.store import directory


def fake_gate(
    block: Mapping[str, str] | None = None, warn: Mapping[str, str] | None = None
) -> Callable[[GateInput], GateReport]:
    """A gate that blocks/warns exactly the named checks and passes everything else."""

    def gate(inp: GateInput) -> GateReport:
        checks = [CheckResult("relevance", Verdict.PASS, "与职能相关")]
        for name, reason in (warn or {}).items():
            checks.append(CheckResult(name, Verdict.WARN, reason))
        for name, reason in (block or {}).items():
            checks.append(CheckResult(name, Verdict.BLOCK, reason, overridable=True))
        return GateReport(Verdict.worst([c.verdict for c in checks]), tuple(checks))

    return gate


PASS = fake_gate()


async def person(sf: SessionFactory, key: str) -> Person:
    async with sf() as s:
        p = await directory.person_by_key(s, key)
        assert p is not None, key
        return p


async def new_draft(
    sf: SessionFactory,
    *,
    author: str = "zhao_min",
    accounts: Sequence[str] = ("ccmz_wechat",),
    kind: str = "工作动态",
    title: str = "养老服务补贴申领指南",
    publish_at: datetime | None = None,
) -> int:
    async with sf.begin() as s:
        who = await directory.person_by_key(s, author)
        assert who is not None
        d, _ = await drafts.create(
            s,
            who,
            drafts.DraftInput(
                title=title,
                body="市民政局发布养老服务补贴申领流程。",
                accounts=list(accounts),
                kind=kind,
                publish_at=publish_at,
                cover_path="covers/a.png",
            ),
        )
        return d.id


def with_deputy_head(settings: Any) -> Any:
    """The settings with a second 办公室 head, 张伟: without one, 王强's override of a check of a
    长春民政 (WeChat) draft would leave its 终审 with nobody eligible, and is refused."""
    from dataclasses import replace

    people = dict(settings.people)
    people["zhang_wei"] = people["wang_qiang"].model_copy(
        update={"key": "zhang_wei", "name": "张伟", "wecom": "ZhangWei", "roles": ("head",)}
    )
    return replace(settings, people=people)
