"""The review chain through the real store: stages, roles, per-account approval, scheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from queue_support import PASS, new_draft, person
from sqlalchemy import select

from review import queue
from review.db import SessionFactory
from review.errors import Conflict, Forbidden, ValidationFailed
from review.models import Draft, Notification, Publication, ReviewTask
from review.store import audit
from review.timefmt import SHANGHAI

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 Beijing


async def _submit(sf: SessionFactory, draft_id: int, who: str = "zhao_min") -> queue.SubmitResult:
    actor = await person(sf, who)
    async with sf.begin() as s:
        return await queue.submit(s, draft_id, actor, gate=PASS)


async def _claim_and_approve(sf: SessionFactory, task_id: int, who: str) -> queue.ApproveResult:
    p = await person(sf, who)
    async with sf.begin() as s:
        await queue.claim(s, task_id, p, lease=timedelta(hours=4), now=NOW)
    async with sf.begin() as s:
        return await queue.approve(
            s, task_id, p, "同意", slots={"ccmz_wechat": ["09:00", "17:00"]}, now=NOW
        )


async def _draft(sf: SessionFactory, draft_id: int) -> Draft:
    async with sf() as s:
        d = await s.get(Draft, draft_id)
        assert d is not None
        return d


@pytest.mark.pg
async def test_full_wechat_chain_for_policy_interpretation(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, kind="政策解读")
    result = await _submit(sf, draft_id)
    assert not result.blocked and len(result.tasks) == 1
    task = result.tasks[0]
    async with sf() as s:
        view = await queue.task_view(s, task.id)
    assert (view.stage_name, view.stage_position, view.stage_total) == ("初审", 1, 4)
    assert view.department == "办公室" and view.author_name == "赵敏"

    # 初审 by a reviewer of the owner department
    first = await _claim_and_approve(sf, task.id, "li_na")
    assert first.next_task is not None and first.next_task.stage_name == "终审"
    # 终审 needs the head: 李娜 is only a reviewer
    li = await person(sf, "li_na")
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="负责人"):
            await queue.claim(s, first.next_task.id, li, now=NOW)
    second = await _claim_and_approve(sf, first.next_task.id, "wang_qiang")
    assert second.next_task is not None and second.next_task.stage_name == "保密审查"
    # 保密审查 belongs to 保密办: the office head cannot take it
    wang = await person(sf, "wang_qiang")
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="保密办"):
            await queue.claim(s, second.next_task.id, wang, now=NOW)
    third = await _claim_and_approve(sf, second.next_task.id, "chen_jing")
    assert third.next_task is not None and third.next_task.stage_name == "法制审核"
    last = await _claim_and_approve(sf, third.next_task.id, "liu_yang")
    assert last.next_task is None and last.account_done and last.draft_done
    assert len(last.publications) == 1
    pub = last.publications[0]
    assert pub.status == "scheduled"
    assert pub.due_at == datetime(2026, 3, 2, 17, 0, tzinfo=SHANGHAI).astimezone(UTC)
    assert pub.idempotency_key == f"p{draft_id}a{pub.account_id}r1"
    assert (await _draft(sf, draft_id)).status == "scheduled"
    async with sf() as s:
        tasks = (await s.scalars(select(ReviewTask).where(ReviewTask.draft_id == draft_id))).all()
        assert [t.status for t in tasks] == ["approved"] * 4
        assert len({t.approved_hash for t in tasks}) == 1
        kinds = [n.kind for n in (await s.scalars(select(Notification))).all()]
        assert kinds.count("task_waiting") == 4 and "draft_scheduled" in kinds
        assert await audit.verify(s) == (await audit.count(s), None)


@pytest.mark.pg
async def test_work_news_skips_legal_review(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, kind="工作动态")
    task = (await _submit(sf, draft_id)).tasks[0]
    a = await _claim_and_approve(sf, task.id, "li_na")
    assert a.next_task is not None
    b = await _claim_and_approve(sf, a.next_task.id, "wang_qiang")
    assert b.next_task is not None
    c = await _claim_and_approve(sf, b.next_task.id, "chen_jing")
    assert c.next_task is None and c.draft_done


@pytest.mark.pg
async def test_two_accounts_are_approved_per_account(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, accounts=("ccmz_wechat", "ccmz_weibo"))
    result = await _submit(sf, draft_id)
    by_account = {t.account_id: t for t in result.tasks}
    assert len(by_account) == 2
    weibo_task, wechat_task = sorted(result.tasks, key=lambda t: -t.account_id)
    # the Weibo chain: 初审 → 保密审查 (no 终审 on Weibo)
    w1 = await _claim_and_approve(sf, weibo_task.id, "li_na")
    assert w1.next_task is not None and w1.next_task.stage_name == "保密审查"
    w2 = await _claim_and_approve(sf, w1.next_task.id, "chen_jing")
    assert w2.account_done and not w2.draft_done and not w2.publications
    assert (await _draft(sf, draft_id)).status == "in_review"
    # the WeChat chain still has three stages to go
    x1 = await _claim_and_approve(sf, wechat_task.id, "li_na")
    assert x1.next_task is not None
    x2 = await _claim_and_approve(sf, x1.next_task.id, "wang_qiang")
    assert x2.next_task is not None
    x3 = await _claim_and_approve(sf, x2.next_task.id, "chen_jing")
    assert x3.draft_done and len(x3.publications) == 2
    async with sf() as s:
        pubs = (await s.scalars(select(Publication).where(Publication.draft_id == draft_id))).all()
        assert sorted(p.status for p in pubs) == ["scheduled", "scheduled"]
        assert len({p.idempotency_key for p in pubs}) == 2


@pytest.mark.pg
async def test_author_can_never_review_own_draft(sf: SessionFactory) -> None:
    li = await person(sf, "li_na")
    async with sf.begin() as s:
        row = await s.merge(li)
        row.roles = "editor reviewer"
    draft_id = await new_draft(sf, author="li_na")
    task = (await _submit(sf, draft_id, "li_na")).tasks[0]
    li = await person(sf, "li_na")
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="不能审核自己参与撰写、提交或豁免检查的稿件"):
            await queue.claim(s, task.id, li, now=NOW)
        assert await queue.queue_for(s, li) == []
    wang = await person(sf, "wang_qiang")
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="不能审核自己参与撰写、提交或豁免检查的稿件"):
            await queue.reassign(s, task.id, wang, li, now=NOW)
        assert [v.id for v in await queue.queue_for(s, wang)] == [task.id]


@pytest.mark.pg
async def test_only_the_claimant_decides(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf)
    task = (await _submit(sf, draft_id)).tasks[0]
    li, wang = await person(sf, "li_na"), await person(sf, "wang_qiang")
    async with sf.begin() as s:
        await queue.claim(s, task.id, li, now=NOW)
    for act in (
        lambda s: queue.approve(s, task.id, wang, now=NOW),
        lambda s: queue.reject(s, task.id, wang, "内容不妥需重写"),
        lambda s: queue.request_changes(s, task.id, wang, "请补充办理地点"),
        lambda s: queue.release(s, task.id, wang),
    ):
        async with sf.begin() as s:
            with pytest.raises(Forbidden, match="已由 李娜 认领，只有认领人可以处理"):
                await act(s)
    async with sf.begin() as s:
        with pytest.raises(Conflict, match="已由 李娜 认领"):
            await queue.claim(s, task.id, wang, now=NOW)
    async with sf() as s:
        view = await queue.task_view(s, task.id)
        assert (view.status, view.holder_name) == ("claimed", "李娜")
        assert "李娜" in view.next_step
    # the claimant releases; now the head may claim and send it back
    async with sf.begin() as s:
        released = await queue.release(s, task.id, li)
        assert released.status == "open" and released.claimed_by is None
    async with sf.begin() as s:
        await queue.claim(s, task.id, wang, now=NOW)
    async with sf.begin() as s:
        with pytest.raises(ValidationFailed, match="请填写"):
            await queue.request_changes(s, task.id, wang, "  ")
    async with sf.begin() as s:
        back = await queue.request_changes(s, task.id, wang, "请补充办理地点", now=NOW)
        assert back.status == "changes_requested" and back.note == "请补充办理地点"
    assert (await _draft(sf, draft_id)).status == "changes_requested"
    async with sf() as s:
        note = await s.scalar(select(Notification).where(Notification.kind == "draft_returned"))
        assert note is not None and "请补充办理地点" in note.text
    # re-submitting the same revision is refused: edit first
    zhao = await person(sf, "zhao_min")
    async with sf.begin() as s:
        with pytest.raises(ValidationFailed, match="请先修改"):
            await queue.submit(s, draft_id, zhao, gate=PASS)


@pytest.mark.pg
async def test_reject_stops_every_chain(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, accounts=("ccmz_wechat", "ccmz_weibo"))
    tasks = (await _submit(sf, draft_id)).tasks
    li = await person(sf, "li_na")
    async with sf.begin() as s:
        await queue.claim(s, tasks[0].id, li, now=NOW)
    async with sf.begin() as s:
        await queue.reject(s, tasks[0].id, li, "与本局职能无关", now=NOW)
    assert (await _draft(sf, draft_id)).status == "rejected"
    async with sf() as s:
        other = await s.get(ReviewTask, tasks[1].id)
        assert other is not None and other.status == "superseded"
        note = await s.scalar(select(Notification).where(Notification.kind == "draft_rejected"))
        assert note is not None
    zhao = await person(sf, "zhao_min")
    async with sf.begin() as s:
        with pytest.raises(Conflict, match="已被驳回"):
            await queue.submit(s, draft_id, zhao, gate=PASS)
