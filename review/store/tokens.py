"""The platform access tokens in the database: one holder per account (DESIGN §3).

``DbTokenStore`` satisfies ``channels.base.TokenStore``. Every API call asks for the token, so a
short in-process cache keeps the database out of the hot path; a token another replica refreshed
is picked up within ``cache_seconds`` (stable_token's normal mode keeps the old one valid
meanwhile, and a refused token makes the client refresh anyway).

The column holds ciphertext only (``review.token_cipher``): a row no key opens reads as no
token, so the client fetches a fresh one and the next ``put`` replaces it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from review.db import SessionFactory
from review.models import AccessToken, utcnow
from review.token_cipher import TokenCipher

log = logging.getLogger("newmedia.tokens")


async def get_token(session: AsyncSession, account_key: str) -> tuple[str, datetime] | None:
    """The stored (encrypted) token and its expiry."""
    row = await session.get(AccessToken, account_key)
    return None if row is None else (row.token, row.expires_at)


async def put_token(
    session: AsyncSession, account_key: str, token: str, expires_at: datetime
) -> None:
    """Upsert the stored (encrypted) token: two replicas refreshing at once must not collide
    on the primary key."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    stmt = insert(AccessToken).values(
        account_key=account_key, token=token, expires_at=expires_at, updated_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[AccessToken.account_key],
        set_={"token": token, "expires_at": expires_at, "updated_at": now},
    )
    await session.execute(stmt)


async def expiring(session: AsyncSession, before: datetime) -> list[str]:
    """Account keys whose stored token runs out before ``before``."""
    rows = await session.scalars(
        select(AccessToken.account_key).where(AccessToken.expires_at < before)
    )
    return list(rows.all())


class DbTokenStore:
    """``TokenStore`` on the ``access_tokens`` table, encrypted, with a small read cache."""

    def __init__(
        self, sessions: SessionFactory, cipher: TokenCipher, *, cache_seconds: float = 30.0
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, tuple[str, datetime] | None]] = {}
        #: accounts whose unreadable row was logged already (once per process is enough)
        self._unreadable: set[str] = set()

    async def get(self, account_key: str) -> tuple[str, datetime] | None:
        hit = self._cache.get(account_key)
        if hit is not None and time.monotonic() - hit[0] < self._cache_seconds:
            return hit[1]
        async with self._sessions() as session:
            stored = await get_token(session, account_key)
        value = None if stored is None else self._open(account_key, *stored)
        self._cache[account_key] = (time.monotonic(), value)
        return value

    def _open(
        self, account_key: str, stored: str, expires_at: datetime
    ) -> tuple[str, datetime] | None:
        token = self._cipher.decrypt(stored)
        if token is not None:
            return token, expires_at
        if account_key not in self._unreadable:
            self._unreadable.add(account_key)
            log.warning(
                "stored access token of %s cannot be decrypted (NEWMEDIA_TOKEN_KEY changed?); "
                "fetching a new one",
                account_key,
            )
        return None

    async def put(self, account_key: str, token: str, expires_at: datetime) -> None:
        stored = self._cipher.encrypt(token)
        async with self._sessions.begin() as session:
            await put_token(session, account_key, stored, expires_at)
        self._cache[account_key] = (time.monotonic(), (token, expires_at))

    def forget(self, account_key: str) -> None:
        self._cache.pop(account_key, None)
