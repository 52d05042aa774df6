"""Thin async client for the Weibo v2 endpoints the bot uses.

Weibo tokens for the bureau's own account last years and cannot be refreshed by API, so a
refused token is ``AuthExpired`` at once: an admin re-authorises the app.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from channels.base import Transient, failed_call
from channels.http import Session, join_url, request_json
from channels.weibo.endpoints import EFFECTS
from channels.weibo.errors import code_of, error_for

log = logging.getLogger("channels.weibo")

DEFAULT_BASE_URL = "https://api.weibo.com"
#: the fan service's own host (粉丝服务 active replies, platforms.md §3.5)
DEFAULT_MESSAGES_URL = "https://m.api.weibo.com"


class WeiboAPI:
    """One Weibo account. ``rip`` is the real client IP Weibo requires on every write."""

    platform = "weibo"

    def __init__(
        self,
        account_key: str,
        access_token: str,
        *,
        rip: str,
        base_url: str = DEFAULT_BASE_URL,
        messages_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.account_key = account_key
        self._token = access_token
        self.rip = rip
        self.base_url = base_url
        #: a sandbox serves both hosts under one base
        self.messages_url = messages_url or (
            DEFAULT_MESSAGES_URL if base_url == DEFAULT_BASE_URL else base_url
        )
        self._http = Session(session, timeout)

    def __repr__(self) -> str:  # never show the token
        return f"WeiboAPI(account_key={self.account_key!r})"

    async def close(self) -> None:
        await self._http.close()

    async def call(
        self, method: str, endpoint: str, params: dict[str, str], *, base: str | None = None
    ) -> dict[str, Any]:
        """GET with a query or POST a form; an ``error_code`` body raises from the closed set."""
        fields = {**params, "access_token": self._token}
        try:
            status, data = await request_json(
                self._http,
                method,
                join_url(base or self.base_url, "/2/" + endpoint),
                platform=self.platform,
                endpoint=endpoint,
                params=fields if method == "GET" else None,
                form=fields if method == "POST" else None,
            )
        except Transient as exc:
            classified = failed_call(
                EFFECTS, endpoint, exc
            )  # endpoints.py: what a failure here may mean
            if classified is exc:
                raise
            raise classified from None
        code = code_of(data)
        if code is not None:
            log.warning("weibo %s failed for %s: error_code %s", endpoint, self.account_key, code)
            raise error_for(code, str(data.get("error", "")), endpoint, status=status)
        return data

    async def share(self, status: str) -> dict[str, Any]:
        """``statuses/share``: ≤140 characters, with a link on the app's safe domain."""
        return await self.call("POST", "statuses/share.json", {"status": status, "rip": self.rip})

    async def destroy(self, status_id: str) -> dict[str, Any]:
        return await self.call("POST", "statuses/destroy.json", {"id": status_id})

    async def user_timeline(self, *, count: int = 50, page: int = 1) -> dict[str, Any]:
        """The account's own recent statuses, newest first."""
        params = {"count": str(count), "page": str(page)}
        return await self.call("GET", "statuses/user_timeline.json", params)

    async def listing(
        self,
        endpoint: str,
        *,
        since_id: str | None = None,
        max_id: str | None = None,
        count: int = 50,
    ) -> dict[str, Any]:
        """One page, newest first, of ``comments/to_me``, ``statuses/mentions`` or
        ``comments/mentions``: newer than ``since_id``, at most ``max_id``."""
        params = {"count": str(count)}
        if since_id:
            params["since_id"] = since_id
        if max_id:
            params["max_id"] = max_id
        return await self.call("GET", endpoint, params)

    async def comments_to_me(
        self, *, since_id: str | None = None, max_id: str | None = None, count: int = 50
    ) -> dict[str, Any]:
        """Comments on the account's statuses."""
        return await self.listing(
            "comments/to_me.json", since_id=since_id, max_id=max_id, count=count
        )

    async def reply_comment(self, cid: str, status_id: str, comment: str) -> dict[str, Any]:
        params = {"cid": cid, "id": status_id, "comment": comment, "rip": self.rip}
        return await self.call("POST", "comments/reply.json", params)

    async def create_comment(self, status_id: str, comment: str) -> dict[str, Any]:
        """``comments/create``: a comment under a status (one that @mentioned the account)."""
        params = {"id": status_id, "comment": comment, "rip": self.rip}
        return await self.call("POST", "comments/create.json", params)

    async def send_message(self, receiver_id: str, text: str) -> dict[str, Any]:
        """Fan-service ``messages/reply``: a private text message (< 300 字) inside the 48 h
        after the citizen wrote; ``data`` is JSON, form-encoded by the client."""
        params = {
            "type": "text",
            "data": json.dumps({"text": text}, ensure_ascii=False),
            "receiver_id": receiver_id,
            "save_sender_box": "1",
        }
        return await self.call("POST", "messages/reply.json", params, base=self.messages_url)
