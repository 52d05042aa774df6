"""``/console/drafts``: the drafts a person may read (``review.read_scope``), as tabs — mine, my
department's, all — filtered by status and by words in the title or body, a page at a time
with plain links (no JavaScript). The query is ``review.store.draft_search``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.api_common import page_number
from bot.web.auth import console_page, csrf_token, flash
from review import read_scope
from review.checks.labels import verdict_label
from review.models import Person
from review.states import DRAFT_LABELS
from review.store.draft_search import WHOSE, DraftQuery, Whose, search
from review.timefmt import fmt
from review.views import draft_view

PER_PAGE = 20
WHOSE_LABELS = {"mine": "我的稿件", "department": "本部门", "all": "全部可见"}
#: the longest search text kept (a title is at most 200 characters)
MAX_TEXT = 100


def _query(request: web.Request, person: Person) -> DraftQuery:
    """The query string read leniently: anything unknown falls back to the default (an
    editor's own drafts; a reviewer, who writes none, sees the department's)."""
    default: Whose = "mine" if person.has_role("editor") else "department"
    whose_raw = request.query.get("whose", default)
    whose: Whose = next((w for w in WHOSE if w == whose_raw), default)
    status = request.query.get("status") or None
    if status not in {str(s) for s in DRAFT_LABELS}:
        status = None
    page = page_number(request.query.get("page", "1"))
    text = request.query.get("q", "").strip()[:MAX_TEXT]
    return DraftQuery(whose=whose, status=status, text=text, page=page, per_page=PER_PAGE)


def _link(q: DraftQuery, **change: Any) -> str:
    params = {"whose": q.whose, "status": q.status or "", "q": q.text, "page": q.page}
    params.update(change)
    kept = {k: v for k, v in params.items() if v not in ("", None, 1) or k == "whose"}
    return "/console/drafts?" + urlencode(kept)


def _window(page: int, pages: int) -> list[int]:
    """The page numbers linked: the first, the last and three either side of this one."""
    return sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})


@console_page
async def listing(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    q = _query(request, person)
    rows, total = await search(session, read_scope.scope_for(person), q)
    pages = max(1, -(-total // q.per_page))
    ctx: dict[str, Any] = {
        "q": q,
        "drafts": [await draft_view(session, d) for d in rows],
        "total": total,
        "pages": pages,
        "tabs": [(w, WHOSE_LABELS[w], _link(q, whose=w, page=1)) for w in WHOSE],
        "states": [(str(s), label) for s, label in DRAFT_LABELS.items()],
        "prev_link": _link(q, page=q.page - 1) if q.page > 1 else None,
        "next_link": _link(q, page=q.page + 1) if q.page < pages else None,
        "page_links": [(n, _link(q, page=n)) for n in _window(q.page, pages)],
        "me": person,
        "csrf": await csrf_token(request),
        "fmt": fmt,
        "verdict_label": verdict_label,
        "flash": flash(request),
    }
    return aiohttp_jinja2.render_template("console_drafts.html", request, ctx)


def setup(app: web.Application) -> None:
    app.router.add_get("/console/drafts", listing)
