"""Leases, reassignment, edits after approval, the gate's block and a head's override."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from queue_support import PASS, fake_gate, new_draft, person, with_deputy_head
from sqlalchemy import select

from bot.config.load import Settings
from bot.platforms.limits import PLATFORM_LIMITS
from review import drafts, queue
from review.db import SessionFactory
from review.errors import Conflict, Forbidden, ValidationFailed
from review.models import AuditEvent, Draft, Notification, Publication, ReviewTask
from review.store import audit

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def _first_task(sf: SessionFactory, draft_id: int) -> ReviewTask:
    async with sf.begin() as s:
        result = await queue.submit(s, draft_id, await person(sf, "zhao_min"), gate=PASS)
    return result.tasks[0]


async def _actions(sf: SessionFactory) -> list[str]:
    async with sf() as s:
        return list((await s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))).all())


@pytest.mark.pg
async def test_expired_lease_returns_the_task(sf: SessionFactory) -> None:
    task = await _first_task(sf, await new_draft(sf))
    li, wang = await person(sf, "li_na"), await person(sf, "wang_qiang")
    async with sf.begin() as s:
        claimed = await queue.claim(s, task.id, li, lease=HOUR, now=NOW)
        assert claimed.lease_until == NOW + HOUR
    async with sf.begin() as s:
        assert await queue.expire_leases(s, now=NOW + 30 * timedelta(minutes=1)) == []
    # after the lease the claimant can no longer decide, even before the sweep runs
    async with sf.begin() as s:
        with pytest.raises(Conflict, match="到期"):
            await queue.approve(s, task.id, li, now=NOW + 2 * HOUR)
    async with sf.begin() as s:
        assert await queue.expire_leases(s, now=NOW + 2 * HOUR) == [task.id]
        assert await queue.expire_leases(s, now=NOW + 2 * HOUR) == []
    async with sf() as s:
        row = await s.get(ReviewTask, task.id)
        assert row is not None and (row.status, row.claimed_by) == ("open", None)
        views = await queue.queue_for(s, wang)
        assert [v.id for v in views] == [task.id] and views[0].status == "open"
    async with sf.begin() as s:
        taken = await queue.claim(s, task.id, wang, now=NOW + 2 * HOUR)
        assert taken.claimed_by == wang.id
    assert "task.lease_expired" in await _actions(sf)


@pytest.mark.pg
async def test_an_expired_claim_can_be_taken_over_before_the_sweep(sf: SessionFactory) -> None:
    task = await _first_task(sf, await new_draft(sf))
    li, wang = await person(sf, "li_na"), await person(sf, "wang_qiang")
    async with sf.begin() as s:
        await queue.claim(s, task.id, li, lease=HOUR, now=NOW)
    async with sf.begin() as s:
        taken = await queue.claim(s, task.id, wang, now=NOW + 2 * HOUR)
    assert taken.claimed_by == wang.id
    async with sf() as s:
        ev = (await audit.recent(s, action="task.claim", limit=1))[0]
        assert ev.detail["took_over_from_person_id"] == li.id


@pytest.mark.pg
async def test_claim_expiry_warning_is_sent_once(sf: SessionFactory) -> None:
    task = await _first_task(sf, await new_draft(sf))
    li = await person(sf, "li_na")
    async with sf.begin() as s:
        await queue.claim(s, task.id, li, lease=HOUR, now=NOW)
    window = timedelta(minutes=30)
    async with sf.begin() as s:
        assert await queue.warn_expiring(s, within=window, now=NOW) == []
        assert await queue.warn_expiring(s, within=window, now=NOW + 40 * timedelta(minutes=1)) == [
            task.id
        ]
        assert (
            await queue.warn_expiring(s, within=window, now=NOW + 45 * timedelta(minutes=1)) == []
        )
    async with sf() as s:
        notes = (
            await s.scalars(select(Notification).where(Notification.kind == "claim_expiring"))
        ).all()
        assert len(notes) == 1 and notes[0].person_id == li.id and "20 分钟" in notes[0].text


@pytest.mark.pg
async def test_head_reassigns(sf: SessionFactory) -> None:
    task = await _first_task(sf, await new_draft(sf))
    li, wang, chen = [await person(sf, k) for k in ("li_na", "wang_qiang", "chen_jing")]
    async with sf.begin() as s:
        await queue.claim(s, task.id, li, now=NOW)
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="负责人可以转派"):
            await queue.reassign(s, task.id, li, wang, now=NOW)
        with pytest.raises(Forbidden, match="负责人可以转派"):
            await queue.reassign(s, task.id, chen, chen, now=NOW)  # head, but of 保密办
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="不是该部门人员"):
            await queue.reassign(s, task.id, wang, chen, now=NOW)
    async with sf.begin() as s:
        moved = await queue.reassign(s, task.id, wang, wang, lease=HOUR, now=NOW)
    assert (moved.status, moved.claimed_by, moved.lease_until) == ("claimed", wang.id, NOW + HOUR)
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="已由 王强 认领"):
            await queue.approve(s, task.id, li, now=NOW)
        done = await queue.approve(s, task.id, wang, now=NOW)
        assert done.task.status == "approved"
    async with sf() as s:
        ev = (await audit.recent(s, action="task.reassign", limit=1))[0]
        assert ev.detail["status"] == "reassigned" and ev.detail["from_person_id"] == li.id
        note = await s.scalar(select(Notification).where(Notification.kind == "task_assigned"))
        assert note is not None and note.person_id == wang.id


@pytest.mark.pg
async def test_edit_after_approval_restarts_the_chain(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, accounts=("ccmz_weibo",))
    li, chen, zhao = [await person(sf, k) for k in ("li_na", "chen_jing", "zhao_min")]

    async def run_chain(first: ReviewTask) -> queue.ApproveResult:
        async with sf.begin() as s:
            await queue.claim(s, first.id, li, now=NOW)
            a = await queue.approve(s, first.id, li, now=NOW)
        assert a.next_task is not None
        async with sf.begin() as s:
            await queue.claim(s, a.next_task.id, chen, now=NOW)
            return await queue.approve(s, a.next_task.id, chen, now=NOW)

    old_first = await _first_task(sf, draft_id)
    done = await run_chain(old_first)
    assert done.draft_done and len(done.publications) == 1
    old_pub = done.publications[0]
    async with sf.begin() as s:
        _, rev2, was = await drafts.edit(
            s,
            zhao,
            draft_id,
            drafts.DraftInput(
                title="养老服务补贴申领指南（更新）", body="新正文", accounts=["ccmz_weibo"]
            ),
        )
        assert was == "scheduled"
    async with sf.begin() as s:
        resubmitted = await queue.submit(s, draft_id, zhao, gate=PASS)
    assert resubmitted.revision == 2 and len(resubmitted.tasks) == 1
    assert set(resubmitted.superseded) == {old_first.id, done.task.id}
    assert resubmitted.cancelled_publications == (old_pub.id,)
    async with sf() as s:
        old = (
            await s.scalars(
                select(ReviewTask).where(ReviewTask.revision_id == old_first.revision_id)
            )
        ).all()
        assert {t.status for t in old} == {"superseded"}
        pub = await s.get(Publication, old_pub.id)
        assert pub is not None and pub.status == "cancelled"
        d = await s.get(Draft, draft_id)
        assert d is not None and d.status == "in_review"
    # a stale task cannot be claimed or decided
    async with sf.begin() as s:
        with pytest.raises(Conflict, match="稿件已修改"):
            await queue.claim(s, old_first.id, li, now=NOW)
    again = await run_chain(resubmitted.tasks[0])
    assert again.draft_done
    async with sf() as s:
        new = (await s.scalars(select(ReviewTask).where(ReviewTask.revision_id == rev2.id))).all()
        assert {t.approved_hash for t in new} == {rev2.content_hash}
        assert rev2.content_hash != done.task.approved_hash
        pub = await s.get(Publication, old_pub.id)
        assert pub is not None and (pub.status, pub.revision_id) == ("scheduled", rev2.id)
        assert pub.idempotency_key.endswith("r2")
        assert await audit.verify(s) == (await audit.count(s), None)


@pytest.mark.pg
async def test_approval_of_an_edited_revision_is_refused(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf)
    task = await _first_task(sf, draft_id)
    li, zhao = await person(sf, "li_na"), await person(sf, "zhao_min")
    async with sf.begin() as s:
        await queue.claim(s, task.id, li, now=NOW)
    async with sf.begin() as s:  # edited, not yet re-submitted
        await drafts.edit(
            s,
            zhao,
            draft_id,
            drafts.DraftInput(title="改过的标题", body="改过", accounts=["ccmz_wechat"]),
        )
    async with sf.begin() as s:
        with pytest.raises(Conflict, match="稿件已修改，请查看新版本"):
            await queue.approve(s, task.id, li, now=NOW)
    async with sf() as s:
        row = await s.get(ReviewTask, task.id)
        assert row is not None and row.status == "claimed" and row.approved_hash is None
        view = await queue.task_view(s, task.id)
        assert not view.current and "新版本" in view.next_step


@pytest.mark.pg
async def test_blocked_draft_never_gets_tasks(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf)
    gate = fake_gate(block={"secrecy": "含涉密标识「内部资料」"}, warn={"wording": "疑似错敏词"})
    async with sf.begin() as s:
        result = await queue.submit(s, draft_id, await person(sf, "zhao_min"), gate=gate)
    assert result.blocked and result.verdict == "block" and result.tasks == ()
    assert result.reasons == ("含涉密标识「内部资料」",)
    li = await person(sf, "li_na")
    async with sf() as s:
        d = await s.get(Draft, draft_id)
        assert d is not None and d.status == "blocked"
        assert (await s.scalars(select(ReviewTask))).all() == []
        note = await s.scalar(select(Notification).where(Notification.kind == "draft_blocked"))
        assert note is not None and "内部资料" in note.text
        assert await queue.queue_for(s, li) == []


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_deputy_head(settings)  # else 王强's override would leave 终审 with nobody


@pytest.mark.pg
async def test_override_unblocks_exactly_that_check(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, kind="惩戒性公示")
    zhao, li, wang = [await person(sf, k) for k in ("zhao_min", "li_na", "wang_qiang")]
    both = fake_gate(block={"personal_data": "含身份证号", "secrecy": "含涉密标识"})
    async with sf.begin() as s:
        assert (await queue.submit(s, draft_id, zhao, gate=both)).blocked
    reason = "惩戒性公示依法须公开当事人信息，经局务会同意"
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match="不是部门负责人"):
            await queue.override(s, draft_id, li, "personal_data", reason)
        with pytest.raises(ValidationFailed, match="至少 10 个字"):
            await queue.override(s, draft_id, wang, "personal_data", "同意")
        with pytest.raises(ValidationFailed, match="没有拦截"):
            await queue.override(s, draft_id, wang, "wording", reason)
    async with sf.begin() as s:
        row = await queue.override(s, draft_id, wang, "personal_data", reason)
        assert row.head_id == wang.id
    async with sf.begin() as s:
        again = await queue.submit(s, draft_id, zhao, gate=both)
    assert (
        again.blocked
        and again.reasons == ("含涉密标识",)
        and again.overridden == ("personal_data",)
    )
    only_pd = fake_gate(block={"personal_data": "含身份证号"})
    async with sf.begin() as s:
        passed = await queue.submit(s, draft_id, zhao, gate=only_pd)
    assert not passed.blocked and passed.verdict == "warn" and len(passed.tasks) == 1
    async with sf() as s:
        view = await queue.task_view(s, passed.tasks[0].id)
        assert view.gate_verdict == "warn" and any("例外" in w for w in view.gate_warnings)
        assert await audit.verify(s) == (await audit.count(s), None)
    assert "draft.override" in await _actions(sf)


@pytest.mark.pg
async def test_default_gate_runs_on_the_revision(sf: SessionFactory) -> None:
    draft_id = await new_draft(sf, accounts=("ccmz_weibo",), title="#养老服务#补贴申领指南")
    async with sf.begin() as s:
        result = await queue.submit(
            s,
            draft_id,
            await person(sf, "zhao_min"),
            safe_domains={"ccmz_weibo": "mzj.changchun.gov.cn"},
            limits=PLATFORM_LIMITS,
        )
    # the real gate refuses a Weibo topic tag (the bureau's rule for API posts)
    assert result.blocked and any("#养老服务#" in r for r in result.reasons)
