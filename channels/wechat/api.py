"""Thin async client for the WeChat OA REST API (only the endpoints this bot uses).

Tokens come from ``stable_token`` in normal mode, so several workers and restarts share one token
instead of invalidating each other; ``force_refresh`` is used only after the platform refused the
token we hold. Refreshes are single-flight per client — the scheduled one (``refresh_before``)
and the on-demand ones share one lock; ordinary calls never wait on each other.
A call that fails in transit is classified by its endpoint (endpoints.py): a draft, an upload or
a token that failed is ``NotSent``; a publish that failed may have happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import aiohttp

from channels.base import Rejected, TokenStore, Transient, failed_call
from channels.http import BodyFactory, Session, join_url, request_json
from channels.wechat.endpoints import EFFECTS
from channels.wechat.errors import TOKEN_REFUSED, errcode_of, error_for

log = logging.getLogger("channels.wechat")

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
#: refresh a little before the platform's expiry so a call never starts with a dying token
TOKEN_MARGIN = timedelta(seconds=60)
#: endpoints named from the host's root rather than ``/cgi-bin/`` (``datacube/getusersummary``)
OWN_ROOTS = ("datacube/",)


def utcnow() -> datetime:
    return datetime.now(UTC)


class WeChatAPI:
    """One OA account. ``account_key`` names the account in the ``TokenStore``."""

    platform = "wechat"

    def __init__(
        self,
        account_key: str,
        appid: str,
        secret: str,
        *,
        tokens: TokenStore,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.account_key = account_key
        self.appid = appid
        self._secret = secret
        self._tokens = tokens
        self.base_url = base_url
        self._http = Session(session, timeout)
        self._clock = clock
        self._refresh_lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the secret
        return f"WeChatAPI(account_key={self.account_key!r}, appid={self.appid!r})"

    async def close(self) -> None:
        await self._http.close()

    # ---- tokens ------------------------------------------------------------------------------

    async def refresh_token(self, *, force: bool = False) -> str:
        """Fetch the stable token and store it, after any refresh already under way."""
        async with self._refresh_lock:
            return await self._fetch_token(force=force)

    async def refresh_before(self, horizon: datetime) -> bool:
        """The scheduled refresher's call (the service runs it on one replica per account): a
        fresh token when the stored one runs out before ``horizon``. It waits for a refresh
        already under way and reads the store again, so one process never fetches twice."""
        async with self._refresh_lock:
            stored = await self._tokens.get(self.account_key)
            if stored is not None and stored[1] > horizon:
                return False
            await self._fetch_token(force=False)
            return True

    async def _fetch_token(self, *, force: bool) -> str:
        """One ``stable_token`` call; callers hold ``_refresh_lock``."""
        endpoint = "cgi-bin/stable_token"
        try:
            _, data = await request_json(
                self._http,
                "POST",
                join_url(self.base_url, "/" + endpoint),
                platform=self.platform,
                endpoint=endpoint,
                json_body={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self._secret,
                    "force_refresh": force,
                },
            )
        except Transient as exc:
            _raise_classified(endpoint, exc)
        code = errcode_of(data)
        if code != 0 or not data.get("access_token"):
            raise error_for(code or -1, str(data.get("errmsg", "")), "cgi-bin/stable_token")
        token = str(data["access_token"])
        expires_in = int(data.get("expires_in", 7200))
        await self._tokens.put(
            self.account_key, token, self._clock() + timedelta(seconds=expires_in)
        )
        log.info(
            "wechat token refreshed for %s (force=%s, %d s)", self.account_key, force, expires_in
        )
        return token

    async def _valid_stored(self, refused: str | None = None) -> str | None:
        stored = await self._tokens.get(self.account_key)
        if stored is None:
            return None
        token, expires_at = stored
        if token == refused or expires_at - self._clock() <= TOKEN_MARGIN:
            return None
        return token

    async def access_token(self) -> str:
        """The stored token, or a fresh one when none is stored or it is about to expire."""
        token = await self._valid_stored()
        if token is not None:
            return token
        async with self._refresh_lock:
            return await self._valid_stored() or await self._fetch_token(force=False)

    async def _recover(self, refused: str) -> str:
        """After a refusal: reuse a token another coroutine already got, else normal, else force.

        This on-demand refresh is outside the refresher's lease on purpose: a replica whose
        token was refused must recover by itself, whoever holds the lease. It cannot fight the
        holder: normal mode hands every caller the platform's current token, and ``force`` (which
        invalidates it for everyone, 20 a day) only follows a normal answer equal to the token
        just refused. Single-flight per process (the lock): the others reuse the first's token."""
        async with self._refresh_lock:
            token = await self._valid_stored(refused)
            if token is not None:
                return token
            token = await self._fetch_token(force=False)
            if token != refused:
                return token
            return await self._fetch_token(force=True)

    # ---- the generic call --------------------------------------------------------------------

    async def call(
        self,
        endpoint: str,
        payload: dict[str, Any] | None = None,
        *,
        query: dict[str, str] | None = None,
        multipart: BodyFactory | None = None,
        accept: frozenset[int] = frozenset(),
    ) -> dict[str, Any]:
        """POST ``endpoint`` with the token; one refresh + one retry on a refused token.

        Codes in ``accept`` are returned to the caller instead of raised."""
        token = await self.access_token()
        data = await self._send(endpoint, token, payload, query, multipart)
        code = errcode_of(data)
        if code in TOKEN_REFUSED:
            log.info("wechat %s refused the token (%d); refreshing once", endpoint, code)
            token = await self._recover(token)
            data = await self._send(endpoint, token, payload, query, multipart)
            code = errcode_of(data)
        if code != 0 and code not in accept:
            log.warning("wechat %s failed for %s: errcode %d", endpoint, self.account_key, code)
            raise error_for(code, str(data.get("errmsg", "")), endpoint)
        return data

    async def _send(
        self,
        endpoint: str,
        token: str,
        payload: dict[str, Any] | None,
        query: dict[str, str] | None,
        multipart: BodyFactory | None,
    ) -> dict[str, Any]:
        try:
            _, data = await request_json(
                self._http,
                "POST",
                join_url(self.base_url, _path(endpoint)),
                platform=self.platform,
                endpoint=endpoint,
                params={**(query or {}), "access_token": token},
                json_body=payload if multipart is None else None,
                multipart=multipart,
            )
        except Transient as exc:
            _raise_classified(endpoint, exc)
        return data

    # ---- endpoints ---------------------------------------------------------------------------

    async def upload_image(self, filename: str, content: bytes, content_type: str) -> str:
        """``media/uploadimg``: an in-article image; returns the URL WeChat will accept."""
        data = await self.call("media/uploadimg", multipart=_media(filename, content, content_type))
        return str(data["url"])

    async def add_thumb(
        self, filename: str, content: bytes, content_type: str, *, material_type: str = "thumb"
    ) -> str:
        """Permanent material for a cover (a cover must be permanent); returns its media_id.

        WeChat caps ``thumb`` at 64 KB JPG; pass ``material_type="image"`` for larger covers."""
        data = await self.call(
            "material/add_material",
            query={"type": material_type},
            multipart=_media(filename, content, content_type),
        )
        return str(data["media_id"])

    async def add_draft(self, articles: list[dict[str, Any]]) -> str:
        data = await self.call("draft/add", {"articles": articles})
        return str(data["media_id"])

    async def submit(self, media_id: str) -> str:
        """``freepublish/submit``: accepted only; the outcome arrives later."""
        return str((await self.submit_job(media_id))["publish_id"])

    async def submit_job(self, media_id: str) -> dict[str, Any]:
        """``freepublish/submit``'s whole answer: ``publish_id`` and the ``msg_data_id`` the
        comment APIs name the article by."""
        return await self.call("freepublish/submit", {"media_id": media_id})

    async def get_publish(self, publish_id: str) -> dict[str, Any]:
        return await self.call("freepublish/get", {"publish_id": publish_id})

    async def batchget(
        self, offset: int = 0, count: int = 20, *, content: bool = False
    ) -> dict[str, Any]:
        """Successfully published articles, newest first (count ≤ 20)."""
        payload = {"offset": offset, "count": min(count, 20), "no_content": 0 if content else 1}
        return await self.call("freepublish/batchget", payload)

    async def delete_article(
        self, article_id: str, index: int, *, delete_all: bool = False
    ) -> None:
        """``freepublish/delete``; index is 1-based and 0 would delete every article of the post."""
        if index < 1 and not delete_all:
            raise Rejected("删除需指定第几篇文章（从1开始）；0 会删除全部文章", code="index")
        await self.call(
            "freepublish/delete", {"article_id": article_id, "index": 0 if delete_all else index}
        )

    async def send_mass(self, media_id: str, clientmsgid: str) -> dict[str, Any]:
        """Push a draft to all followers; the same ``clientmsgid`` never sends twice (45065)."""
        payload = {
            "filter": {"is_to_all": True},
            "mpnews": {"media_id": media_id},
            "msgtype": "mpnews",
            "send_ignore_reprint": 0,
            "clientmsgid": clientmsgid,
        }
        return await self.call("message/mass/sendall", payload, accept=frozenset({45065}))

    async def get_mass(self, msg_id: str) -> dict[str, Any]:
        return await self.call("message/mass/get", {"msg_id": msg_id})

    async def delete_mass(self, msg_id: str, article_idx: int) -> None:
        await self.call("message/mass/delete", {"msg_id": msg_id, "article_idx": article_idx})

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text; only inside the 48 h / 5-message window (45015 / 45047)."""
        payload = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        await self.call("message/custom/send", payload)


def _path(endpoint: str) -> str:
    """Most endpoints live under ``/cgi-bin/``; the statistics have their own root."""
    return "/" + endpoint if endpoint.startswith(OWN_ROOTS) else "/cgi-bin/" + endpoint


def _raise_classified(endpoint: str, exc: Transient) -> NoReturn:
    """Re-raise a transport failure as this endpoint's table says (endpoints.py)."""
    classified = failed_call(EFFECTS, endpoint, exc)
    if classified is exc:
        raise exc
    raise classified from None


def _media(filename: str, content: bytes, content_type: str) -> BodyFactory:
    def build() -> aiohttp.FormData:
        form = aiohttp.FormData()
        form.add_field("media", content, filename=filename, content_type=content_type)
        return form

    return build
