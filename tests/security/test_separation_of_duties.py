"""Separation of duties: nobody who wrote ANY revision of a draft, submitted it or overrode one of
its checks claims or approves any of its stages — through chat, the console, the JSON API and
the CLI alike, with the same Chinese reason; the notifier does not hand them the task; and the
guarded SQL ``UPDATE`` refuses them even when a check was raced.

In these tests 李娜 (办公室 reviewer) and 王强 (办公室 head) also hold the editor role, so they
can write a revision of 赵敏's draft or submit it; 张伟 is a second 办公室 head.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from app_support import bearer, run_cli
from chat_support import Service, start
from console_support import origin, sign_in
from queue_support import PASS, fake_gate, new_draft, person

from bot.chat.ticks import deliver_notifications
from bot.config.load import Settings
from review import drafts, queue
from review.db import SessionFactory
from review.errors import Forbidden
from review.models import GateRun, Override, ReviewTask, utcnow
from review.states import TaskStatus as T
from review.store import review as rstore

REASON = "不能审核自己参与撰写、提交或豁免检查的稿件"
WECOM = {"li_na": "LiNa", "wang_qiang": "WangQiang"}
BLOCK = fake_gate(block={"personal_data": "正文含身份证号"})


@pytest.fixture
def settings(settings: Settings) -> Settings:
    people = dict(settings.people)
    for key in ("li_na", "wang_qiang"):
        people[key] = people[key].model_copy(update={"roles": (*people[key].roles, "editor")})
    # a second 办公室 head: else 王强's own revision, submission or override would leave 终审
    # with nobody to review it, and is refused up front (test_override_staffing)
    people["zhang_wei"] = people["wang_qiang"].model_copy(
        update={"key": "zhang_wei", "name": "张伟", "wecom": "ZhangWei", "roles": ("head",)}
    )
    return replace(settings, people=people)


@pytest.fixture
async def service(settings: Settings, sf: SessionFactory) -> AsyncIterator[Service]:
    async for svc in start(settings, sf):
        yield svc


async def write(sf: SessionFactory, draft_id: int, key: str) -> None:
    """``key`` saves the draft's next revision."""
    async with sf.begin() as s:
        who = await person(sf, key)
        inp = drafts.DraftInput(
            title=f"养老服务补贴申领指南（{key} 修改）",
            body="市民政局发布养老服务补贴申领流程。",
            accounts=["ccmz_wechat"],
            cover_path="covers/a.png",
        )
        await drafts.edit(s, await s.merge(who), draft_id, inp)


async def submit(sf: SessionFactory, draft_id: int, key: str, gate=PASS) -> list[int]:  # type: ignore[no-untyped-def]
    async with sf.begin() as s:
        result = await queue.submit(s, draft_id, await s.merge(await person(sf, key)), gate=gate)
        return [t.id for t in result.tasks]


async def approve(sf: SessionFactory, task_id: int, key: str) -> int:
    """``key`` claims and approves; returns the next stage's task."""
    who = await person(sf, key)
    async with sf.begin() as s:
        await queue.claim(s, task_id, who)
    async with sf.begin() as s:
        result = await queue.approve(s, task_id, who, "同意")
        assert result.next_task is not None
        return result.next_task.id


async def earlier_writer(sf: SessionFactory, key: str) -> int:
    """赵敏 writes revision 1, ``key`` revision 2, 赵敏 revision 3 and submits it."""
    draft_id = await new_draft(sf)
    await write(sf, draft_id, key)
    await write(sf, draft_id, "zhao_min")
    return (await submit(sf, draft_id, "zhao_min"))[0]


async def submitter(sf: SessionFactory, key: str) -> int:
    """赵敏 writes every revision; ``key`` submits it."""
    return (await submit(sf, await new_draft(sf), key))[0]


async def override_er(sf: SessionFactory, key: str) -> int:
    """The gate blocks 赵敏's draft; head ``key`` overrides the check; 赵敏 submits again."""
    draft_id = await new_draft(sf)
    assert await submit(sf, draft_id, "zhao_min", BLOCK) == []
    async with sf.begin() as s:
        head = await s.merge(await person(sf, key))
        await queue.override(s, draft_id, head, "personal_data", "依法公开的惩戒信息，经局务会同意")
    return (await submit(sf, draft_id, "zhao_min", BLOCK))[0]


async def task_row(sf: SessionFactory, task_id: int) -> ReviewTask:
    async with sf() as s:
        task = await rstore.get_task(s, task_id)
        assert task is not None
        return task


