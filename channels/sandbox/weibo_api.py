"""A fake of the Weibo v2 endpoints the bot uses (mounted at ``.../weibo``; the fan service's
``messages/reply``, on m.api.weibo.com in production, is served under the same base).

Accounts are found by access token, as on the real API. ``statuses/share`` enforces the two rules
that bite in production: at most 140 characters (20012) and a link on the app's safe domain
(10017); ``statuses/update`` is gone (10014). Comments we write (reply, create) count against
``weibo_comments_per_hour`` (10024); a private message needs the citizen to have written within
``cs_window`` (``NO_MESSAGE_QUOTA``). Citizens @mention the account with ``mention_in_status`` and
``mention_in_comment``.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from channels.sandbox.config import SandboxConfig
from channels.sandbox.faults import Faults
from channels.sandbox.persistence import SandboxStore
from channels.sandbox.platform import ACCOUNT, PAYLOAD, PlatformSandbox, SandboxError
from channels.sandbox.recorder import Recorder
from channels.sandbox.weibo_citizens import (
    add_other,
    at_account,
    mention_in_comment,
    private_message,
)
from channels.sandbox.weibo_state import (
    Comment,
    OtherStatus,
    Status,
    WeiboState,
    dump,
    restore,
)
from channels.sandbox.weibo_views import any_status, comment_json, listing, status_json, weibo_time

__all__ = ["Comment", "Status", "WeiboSandbox", "WeiboState", "weibo_time"]

URL_RE = re.compile(r"https?://[^\s，。）)]+")
NOT_FOUND = 20101
TOO_LONG = "Text too long, please input text less than 140 characters!"


class WeiboSandbox(PlatformSandbox):
    platform = "weibo"

    def __init__(
        self,
        config: SandboxConfig,
        faults: Faults,
        recorder: Recorder,
        store: SandboxStore | None = None,
    ) -> None:
        super().__init__(config, faults, recorder, store)
        self.accounts = {a.account_key: WeiboState(a) for a in config.weibo}
        self._by_token = {s.account.access_token: s for s in self.accounts.values()}
        self._ids = self.load_ids(5_000_000_000_000_001)
        self.load_states(self.accounts, restore)

    def documents(self, account: str | None) -> dict[str, dict[str, Any]]:
        return self.state_documents(self._ids, self.accounts, account, dump)

    def error_response(self, error: SandboxError, endpoint: str) -> web.Response:
        body = {"request": "/" + endpoint, "error_code": error.code, "error": error.message}
        return web.json_response(body, status=403 if error.code in (21327, 21332) else 400)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/2/statuses/share.json", self.share),
            web.post("/2/statuses/update.json", self.gone),
            web.post("/2/statuses/destroy.json", self.destroy),
            web.get("/2/statuses/user_timeline.json", self.user_timeline),
            web.get("/2/comments/to_me.json", self.comments_to_me),
            web.get("/2/statuses/mentions.json", self.statuses_mentions),
            web.get("/2/comments/mentions.json", self.comments_mentions),
            web.post("/2/comments/reply.json", self.reply),
            web.post("/2/comments/create.json", self.create),
            web.post("/2/messages/reply.json", self.message),
        ]

    # ---- helpers tests and simulators use -----------------------------------------------------

    def state(self, account_key: str) -> WeiboState:
        return self.accounts[account_key]

    def next_id(self) -> int:
        """The next status / comment id (one counter, as Weibo's ids only grow)."""
        return self._ids.take()

    def add_comment(
        self,
        account_key: str,
        status_id: int | str,
        text: str,
        *,
        user_id: str = "6000000001",
        user_name: str = "热心网友",
    ) -> int:
        """A citizen comments on one of the account's statuses; returns the comment id."""
        state = self.accounts[account_key]
        comment = Comment(self._ids.take(), int(status_id), user_id, user_name, text, self.now())
        state.comments.append(comment)
        state.comment_ids.append(comment.id)
        state.by_comment[comment.id] = comment
        self.save(account_key)
        return comment.id

    def mention_in_status(
        self, account_key: str, text: str, *, user: tuple[str, str] = ("6000000002", "市民小王")
    ) -> int:
        """A citizen posts a status that @mentions the account; returns the status id."""
        state = self.accounts[account_key]
        text = at_account(state, text)
        status = add_other(state, OtherStatus(self._ids.take(), *user, text, self.now()))
        self.save(account_key)
        return status.id

    def mention_in_comment(
        self,
        account_key: str,
        text: str,
        *,
        status_id: int | str | None = None,
        user: tuple[str, str] = ("6000000003", "市民小李"),
    ) -> int:
        """A citizen @mentions the account in a comment: under ``status_id`` (the account's
        own — then it is in ``comments/to_me`` too — or a citizen's), else under a citizen's
        status that does not mention the account. Returns the comment id."""
        state, at = self.accounts[account_key], self.now()
        sid = None if status_id is None else int(status_id)
        comment = mention_in_comment(state, self._ids.take, at, text, sid, user)
        self.save(account_key)
        return comment.id

    def note_user_message(self, account_key: str, uid: str, at: datetime | None = None) -> None:
        """A fan-service message from ``uid`` arrived: the account may answer for 48 h."""
        state = self.accounts[account_key]
        state.contacts[uid] = self.now() if at is None else at.timestamp()
        self.save(account_key)

    def expire_token(self, account_key: str) -> None:
        self.accounts[account_key].expired = True
        self.save(account_key)

    # ---- plumbing ------------------------------------------------------------------------------

    async def _auth(self, request: web.Request) -> tuple[WeiboState, dict[str, str]]:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        request[PAYLOAD] = params
        state = self._by_token.get(params.get("access_token", ""))
        if state is None:
            raise SandboxError(21332, "invalid_access_token")
        request[ACCOUNT] = state.account.account_key
        if state.expired:
            raise SandboxError(21327, "expired_token")
        self._count_call(state)
        return state, params

    def _count_call(self, state: WeiboState) -> None:
        limit = self.config.weibo_calls_per_hour
        state.calls = self._spend(state.calls, limit, 10023, "User requests out of rate limit!")

    def _spend(
        self, used: tuple[int, int], limit: int | None, code: int, why: str
    ) -> tuple[int, int]:
        """One more in this clock hour's count ``(hour, n)``; over ``limit`` Weibo refuses."""
        hour = int(self.now() // 3600)
        n = used[1] if used[0] == hour else 0
        if limit is not None and n >= limit:
            raise SandboxError(code, why)
        return (hour, n + 1)

    # ---- statuses ----------------------------------------------------------------------------

    async def gone(self, request: web.Request) -> web.Response:
        await self._auth(request)
        raise SandboxError(10014, "Insufficient app permissions!")

    async def share(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        text = params.get("status", "")
        if not text or not params.get("rip"):
            raise SandboxError(10016, "miss required parameter (status, rip)")
        if len(text) > self.config.weibo_max_chars:
            raise SandboxError(20012, "Text too long, please input text less than 140 characters!")
        domain = state.account.safe_domain
        hosts = {urlsplit(u).hostname or "" for u in URL_RE.findall(text)}
        if not any(h == domain or h.endswith("." + domain) for h in hosts):
            raise SandboxError(10017, "text not find domain!")
        if state.statuses and state.statuses[-1].text == text and not state.statuses[-1].deleted:
            raise SandboxError(20019, "repeat content!")
        status = Status(self._ids.take(), text, self.now())
        state.statuses.append(status)
        state.by_id[status.id] = status
        return web.json_response(status_json(state, status))

    def _own_status(self, state: WeiboState, raw: str | None) -> Status:
        status = state.by_id.get(int(raw)) if raw and raw.isdigit() else None
        if status is None or status.deleted:
            raise SandboxError(NOT_FOUND, "target weibo does not exist!")
        return status

    async def destroy(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        status = self._own_status(state, params.get("id"))
        status.deleted = True
        return web.json_response(status_json(state, status))

    async def user_timeline(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        count = min(int(params.get("count", 20)), 100)
        skip = (max(int(params.get("page", 1)), 1) - 1) * count
        found: list[dict[str, Any]] = []
        for status in reversed(state.statuses):
            if status.deleted:
                continue
            if skip:
                skip -= 1
                continue
            found.append(status_json(state, status))
            if len(found) == count:
                break
        return web.json_response({"statuses": found, "total_number": len(state.statuses)})

    # ---- comments and mentions ---------------------------------------------------------------

    async def comments_to_me(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        return web.json_response(
            listing(state.comments, params, "comments", partial(comment_json, state))
        )

    async def statuses_mentions(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        mentions = state.mentioning_statuses()
        return web.json_response(listing(mentions, params, "statuses", partial(status_json, state)))

    async def comments_mentions(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        return web.json_response(
            listing(state.mention_comments, params, "comments", partial(comment_json, state))
        )

    def _write_comment(
        self, state: WeiboState, params: dict[str, str], status_id: int, reply_to: int | None
    ) -> web.Response:
        text = params.get("comment", "")
        if not params.get("rip"):
            raise SandboxError(10016, "miss required parameter (rip)")
        if not text or len(text) > self.config.weibo_max_chars:
            raise SandboxError(20012, TOO_LONG)
        state.comment_calls = self._spend(
            state.comment_calls,
            self.config.weibo_comments_per_hour,
            10024,
            "User requests for (comments) out of rate limit!",
        )
        name = state.account.name or state.account.account_key
        ours = Comment(
            self._ids.take(), status_id, state.account.uid, name, text, self.now(), reply_to
        )
        state.replies.append(ours)
        return web.json_response(comment_json(state, ours))

    def _status(self, state: WeiboState, raw: str | None) -> Status | OtherStatus:
        status = any_status(state, int(raw)) if raw and raw.isdigit() else None
        if status is None:
            raise SandboxError(NOT_FOUND, "target weibo does not exist!")
        return status

    async def reply(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        status = self._status(state, params.get("id"))
        cid = params.get("cid", "")
        original = state.by_comment.get(int(cid)) if cid.isdigit() else None
        if original is None or original.status_id != status.id:
            raise SandboxError(20201, "target comment does not exist!")
        return self._write_comment(state, params, status.id, original.id)

    async def create(self, request: web.Request) -> web.Response:
        """``comments/create``: under any status the account can see (its own, a mention)."""
        state, params = await self._auth(request)
        status = self._status(state, params.get("id"))
        return self._write_comment(state, params, status.id, None)

    # ---- fan service ---------------------------------------------------------------------------

    async def message(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        window = self.config.cs_window
        sent = private_message(state, params, self.now(), window, self._ids.take())
        return web.json_response({"result": True, "id": sent.id, "receiver_id": sent.receiver_id})
