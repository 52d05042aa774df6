"""A simulated reviewer's WeCom phone: types commands, presses card buttons, verifies the URL.

It sends what WeCom's servers send to ``/wecom/{app_key}`` — always encrypted, signed with
msg_signature — and decrypts the passive reply, so chat-ops can be tested end to end.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from channels.crypto import MessageCipher, cdata, sha1_signature
from channels.sandbox.callback_wire import post_callback, render_fields, unwrap_reply

#: 64-bit ids like the platform's, from a random start: two processes started in the same
#: second (two ``newmedia chat`` runs) must not send the same MsgId, or one reads as a retry
_msg_ids = itertools.count(secrets.randbits(62))


@dataclass(frozen=True, slots=True)
class PhoneReply:
    status: int
    text: str | None  # passive reply Content; None for an empty body
    body: bytes
    fields: dict[str, str] = field(default_factory=dict)


class ReviewerPhone:
    """One WeCom member (userid) talking to one self-built app."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        token: str,
        aes_key: str,
        corp_id: str,
        agent_id: int,
        userid: str,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/wecom/{app_key}"
        self.token = token
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.userid = userid
        self.session = session
        self.clock = clock
        self._cipher = MessageCipher(aes_key, corp_id)

    def message_xml(self, fields: Mapping[str, Any], *, create_time: int | None = None) -> str:
        head = {
            "ToUserName": self.corp_id,
            "FromUserName": self.userid,
            "CreateTime": int(self.clock()) if create_time is None else create_time,
        }
        return f"<xml>{render_fields({**head, **fields, 'AgentID': self.agent_id})}</xml>"

    def text_xml(self, text: str, *, msg_id: int | None = None) -> str:
        msg_id = next(_msg_ids) if msg_id is None else msg_id
        return self.message_xml({"MsgType": "text", "Content": text, "MsgId": msg_id})

    def click_xml(
        self, button_key: str, task_id: str, *, card_type: str = "button_interaction"
    ) -> str:
        return self.message_xml(
            {
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": button_key,
                "TaskId": task_id,
                "CardType": card_type,
                "ResponseCode": secrets.token_urlsafe(24),
            }
        )

    def _signed_query(
        self, encrypted: str, timestamp: str | None, nonce: str | None
    ) -> dict[str, str]:
        ts = timestamp or str(int(self.clock()))
        nonce = nonce or str(secrets.randbelow(10**10))
        signature = sha1_signature(self.token, ts, nonce, encrypted)
        return {"msg_signature": signature, "timestamp": ts, "nonce": nonce}

    def build_request(
        self, xml: str, *, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        encrypt = self._cipher.encrypt(xml.encode())
        body = (
            f"<xml><ToUserName>{cdata(self.corp_id)}</ToUserName>"
            f"<Encrypt>{cdata(encrypt)}</Encrypt>"
            f"<AgentID>{cdata(str(self.agent_id))}</AgentID></xml>"
        )
        return self._signed_query(encrypt, timestamp, nonce), body.encode()

    async def post(self, query: Mapping[str, str], body: bytes) -> PhoneReply:
        status, raw = await post_callback(self.session, self.url, query, body)
        fields = unwrap_reply(raw, self.token, self._cipher) if status == 200 else {}
        text = fields.get("Content") if fields.get("MsgType") == "text" else None
        return PhoneReply(status, text, raw, fields)

    async def send_text(self, text: str) -> PhoneReply:
        return await self.post(*self.build_request(self.text_xml(text)))

    async def click(self, button_key: str, task_id: str) -> PhoneReply:
        return await self.post(*self.build_request(self.click_xml(button_key, task_id)))

    async def verify_url(self) -> bool:
        """WeCom's URL check: an encrypted echostr that must come back decrypted, exactly."""
        expected = str(secrets.randbelow(10**19))
        echostr = self._cipher.encrypt(expected.encode())
        query = {**self._signed_query(echostr, None, None), "echostr": echostr}
        status, raw = await post_callback(self.session, self.url, query, None, method="GET")
        return status == 200 and raw == expected.encode()
