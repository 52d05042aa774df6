"""The seed's clocks as ticks: a published 规范性文件 still without its 政策解读 reminds the
drafting department (once when it goes out, once when the working days run out), and each
department head gets the weekly digest once per ISO week at the configured weekday and time.

Both are notifications with a dedup key (``interpretation:<draft>:<state>``,
``digest:<department>:<ISO week>``) stored in a savepoint, so a tick firing twice, on two
replicas or after a restart tells staff once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.clocks.policy import interpretation_policy
from bot.config.load import Settings
from bot.jobs import TickSpec
from bot.services import Services
from review import digest, interpretations
from review.interpretations import DUE, OVERDUE, Assessment, Policy
from review.notify import notify
from review.store import digest as digest_store
from review.timefmt import short_time

log = logging.getLogger("newmedia.clocks")


async def interpretation_clock(app: web.Application) -> None:
    await run_interpretation_clock(app[keys.SERVICES], interpretation_policy(app[keys.SETTINGS]))


async def run_interpretation_clock(services: Services, policy: Policy) -> int:
    """Remind each drafting department of its 规范性文件 without a 解读. Returns the reminders
    stored now (0 when every one was stored before)."""
    now = services.clock()
    stored = 0
    async with services.sessions.begin() as session:
        for item in await interpretations.outstanding_in(session, now, policy):
            if item.state in (DUE, OVERDUE):
                stored += await _remind(session, item, policy)
    return stored


def reminder_text(item: Assessment, policy: Policy) -> str:
    doc = item.doc
    if item.state == OVERDUE:
        return (
            f"规范性文件 #{doc.draft_id}「{doc.title}」{short_time(doc.published_at)} 已发布，"
            f"其政策解读未在 {policy.working_days} 个工作日内（{short_time(item.deadline)} 前）发布。"
            f"谁起草、谁解读：请{doc.department}尽快发布政策解读（新建稿件时用 --interprets {doc.draft_id}）。"
        )
    return (
        f"规范性文件 #{doc.draft_id}「{doc.title}」已发布，请{doc.department}在 "
        f"{short_time(item.deadline)} 前发布其政策解读（{policy.working_days} 个工作日内；"
        f"新建稿件时用 --interprets {doc.draft_id}）。"
    )


async def _remind(session: AsyncSession, item: Assessment, policy: Policy) -> int:
    kind = "interpretation_overdue" if item.state == OVERDUE else "interpretation_due"
    key = f"interpretation:{item.doc.draft_id}:{item.state}"
    try:
        async with session.begin_nested():
            row = await notify(
                session,
                kind=kind,
                subject=f"draft:{item.doc.draft_id}",
                text=reminder_text(item, policy),
                department_id=item.doc.department_id,
                payload={"draft_id": item.doc.draft_id, "deadline": item.deadline.isoformat()},
                dedup_key=key,
            )
    except IntegrityError:
        log.info("reminder %s already stored by another worker", key)
        return 0
    return int(row is not None)


async def weekly_digest(app: web.Application) -> None:
    await run_weekly_digest(app[keys.SERVICES], app[keys.SETTINGS])


async def run_weekly_digest(
    services: Services, settings: Settings, now: datetime | None = None
) -> dict[str, str]:
    """Department key → "sent" / "already" / "no_head"; empty when the digest is not due.
    Departments whose digest of this week is stored are skipped before anything is read."""
    cfg = settings.file.digest
    now = now or services.clock()
    if not cfg.enabled or not digest.due(now, cfg.weekday, cfg.time):
        return {}
    year, week, _ = digest.week_of(now)
    async with services.sessions() as session:
        departments = await digest_store.all_departments(session)
        keys_ = {d.key: digest.dedup_key(d.key, year, week) for d in departments}
        done = await digest_store.stored_keys(session, list(keys_.values()))
    out: dict[str, str] = {}
    for department in departments:
        if keys_[department.key] in done:
            continue
        async with services.sessions.begin() as session:  # one department per transaction
            facts = await digest.collect(session, department, now, cfg.window_hours)
            out[department.key] = await digest.send(session, department, facts)
    return out


def tick_specs(app: web.Application) -> list[TickSpec]:
    return [
        TickSpec("interpretation_clock", 3600.0, interpretation_clock),
        TickSpec("weekly_digest", 600.0, weekly_digest),
    ]
