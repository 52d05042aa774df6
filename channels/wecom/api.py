"""Thin async client for sending WeCom app messages to reviewers.

The token is cached in memory with its expiry (one per app secret is what WeCom expects; a
second process simply gets the same token back from ``gettoken``). A refused token is refreshed
once, single-flight, and the call retried once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from channels.base import Rejected
from channels.http import Session, join_url, request_json
from channels.wecom.errors import TOKEN_REFUSED, error_for

log = logging.getLogger("channels.wecom")

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
TOKEN_MARGIN = 60.0


@dataclass(frozen=True, slots=True)
class SendResult:
    msgid: str
    invalid_users: tuple[str, ...] = ()
    #: for interactive template cards: usable once, within 72 h, for update_template_card
    response_code: str | None = None


class WeComAPI:
    """One self-built app: ``WeComAPI(corpid, corpsecret, agentid, base_url=...)``."""

    platform = "wecom"

    def __init__(
        self,
        corpid: str,
        corpsecret: str,
        agentid: int,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.corpid = corpid
        self._secret = corpsecret
        self.agentid = agentid
        self.base_url = base_url
        self._http = Session(session, timeout)
        self._token: tuple[str, float] | None = None  # (token, monotonic expiry)
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"WeComAPI(corpid={self.corpid!r}, agentid={self.agentid})"

    async def close(self) -> None:
        await self._http.close()

    async def refresh_token(self) -> str:
        _, data = await request_json(
            self._http,
            "GET",
            join_url(self.base_url, "/cgi-bin/gettoken"),
            platform=self.platform,
            endpoint="cgi-bin/gettoken",
            params={"corpid": self.corpid, "corpsecret": self._secret},
        )
        code = int(data.get("errcode", 0) or 0)
        if code != 0 or not data.get("access_token"):
            raise error_for(code or -1, str(data.get("errmsg", "")), "cgi-bin/gettoken")
        token = str(data["access_token"])
        self._token = (token, time.monotonic() + float(data.get("expires_in", 7200)))
        log.info("wecom token refreshed for agent %s", self.agentid)
        return token

    async def access_token(self, *, refused: str | None = None) -> str:
        cached = self._token
        if cached and cached[0] != refused and cached[1] - time.monotonic() > TOKEN_MARGIN:
            return cached[0]
        async with self._lock:  # single flight: the first waiter refreshes, the rest reuse it
            cached = self._token
            if cached and cached[0] != refused and cached[1] - time.monotonic() > TOKEN_MARGIN:
                return cached[0]
            return await self.refresh_token()

    async def call(self, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
        token = await self.access_token()
        data = await self._post(endpoint, token, payload)
        code = int(data.get("errcode", 0) or 0)
        if code in TOKEN_REFUSED:
            log.info("wecom %s refused the token (%d); refreshing once", endpoint, code)
            data = await self._post(endpoint, await self.access_token(refused=token), payload)
            code = int(data.get("errcode", 0) or 0)
        if code != 0:
            log.warning("wecom %s failed: errcode %d", endpoint, code)
            raise error_for(code, str(data.get("errmsg", "")), endpoint)
        return data

    async def _post(self, endpoint: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        _, data = await request_json(
            self._http,
            "POST",
            join_url(self.base_url, "/cgi-bin/" + endpoint),
            platform=self.platform,
            endpoint=endpoint,
            params={"access_token": token},
            json_body=payload,
        )
        return data

    # ---- messages ----------------------------------------------------------------------------

    async def send(self, users: Sequence[str], msgtype: str, body: dict[str, Any]) -> SendResult:
        """``message/send`` to reviewer userids; partial invalid recipients are reported back."""
        if not users:
            raise Rejected("没有接收人", code="touser")
        payload = {
            "touser": "|".join(users),
            "msgtype": msgtype,
            "agentid": self.agentid,
            msgtype: body,
            "enable_duplicate_check": 0,
        }
        data = await self.call("message/send", payload)
        invalid = tuple(u for u in str(data.get("invaliduser") or "").split("|") if u)
        if invalid:
            log.warning("wecom message/send: %d recipient(s) invalid", len(invalid))
        code = data.get("response_code")
        return SendResult(str(data.get("msgid", "")), invalid, str(code) if code else None)

    async def send_text(self, users: Sequence[str], content: str) -> SendResult:
        return await self.send(users, "text", {"content": content})

    async def send_markdown(self, users: Sequence[str], content: str) -> SendResult:
        return await self.send(users, "markdown", {"content": content})

    async def send_template_card(self, users: Sequence[str], card: dict[str, Any]) -> SendResult:
        return await self.send(users, "template_card", card)

    async def send_review_card(
        self,
        users: Sequence[str],
        *,
        task_id: str,
        title: str,
        description: str,
        approve_key: str,
        reject_key: str,
        source: str = "新媒体审核",
        fields: Sequence[tuple[str, str]] = (),
    ) -> SendResult:
        """A button_interaction card: 通过 / 驳回 carrying keys such as ``approve:12``."""
        card: dict[str, Any] = {
            "card_type": "button_interaction",
            "source": {"desc": source},
            "main_title": {"title": title[:26], "desc": description[:30]},
            "horizontal_content_list": [{"keyname": k, "value": v} for k, v in fields][:6],
            "task_id": task_id,
            "button_list": [
                {"text": "通过", "style": 1, "key": approve_key},
                {"text": "驳回", "style": 2, "key": reject_key},
            ],
        }
        return await self.send_template_card(users, card)

    async def update_card_buttons(
        self, users: Sequence[str], response_code: str, replace_name: str
    ) -> None:
        """Grey out a card's buttons with a label such as ``已通过``."""
        payload = {
            "userids": list(users),
            "agentid": self.agentid,
            "response_code": response_code,
            "button": {"replace_name": replace_name},
        }
        await self.call("message/update_template_card", payload)

    async def update_template_card(
        self, users: Sequence[str], response_code: str, card: dict[str, Any]
    ) -> None:
        payload = {
            "userids": list(users),
            "agentid": self.agentid,
            "response_code": response_code,
            "template_card": card,
        }
        await self.call("message/update_template_card", payload)
