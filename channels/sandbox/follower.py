"""A simulated OA follower: sends callbacks exactly as WeChat's servers do, and reads the reply.

Used by the demo and the tests to drive ``/wechat/{account_key}`` end to end in plaintext,
compatible or safe mode. ``build_request`` returns the signed query and body without sending,
so a test can deliver the very same request several times (WeChat's retries) or tamper with it.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import aiohttp

from channels.crypto import MessageCipher, cdata, sha1_signature
from channels.sandbox.callback_wire import post_callback, render_fields, unwrap_reply

Mode = Literal["plain", "compat", "aes"]
FieldValue = str | int | Mapping[str, "FieldValue"] | list["FieldValue"]
#: 64-bit ids like the platform's, from a random start: two processes started in the same
#: second (two ``newmedia chat`` runs) must not send the same MsgId, or one reads as a retry
_msg_ids = itertools.count(secrets.randbits(62))


@dataclass(frozen=True, slots=True)
class FollowerReply:
    status: int
    text: str | None  # the passive reply's Content; None for "success" or an empty body
    body: bytes
    fields: dict[str, str] = field(default_factory=dict)  # decrypted reply fields


class Follower:
    """One follower (openid) of one official account, as seen from WeChat's side."""

    def __init__(
        self,
        base_url: str,
        account_key: str,
        token: str,
        aes_key: str | None,
        app_id: str,
        mode: Mode = "aes",
        openid: str = "o_sandbox_citizen_1",
        *,
        account_id: str = "gh_sandbox_account",
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if mode != "plain" and not aes_key:
            raise ValueError(f"mode {mode!r} needs an EncodingAESKey")
        self.url = f"{base_url.rstrip('/')}/wechat/{account_key}"
        self.token = token
        self.mode: Mode = mode
        self.openid = openid
        self.account_id = account_id
        self.session = session
        self.clock = clock
        self._cipher = MessageCipher(aes_key, app_id) if aes_key else None

    # ---- building ---------------------------------------------------------------------------

    def text_xml(
        self, text: str, *, msg_id: int | None = None, create_time: int | None = None
    ) -> str:
        fields: dict[str, FieldValue] = {
            "MsgType": "text",
            "Content": text,
            "MsgId": next(_msg_ids) if msg_id is None else msg_id,
        }
        return self.message_xml(fields, create_time=create_time)

    def event_xml(self, event: str, **fields: FieldValue) -> str:
        return self.message_xml({"MsgType": "event", "Event": event, **fields})

    def message_xml(
        self, fields: Mapping[str, FieldValue], *, create_time: int | None = None
    ) -> str:
        head: dict[str, FieldValue] = {
            "ToUserName": self.account_id,
            "FromUserName": self.openid,
            "CreateTime": int(self.clock()) if create_time is None else create_time,
        }
        return f"<xml>{render_fields({**head, **fields})}</xml>"

    def build_request(
        self, xml: str, *, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The query parameters and body WeChat would send for ``xml`` in this follower's mode."""
        ts = timestamp or str(int(self.clock()))
        nonce = nonce or str(secrets.randbelow(10**10))
        query = {
            "signature": sha1_signature(self.token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "openid": self.openid,
        }
        if self.mode == "plain" or self._cipher is None:
            return query, xml.encode()
        encrypt = self._cipher.encrypt(xml.encode())
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sha1_signature(self.token, ts, nonce, encrypt)
        envelope = (
            f"<ToUserName>{cdata(self.account_id)}</ToUserName><Encrypt>{cdata(encrypt)}</Encrypt>"
        )
        if self.mode == "compat":  # plaintext fields and the ciphertext side by side
            envelope = (
                xml.removeprefix("<xml>").removesuffix("</xml>")
                + f"<Encrypt>{cdata(encrypt)}</Encrypt>"
            )
        return query, f"<xml>{envelope}</xml>".encode()

    # ---- sending ----------------------------------------------------------------------------

    async def post(self, query: Mapping[str, str], body: bytes) -> FollowerReply:
        """Deliver a prepared request and read the passive reply as the WeChat client would."""
        status, raw = await post_callback(self.session, self.url, query, body)
        fields = unwrap_reply(raw, self.token, self._cipher) if status == 200 else {}
        text = fields.get("Content") if fields.get("MsgType") == "text" else None
        return FollowerReply(status, text, raw, fields)

    async def send_text(self, text: str, *, msg_id: int | None = None) -> FollowerReply:
        return await self.post(*self.build_request(self.text_xml(text, msg_id=msg_id)))

    async def send_event(self, event: str, **fields: FieldValue) -> FollowerReply:
        return await self.post(*self.build_request(self.event_xml(event, **fields)))

    async def send_publish_finished(
        self, publish_id: str, status: int = 0, *, article_id: str = "", urls: tuple[str, ...] = ()
    ) -> FollowerReply:
        items: list[FieldValue] = [{"idx": i, "article_url": u} for i, u in enumerate(urls, 1)]
        info: dict[str, FieldValue] = {"publish_id": publish_id, "publish_status": status}
        if article_id:
            info["article_id"] = article_id
        if items:
            info["article_detail"] = {"count": len(items), "item": items}
        return await self.send_event("PUBLISHJOBFINISH", PublishEventInfo=info)

    async def send_mass_finished(
        self,
        msg_id: str,
        status: str = "send success",
        *,
        total: int = 0,
        sent: int = 0,
        errors: int = 0,
    ) -> FollowerReply:
        return await self.send_event(
            "MASSSENDJOBFINISH",
            MsgID=msg_id,
            Status=status,
            TotalCount=total,
            FilterCount=total,
            SentCount=sent,
            ErrorCount=errors,
        )
