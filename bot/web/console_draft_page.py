"""The console's draft page: the text, every platform's preview, the gate's findings in Chinese
with their suggestions (and 「一键去标识化」 for personal data), where the draft stands against
submission (``review.submit_readiness``: no 提交审核 on a blocked draft, and why), its review
tasks with their actions, a head's override form, and the revision history with each
revision's changes against the one before (``bot.preview.diff``, the chat's sentence diff).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.preview.diff import Diff, compare
from bot.preview.render import findings as preview_findings
from bot.preview.service import Previews
from bot.web.api_common import path_id, services
from bot.web.auth import console_page, csrf_token, flash
from bot.web.task_choices import reassign_choices
from review import drafts, queue, read_scope
from review.checks import run_gate
from review.checks.labels import findings, verdict_label
from review.draft_access import ensure_manager
from review.errors import Forbidden
from review.models import Person, Revision
from review.store import drafts as dstore
from review.store import review as rstore
from review.submission import gate_input
from review.submit_readiness import judged_now, readiness
from review.timefmt import fmt
from review.views import draft_view


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    title: str
    at: str
    by: str
    content_hash: str
    #: against the revision before it (None for the first)
    diff: Diff | None
    #: the other fields an edit changed, in words (类型, 来源, 封面, 发布时间)
    also: tuple[str, ...]


def _also(old: Revision, new: Revision) -> tuple[str, ...]:
    out = []
    if old.kind != new.kind:
        out.append(f"类型：{old.kind} → {new.kind}")
    if (old.source or "") != (new.source or ""):
        out.append(f"来源：{old.source or '（无）'} → {new.source or '（无）'}")
    if (old.cover_path or "") != (new.cover_path or ""):
        out.append(f"封面：{old.cover_path or '（账号默认）'} → {new.cover_path or '（账号默认）'}")
    if old.publish_at != new.publish_at:
        before = fmt(old.publish_at) if old.publish_at else "按账号发布时段"
        after = fmt(new.publish_at) if new.publish_at else "按账号发布时段"
        out.append(f"发布时间：{before} → {after}")
    return tuple(out)


async def history(session: AsyncSession, draft_id: int) -> list[HistoryEntry]:
    """Newest first; each revision compared with the one before it."""
    revs = await dstore.revisions(session, draft_id)
    names: dict[int, str] = {}
    out: list[HistoryEntry] = []
    previous: Revision | None = None
    for rev in revs:
        if rev.created_by not in names:
            person = await session.get(Person, rev.created_by)
            names[rev.created_by] = person.name if person else ""
        diff = None
        if previous is not None:
            diff = compare(
                previous.number, previous.title, previous.body, rev.number, rev.title, rev.body
            )
        also = _also(previous, rev) if previous is not None else ()
        out.append(
            HistoryEntry(
                rev.number, rev.title, fmt(rev.created_at), names[rev.created_by],
                rev.content_hash, diff, also,
            )
        )  # fmt: skip
        previous = rev
    return out[::-1]


async def _manages(session: AsyncSession, person: Person, draft_id: int) -> bool:
    draft, _ = await drafts.load(session, draft_id)
    try:
        await ensure_manager(
            session, person, draft, await dstore.target_accounts(session, draft_id), "submit"
        )
    except Forbidden:
        return False
    return True


@console_page
async def show(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    draft_id = path_id(request)
    await read_scope.draft(session, person, draft_id)  # else 404, as if missing
    draft, rev = await drafts.load(session, draft_id)
    view = await draft_view(session, draft, rev, full=True)
    task_rows = await rstore.tasks_of_revision(session, rev.id)
    tasks = await queue.task_views(session, [t.id for t in task_rows])
    overrides = {o.check_name for o in await rstore.overrides_for(session, rev.id)}
    report, live = view["gate_report"], view["gate_report"] is None
    if live:  # saved, never submitted: judged now, as a submission would be (nothing stored)
        svc = services(request)
        accounts = await dstore.target_accounts(session, draft_id)
        gate = gate_input(rev, accounts, svc.safe_domains)
        report = run_gate(gate, limits=svc.platform_limits).to_json()
    ready = readiness(draft.status, rev.number, view["gate_report"], overrides, len(tasks))
    if live:
        ready = judged_now(ready, report, overrides)
    view["status_label"] = ready.label or view["status_label"]
    previews = await Previews(services(request)).for_draft(session, rev, person.id)
    if live:
        said = preview_findings(report)
        previews = [replace(shown, findings=said, checked=True) for shown in previews]
    found = findings(report)
    ctx: dict[str, Any] = {
        "d": view,
        "tasks": tasks,
        "previews": previews,
        "findings": found,
        "ready": ready,
        "may_submit": ready.offer_submit and await _manages(session, person, draft_id),
        # a head may override what the gate marks overridable (the domain decides the rest)
        "overridable": [
            f
            for f in found
            if f.verdict == "block"
            and f.overridable
            and not f.overridden
            and f.name not in overrides
            and person.has_role("head")
        ],
        "maskable": any(f.maskable for f in found)
        and draft.status not in ("rejected", "submitted"),
        "history": await history(session, draft_id),
        "choices": await reassign_choices(session, person, tasks),
        "me": person,
        "csrf": await csrf_token(request),
        "fmt": fmt,
        "verdict_label": verdict_label,
        "gate_verdict": str(report["verdict"]) if live and report else view["gate"],
        "gate_live": live,
        "flash": flash(request),
    }
    return aiohttp_jinja2.render_template("console_draft.html", request, ctx)


def setup(app: web.Application) -> None:
    app.router.add_get("/console/drafts/{id:\\d+}", show)
