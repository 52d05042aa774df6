"""An in-memory ``TokenStore`` for tests, the sandbox demo and single-process tools.

The service keeps tokens in the database (one holder per account); this one only lives as long
as the process, which is exactly what a test wants.
"""

from __future__ import annotations

from datetime import datetime


class MemoryTokenStore:
    """Satisfies ``channels.base.TokenStore``; dict writes are atomic under asyncio."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, datetime]] = {}

    async def get(self, account_key: str) -> tuple[str, datetime] | None:
        return self._tokens.get(account_key)

    async def put(self, account_key: str, token: str, expires_at: datetime) -> None:
        self._tokens[account_key] = (token, expires_at)

    async def forget(self, account_key: str) -> None:
        """Drop a token (tests use it to simulate a lost DB row)."""
        self._tokens.pop(account_key, None)
