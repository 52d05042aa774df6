"""/console/publications: every post the reader may see, filtered (account, platform, state,
dates) and paged, the platform on each row; a post's own page holds the confirmation forms for
撤回 (retract), 更正 (draft a correction notice) and 核对 (settle a needs_check).

The forms call what chat and the CLI call: ``bot.publishing.service`` (retract, correct: the
platform call and the gate run between short transactions, so those routes hold none) and
``review.publishing.resolution.settle``; who may is decided there, its refusal is the notice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiMapping
from sqlalchemy.ext.asyncio import AsyncSession

from bot.preview.render import PLATFORM_LABELS
from bot.publishing import service
from bot.web.api_common import page_number, path_id, services
from bot.web.auth import console_action, console_page, csrf_token, flash, notice
from review import read_scope
from review.errors import DomainError
from review.models import Person
from review.publishing import resolution
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import directory
from review.store import publication_pages as pages
from review.store import publications as pstore
from review.timefmt import SHANGHAI, calendar_day, fmt, local_date

PER_PAGE = 30
P = PublicationStatus
#: 核对结果 as the settle form offers them (the CLI's words, in Chinese)
OUTCOMES = {
    "published": "已发出（填写链接或平台编号）",
    "failed": "未发出，也不再发（记为发布失败）",
    "retry": "未发出，重新发送",
}
CORRECT_WITH = "在发布记录 #{id} 的页面点「起草更正说明」"


def _day(text: str) -> date | None:
    try:
        return calendar_day(text) if text.strip() else None
    except ValueError:
        return None


def _midnight(day: date | None, *, after: bool = False) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1 if after else 0), time(), SHANGHAI)


def _filters(
    query: MultiMapping[str], accounts: dict[str, int]
) -> tuple[pages.Filters, dict[str, str]]:
    """The list's filters from the query string, and the ones understood (kept in links)."""
    raw = {k: query.get(k, "").strip() for k in ("account", "platform", "state", "since", "until")}
    kept = {k: v for k, v in raw.items() if v}
    if kept.get("account") not in accounts:
        kept.pop("account", None)
    if kept.get("platform") not in PLATFORM_LABELS:
        kept.pop("platform", None)
    if kept.get("state") not in {s.value for s in P}:
        kept.pop("state", None)
    since, until = _day(raw["since"]), _day(raw["until"])
    for key, day in (("since", since), ("until", until)):
        if day is None:
            kept.pop(key, None)
    f = pages.Filters(
        account_id=accounts.get(kept.get("account", "")),
        platform=kept.get("platform"),
        status=kept.get("state"),
        since=_midnight(since),
        until=_midnight(until, after=True),  # the day itself included
    )
    return f, kept


@console_page
async def listing(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    accounts = await directory.all_accounts(session)
    f, kept = _filters(request.query, {a.key: a.id for a in accounts})
    number = page_number(request.query.get("page", "1"))
    scope = read_scope.scope_for(person)
    rows, total = await pages.page(
        session, f, scope, offset=(number - 1) * PER_PAGE, limit=PER_PAGE
    )
    last = max(1, -(-total // PER_PAGE))

    def page_link(n: int) -> str:
        return "/console/publications?" + urlencode({**kept, "page": str(n)})

    ctx: dict[str, Any] = {
        "me": person, "csrf": await csrf_token(request), "flash": flash(request),
        "rows": rows, "total": total, "page": number, "last": last, "page_link": page_link,
        "kept": kept, "accounts": accounts, "platforms": PLATFORM_LABELS, "fmt": fmt,
        "labels": {str(k): v for k, v in PUBLICATION_LABELS.items()},
        "states": [s.value for s in P], "attention": {str(P.FAILED), str(P.NEEDS_CHECK)},
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_publications.html", request, ctx)


@console_page
async def detail(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    pub = await read_scope.publication(session, person, path_id(request))  # else 404
    context = (await pstore.load_context(session, [pub.id]))[pub.id]
    revision, account = context
    ctx: dict[str, Any] = {
        "me": person, "csrf": await csrf_token(request), "flash": flash(request),
        "p": pub, "title": revision.title, "account": account, "fmt": fmt,
        "platforms": PLATFORM_LABELS, "labels": {str(k): v for k, v in PUBLICATION_LABELS.items()},
        "outcomes": OUTCOMES, "settleable": {str(s) for s in resolution.SETTLEABLE},
        "here": request.path, "day": local_date(pub.published_at or pub.due_at).isoformat(),
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_publication.html", request, ctx)


async def _readable(request: web.Request, person: Person) -> int:
    """The publication's id once the person may read it (else 404, as if missing)."""
    async with services(request).sessions.begin() as session:
        return (await read_scope.publication(session, person, path_id(request))).id


async def _done(request: web.Request, pub_id: int, message: str) -> web.StreamResponse:
    async with services(request).sessions.begin() as session:
        await notice(session, request, message)
    raise web.HTTPSeeOther(f"/console/publications/{pub_id}")


@console_action
async def retract(request: web.Request, person: Person) -> web.StreamResponse:
    """撤回: deleted on the platform, then recorded (the chat's 撤回, ``publications retract``)."""
    form = await request.post()
    pub_id = await _readable(request, person)
    reason = str(form.get("reason") or "").strip()
    if not form.get("confirm"):
        return await _done(request, pub_id, "未执行：请勾选「确认从平台删除」后再撤回")
    try:
        message = await service.retract(
            services(request), pub_id, person.key, reason, correct_with=CORRECT_WITH
        )
    except DomainError as exc:
        message = f"未撤回：{exc.message}"
    return await _done(request, pub_id, message)


@console_action
async def correct(request: web.Request, person: Person) -> web.StreamResponse:
    """更正: a correction notice drafted and submitted to the account's chain (chat 更正)."""
    form = await request.post()
    pub_id = await _readable(request, person)
    text = str(form.get("correction") or "").strip()
    try:
        message = await service.correct(services(request), pub_id, person.key, text)
    except DomainError as exc:
        message = f"未起草：{exc.message}"
    return await _done(request, pub_id, message)


@console_page
async def settle(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """核对: what a person found on the platform for a needs_check (``publications settle``)."""
    form = await request.post()
    pub = await read_scope.publication(session, person, path_id(request))  # else 404
    outcome = str(form.get("outcome") or "")
    if outcome not in OUTCOMES:
        message = "未执行：请选择核对结果"
    else:
        try:
            async with session.begin_nested():  # a refusal leaves nothing behind
                message = await resolution.settle(
                    session,
                    pub.id,
                    person.key,
                    outcome,
                    note=str(form.get("note") or ""),
                    remote_id=str(form.get("remote_id") or "").strip() or None,
                    url=str(form.get("url") or "").strip() or None,
                    force=bool(form.get("force")),
                )
        except DomainError as exc:
            message = f"未执行：{exc.message}"
    await notice(session, request, message.replace("命令行加 --force", "勾选「确认重发」"))
    raise web.HTTPSeeOther(f"/console/publications/{pub.id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/console/publications", listing)
    app.router.add_get("/console/publications/{id:\\d+}", detail)
    app.router.add_post("/console/publications/{id:\\d+}/retract", retract)
    app.router.add_post("/console/publications/{id:\\d+}/correct", correct)
    app.router.add_post("/console/publications/{id:\\d+}/settle", settle)
