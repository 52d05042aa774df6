"""The 口径 library on a real database: versions, the review chain, search, the 办事指南 import
and clock, and the inspection report's line — with the clock faked (times passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from review import inspection
from review.db import SessionFactory
from review.errors import Conflict, Forbidden
from review.keyword_answers import default_keyword_answers
from review.models import AuditEvent, Notification, Person
from review.store import directory
from review.wordings import clock, decisions, guide, library, lookup
from review.wordings.library import Proposal
from review.wordings.policy import WordingPolicy, WordingStage

POLICY = WordingPolicy(
    stages=(WordingStage("保密审查", "secrecy"), WordingStage("法制审核", "legal", kinds=("口径",)))
)
MONDAY_10 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 Beijing

pytestmark = pytest.mark.pg  # the guarded decisions (NOT IN a UNION) on both databases


async def who(sf: SessionFactory, key: str) -> Person:
    async with sf() as s:
        person = await directory.person_by_key(s, key)
    assert person is not None
    return person


async def decide(sf: SessionFactory, key: str, entry_id: int, at: datetime, ok: bool = True) -> str:
    async with sf.begin() as s:
        person = await directory.person_by_key(s, key)
        assert person is not None
        out = await decisions.decide(
            s, person, entry_id, approve=ok, note=None if ok else "表述不准", now=at
        )
        return out.text()


async def test_an_edit_is_a_new_version_used_only_once_approved(sf: SessionFactory) -> None:
    li_na, zhao = await who(sf, "li_na"), await who(sf, "zhao_min")
    async with sf.begin() as s:
        entry, _ = await library.create(
            s, zhao, "wording", Proposal("低保申请条件", "旧口径：本市户籍。", ("低保",))
        )
        await library.submit(s, zhao, entry.id, POLICY, MONDAY_10)
    for person in ("li_na", "chen_jing", "liu_yang"):
        await decide(sf, person, entry.id, MONDAY_10)
    async with sf.begin() as s:
        await library.edit(s, li_na, entry.id, Proposal("", "新口径：本市户籍满一年。"))
        await library.submit(s, li_na, entry.id, POLICY, MONDAY_10)
    async with sf() as s:
        assert await lookup.insert(s, entry.id) == "旧口径：本市户籍。"  # v2 under review
        assert [e.id for e, _ in await lookup.search(s, "低保 户籍")] == [entry.id]
        assert await lookup.search(s, "低保 火星") == []
    with pytest.raises(Forbidden, match="自己撰写"):  # 李娜 wrote v2: she reviews no stage of it
        await decide(sf, "li_na", entry.id, MONDAY_10)
    with pytest.raises(Forbidden, match="不是该部门人员"):  # not the awaited stage's department
        await decide(sf, "chen_jing", entry.id, MONDAY_10)
    for person in ("wang_qiang", "chen_jing", "liu_yang"):
        await decide(sf, person, entry.id, MONDAY_10)
    async with sf() as s:
        assert await lookup.insert(s, entry.id) == "新口径：本市户籍满一年。"
        assert await lookup.expand(s, f"您好【口径{entry.id}】") == "您好新口径：本市户籍满一年。"
        actions = list(
            await s.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "wording"))
        )
    assert actions.count("wording.approve") == 6 and "wording.edit" in actions


async def test_a_rejected_version_leaves_the_live_one_and_cannot_be_decided_again(
    sf: SessionFactory,
) -> None:
    zhao = await who(sf, "zhao_min")
    async with sf.begin() as s:
        entry, _ = await library.create(s, zhao, "wording", Proposal("殡葬补贴", "殡葬补贴口径。"))
        await library.submit(s, zhao, entry.id, POLICY, MONDAY_10)
    assert "驳回" in await decide(sf, "li_na", entry.id, MONDAY_10, ok=False)
    with pytest.raises(Conflict, match="没有待审核的版本"):
        await decide(sf, "wang_qiang", entry.id, MONDAY_10)
    async with sf() as s:
        with pytest.raises(Conflict, match="尚无审定版本"):
            await lookup.insert(s, entry.id)
        told = await s.scalar(select(Notification).where(Notification.kind == "wording_decided"))
    assert told is not None and told.person_id == zhao.id


async def test_the_guide_import_is_approved_by_the_system_once(sf: SessionFactory) -> None:
    seed = default_keyword_answers()
    async with sf.begin() as s:
        office = await directory.department_by_key(s, "office")
        assert office is not None
        titles = await guide.import_file(s, seed, office.id, MONDAY_10)
        again = await guide.import_file(s, seed, office.id, MONDAY_10)
    assert "低保申请材料" in titles and again == []
    async with sf() as s:
        answers, _ = await guide.answers(s, seed.fillers)
        imported = await s.scalar(select(AuditEvent).where(AuditEvent.action == "wording.import"))
    assert answers is not None and imported is not None and imported.actor == "system"
    hit = answers.match("请问低保申请需要什么材料？")
    assert hit is not None and hit.title == "低保申请材料"


async def test_the_guide_clock_reminds_escalates_and_reaches_the_inspection_report(
    sf: SessionFactory,
) -> None:
    zhao = await who(sf, "zhao_min")
    async with sf.begin() as s:
        late, _ = await library.create(
            s, zhao, "guide", Proposal("高龄津贴", "高龄津贴新答复。", ("高龄补贴",))
        )
        waiting, _ = await library.create(
            s, zhao, "guide", Proposal("临时救助", "临时救助新答复。")
        )
        for entry in (late, waiting):
            version = await library.submit(s, zhao, entry.id, POLICY, MONDAY_10)
    due = version.due_at
    assert due == datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)  # Tuesday 23:59:59 Beijing

    async with sf.begin() as s:  # Tuesday 14:00 Beijing: still time, no reminder yet
        assert await clock.remind(s, due - timedelta(hours=10), 4) == 0
    async with sf.begin() as s:  # two hours left: the awaited stage's department is reminded
        assert await clock.remind(s, due - timedelta(hours=2), 4) == 2
        assert await clock.remind(s, due - timedelta(hours=1), 4) == 0  # once
    after = due + timedelta(hours=1)
    async with sf.begin() as s:  # run out: the head of the department holding it
        assert await clock.remind(s, after, 4) == 2
    for person in ("li_na", "chen_jing"):
        await decide(sf, person, late.id, after)
    async with sf() as s:
        notes = list(
            await s.scalars(select(Notification).where(Notification.kind.like("wording_%")))
        )
        wang = await directory.person_by_key(s, "wang_qiang")
        report = await inspection.build(s, as_of=after + timedelta(hours=1))
    assert {n.kind for n in notes} >= {"wording_due", "wording_overdue"}
    assert wang is not None and any(
        n.kind == "wording_overdue" and n.person_id == wang.id for n in notes
    )
    lines = [i.summary for i in report.general if i.name == clock.ITEM]
    assert any("超过一个工作日才上线" in d and "高龄津贴" in d for d in lines)
    assert any("仍未审定上线" in d and "临时救助" in d for d in lines)