async def refused_everywhere(
    service: Service, capsys: pytest.CaptureFixture[str], task_id: int, key: str
) -> None:
    """Claim and approve through every surface; each is refused with the reason, nothing moves."""
    phone = service.phone(WECOM[key])
    for command in ("认领", "通过"):
        reply = await phone.send_text(f"{command} {task_id}")
        assert reply.text is not None and REASON in reply.text, (command, reply.text)

    client, headers = service.client, await bearer(service.sf, key)
    for action in ("claim", "approve"):
        r = await client.post(f"/api/tasks/{task_id}/{action}", headers=headers)
        body = await r.json()
        assert r.status == 403 and body["message"] == REASON, (action, body)

    client.session.cookie_jar.clear()
    csrf = await sign_in(client, service.sf, key)
    for action in ("claim", "approve"):
        r = await client.post(
            f"/console/tasks/{task_id}/{action}", data={"csrf": csrf}, headers=origin(client)
        )
        assert r.status == 200 and REASON in await r.text(), action
    client.session.cookie_jar.clear()

    for action in ("claim", "approve"):
        code, _, err = await asyncio.to_thread(
            run_cli, capsys, "review", action, str(task_id), "--as", key
        )
        assert code == 2 and REASON in err, (action, err)

    task = await task_row(service.sf, task_id)
    assert (task.status, task.claimed_by) == ("open", None)


@pytest.fixture
def cli(
    cli_workdir: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Path:  # the CLI on the test's database, as an operator on the server runs it
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", settings.database_url)
    return cli_workdir


Scenario = Callable[[SessionFactory, str], Awaitable[int]]


@pytest.mark.parametrize(
    ("scenario", "involved", "other"),
    [
        (earlier_writer, "li_na", "wang_qiang"),
        (earlier_writer, "wang_qiang", "li_na"),
        (submitter, "wang_qiang", "li_na"),
        (override_er, "wang_qiang", "li_na"),
    ],
    ids=["wrote-revision-2-reviewer", "wrote-revision-2-head", "submitted", "overrode"],
)
async def test_nobody_involved_claims_or_approves_any_stage(
    service: Service,
    cli: Path,
    capsys: pytest.CaptureFixture[str],
    scenario: Scenario,
    involved: str,
    other: str,
) -> None:
    first = await scenario(service.sf, involved)
    await refused_everywhere(service, capsys, first, involved)  # 初审
    final = await approve(service.sf, first, other)
    assert (await task_row(service.sf, final)).stage_name == "终审"
    await refused_everywhere(service, capsys, final, involved)  # 终审
    async with service.sf() as s:
        assert final not in [
            v.id for v in await queue.queue_for(s, await person(service.sf, involved))
        ]


async def test_the_notifier_does_not_hand_the_task_to_an_earlier_writer(service: Service) -> None:
    first = await earlier_writer(service.sf, "li_na")
    await deliver_notifications(service.app)
    waiting = f"待审任务 {first}"
    assert any(waiting in t for t in service.texts("WangQiang"))
    assert not any(waiting in t for t in service.texts("LiNa"))
    assert not any(m.body.get("template_card") for m in service.cards("LiNa"))


NOW = utcnow()


@pytest.mark.pg
async def test_the_guarded_update_refuses_the_involved(sf: SessionFactory) -> None:
    """The SQL backstop on its own: a claim, a decision and a hand-over to an involved person
    change no row, even when the involvement landed after the rule was asked."""
    first = await earlier_writer(sf, "li_na")
    li, wang = await person(sf, "li_na"), await person(sf, "wang_qiang")
    until = NOW + timedelta(hours=1)
    async with sf.begin() as s:
        assert not await rstore.claim(s, first, li.id, until=until, now=NOW)
        assert await rstore.queue_ids(s, li, include_head_stages=False) == []
        assert not await rstore.reassign(
            s, first, expected=T.OPEN, holder=None, to_id=li.id, until=until
        )
    assert (await task_row(sf, first)).status == "open"

    async with sf.begin() as s:  # 王强 claims, not involved yet …
        assert await rstore.claim(s, first, wang.id, until=until, now=NOW)
    task = await task_row(sf, first)
    async with sf.begin() as s:  # … then his override of a check lands (a raced change)
        s.add(Override(revision_id=task.revision_id, check_name="wording", head_id=wang.id,
                       reason="竞态中落下的例外审批"))  # fmt: skip
    async with sf.begin() as s:
        assert not await rstore.decide(s, first, wang.id, T.APPROVED, now=NOW, note=None)
    async with sf.begin() as s:
        with pytest.raises(Forbidden, match=REASON):
            await queue.approve(s, first, wang, now=NOW)
    assert (await task_row(sf, first)).status == "claimed"


@pytest.mark.pg
async def test_a_submission_alone_makes_the_update_refuse(sf: SessionFactory) -> None:
    first = (await submit(sf, await new_draft(sf), "zhao_min"))[0]
    wang = await person(sf, "wang_qiang")
    task = await task_row(sf, first)
    async with sf.begin() as s:
        s.add(GateRun(revision_id=task.revision_id, verdict="pass", report={},
                      submitted_by=wang.id))  # fmt: skip
    async with sf.begin() as s:
        assert not await rstore.claim(s, first, wang.id, until=NOW + timedelta(hours=1), now=NOW)
