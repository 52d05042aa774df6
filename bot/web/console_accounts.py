"""/console/accounts: each account's owner department, last post, quiet days against the
14-day rule, token state (正常 / 即将过期 / 失效 — never the token) and the week's platform
errors. The rules are ``review.account_health``; this page only gathers what they read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.preview.render import PLATFORM_LABELS
from bot.web.api_common import services
from bot.web.auth import console_page, csrf_token, flash
from review import account_health as health
from review import read_scope
from review.inspection import VETO_QUIET_DAYS
from review.models import Account, Person
from review.store import account_health as store
from review.store import directory, tokens
from review.store import publications as pstore
from review.timefmt import fmt
from review.token_cipher import TokenCipher

WEEK = timedelta(days=7)
#: errors listed per account (the rest counted)
SHOWN_ERRORS = 5


async def _token(
    session: AsyncSession, app: web.Application, account: Account, now: datetime
) -> health.TokenState:
    settings = app[keys.SETTINGS]
    if account.platform != "wechat":
        secrets = settings.secrets.get(account.key)
        return health.weibo_token(bool(secrets and secrets.token))
    # read in the page's transaction (the token store's own session would wait on it): a row
    # no key opens is no token, as for the publisher; the token itself is never kept or shown
    stored = await tokens.get_token(session, account.key)
    opens = stored is not None and TokenCipher(settings.token_keys).decrypt(stored[0]) is not None
    expires_at = stored[1] if stored is not None and opens else None
    ahead = timedelta(seconds=settings.file.publishing.token_refresh_ahead_seconds)
    return health.wechat_token(expires_at, now, ahead)


@console_page
async def accounts_page(
    request: web.Request, session: AsyncSession, person: Person
) -> web.Response:
    now = services(request).clock()
    accounts = await directory.all_accounts(session)
    last = await pstore.last_published(session)
    scope = read_scope.scope_for(person)
    visible = await store.last_posts(session, accounts, scope)
    errors = await store.platform_errors(session, accounts, now - WEEK, scope)
    rows: list[health.AccountHealth] = []
    for a in accounts:
        department = await directory.department_by_id(session, a.owner_department_id)
        seen = visible.get(a.id)
        rows.append(
            health.AccountHealth(
                key=a.key,
                name=a.name,
                platform=a.platform,
                department=department.name if department else "",
                last_at=last.get(a.id),
                last_title=seen[1] if seen else None,
                last_publication_id=seen[0] if seen else None,
                quiet=health.quiet(last.get(a.id), a.created_at, now),
                token=await _token(session, request.app, a, now),
                errors=errors.get(a.id, []),
            )
        )
    ctx: dict[str, Any] = {
        "me": person, "csrf": await csrf_token(request), "flash": flash(request),
        "rows": rows, "platforms": PLATFORM_LABELS, "fmt": fmt, "limit": VETO_QUIET_DAYS,
        "shown": SHOWN_ERRORS,
    }  # fmt: skip
    return aiohttp_jinja2.render_template("console_accounts.html", request, ctx)


def setup(app: web.Application) -> None:
    app.router.add_get("/console/accounts", accounts_page)
