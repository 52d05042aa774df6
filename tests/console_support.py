"""Signing in to the console as a browser does: the login page's CSRF token and pre-session
cookie, an Origin naming the service's ``public_url``, then the session's form token."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from bot import keys
from review.db import SessionFactory


def origin(client: TestClient) -> dict[str, str]:
    """The header a browser sends with a form on the service's own pages."""
    return {"Origin": client.app[keys.SETTINGS].file.service.public_url.rstrip("/")}


def form_token(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "the page carries a CSRF token for its forms"
    return match.group(1)


async def login_token(client: TestClient) -> str:
    """Open the login page (sets the pre-session cookie) and return its form token."""
    r = await client.get("/console/login")
    assert r.status == 200
    return form_token(await r.text())


async def issue(sf: SessionFactory, key: str) -> str:
    from review.store import directory

    async with sf.begin() as s:
        person = await directory.person_by_key(s, key)
        assert person is not None, key
        return await directory.issue_token(s, person)


async def sign_in(client: TestClient, sf: SessionFactory, key: str) -> str:
    """Sign ``key`` in with a fresh token; returns the CSRF token of the console's forms."""
    token = await issue(sf, key)
    form = {"token": token, "csrf": await login_token(client)}
    r = await client.post("/console/login", data=form, headers=origin(client))
    assert r.status == 200, await r.text()
    return form_token(await r.text())
