"""A fake of the Weibo v2 endpoints the bot uses (mounted at ``.../weibo``).

Accounts are found by access token, as on the real API. ``statuses/share`` enforces the two rules
that bite in production: at most 140 characters (20012) and a link on the app's safe domain
(10017); ``statuses/update`` is gone (10014).
"""

from __future__ import annotations

import bisect
import re
import time
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from channels.sandbox.config import SandboxConfig
from channels.sandbox.faults import Faults
from channels.sandbox.persistence import SandboxStore
from channels.sandbox.platform import ACCOUNT, PAYLOAD, PlatformSandbox, SandboxError
from channels.sandbox.recorder import Recorder
from channels.sandbox.weibo_state import Comment, Status, WeiboState, dump, restore

__all__ = ["Comment", "Status", "WeiboSandbox", "WeiboState", "weibo_time"]

URL_RE = re.compile(r"https?://[^\s，。）)]+")
NOT_FOUND = 20101


def weibo_time(ts: float) -> str:
    """Weibo's ``created_at`` format, in Beijing time."""
    return time.strftime("%a %b %d %H:%M:%S +0800 %Y", time.gmtime(ts + 8 * 3600))


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
            web.post("/2/comments/reply.json", self.reply),
        ]

    # ---- helpers tests and simulators use -----------------------------------------------------

    def state(self, account_key: str) -> WeiboState:
        return self.accounts[account_key]

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
        if limit is None:
            return
        hour = int(self.now() // 3600)
        used = state.calls[1] if state.calls[0] == hour else 0
        if used >= limit:
            raise SandboxError(10023, "User requests out of rate limit!")
        state.calls = (hour, used + 1)

    def _status_json(self, state: WeiboState, status: Status) -> dict[str, Any]:
        return {
            "id": status.id,
            "idstr": str(status.id),
            "mid": str(status.id),
            "text": status.text,
            "created_at": weibo_time(status.created_at),
            "user": {
                "id": int(state.account.uid),
                "idstr": state.account.uid,
                "screen_name": state.account.name or state.account.account_key,
            },
        }

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
        return web.json_response(self._status_json(state, status))

    def _own_status(self, state: WeiboState, raw: str | None) -> Status:
        status = state.by_id.get(int(raw)) if raw and raw.isdigit() else None
        if status is None or status.deleted:
            raise SandboxError(NOT_FOUND, "target weibo does not exist!")
        return status

    async def destroy(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        status = self._own_status(state, params.get("id"))
        status.deleted = True
        return web.json_response(self._status_json(state, status))

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
            found.append(self._status_json(state, status))
            if len(found) == count:
                break
        return web.json_response({"statuses": found, "total_number": len(state.statuses)})

    # ---- comments ----------------------------------------------------------------------------

    def _comment_json(self, state: WeiboState, comment: Comment) -> dict[str, Any]:
        status = state.by_id.get(comment.status_id)
        return {
            "id": comment.id,
            "idstr": str(comment.id),
            "text": comment.text,
            "created_at": weibo_time(comment.created_at),
            "user": {
                "id": int(comment.user_id),
                "idstr": comment.user_id,
                "screen_name": comment.user_name,
            },
            "status": self._status_json(state, status) if status else None,
        }

    async def comments_to_me(self, request: web.Request) -> web.Response:
        """Newest first; since_id / max_id bound the window, count ≤ 200, page skips pages."""
        state, params = await self._auth(request)
        count = min(int(params.get("count", 50)), 200)
        ids = state.comment_ids
        lo = bisect.bisect_right(ids, int(params.get("since_id") or 0))
        max_id = int(params.get("max_id") or 0)
        hi = bisect.bisect_right(ids, max_id) if max_id else len(ids)
        end = hi - (max(int(params.get("page", 1)), 1) - 1) * count
        window = state.comments[max(lo, end - count) : max(lo, end)]
        comments = [self._comment_json(state, c) for c in reversed(window)]
        next_cursor = window[0].id - 1 if window and max(lo, end - count) > lo else 0
        body = {
            "comments": comments,
            "total_number": hi - lo,
            "next_cursor": next_cursor,
            "previous_cursor": 0,
        }
        return web.json_response(body)

    async def reply(self, request: web.Request) -> web.Response:
        state, params = await self._auth(request)
        status = self._own_status(state, params.get("id"))
        cid = params.get("cid", "")
        original = state.by_comment.get(int(cid)) if cid.isdigit() else None
        if original is None or original.status_id != status.id:
            raise SandboxError(20201, "target comment does not exist!")
        text = params.get("comment", "")
        if not text or len(text) > self.config.weibo_max_chars:
            raise SandboxError(20012, "Text too long, please input text less than 140 characters!")
        reply = Comment(
            self._ids.take(),
            status.id,
            state.account.uid,
            state.account.name or state.account.account_key,
            text,
            self.now(),
            reply_to=original.id,
        )
        state.replies.append(reply)
        return web.json_response(self._comment_json(state, reply))
