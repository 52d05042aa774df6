"""WeCom (企业微信) app callback, where reviewers type commands or press card buttons.

Same AES scheme as the OA, but always encrypted, the receive id is the CorpID, and even the URL
verification echostr is encrypted (answer within 1 s: one sha1 and one AES block chain).
wechatpy has no class for ``template_card_event``, so card clicks are read from the raw fields;
the router decides what a button means, ``card_click_to_command`` gives the typed equivalent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from channels.base import IncomingMessage, Platform
from channels.callback_errors import (
    CallbackError,
    IdentifierLimits,
    bad_request,
    forbidden,
    too_large,
)
from channels.crypto import (
    MessageCipher,
    cdata,
    check_query_params,
    check_window,
    decrypt_any,
    encrypted_envelope,
    require_signed,
)
from channels.replay import body_digest, dedup_key, utc_from_epoch
from channels.xmlsafe import parse_fields, xml_clean

__all__ = ["CallbackError", "CardClick", "OpenedWeCom", "WeComCallback", "card_click_to_command"]

TEMPLATE_CARD_EVENT = "template_card_event"
MAX_REPLY_BYTES = 2048
_BUTTON = re.compile(r"(?P<action>[a-z_]+):(?P<id>\d{1,12})")
_COMMANDS = {
    "approve": "通过 {id}",
    "reject": "驳回 {id} （卡片按钮）",
    "changes": "退回 {id} （卡片按钮）",
    "claim": "认领 {id}",
}


@dataclass(frozen=True, slots=True)
class CardClick:
    """A button press on a template card; ``response_code`` updates the card once within 72 h."""

    button_key: str
    task_id: str
    card_type: str
    response_code: str


@dataclass(frozen=True, slots=True)
class OpenedWeCom:
    fields: dict[str, str]
    message: IncomingMessage
    nonce: str
    timestamp: str
    body_digest: str
    agent_id: int | None
    card_click: CardClick | None = None
    encrypted: bool = True

    @property
    def sender(self) -> str:
        return self.message.sender

    @property
    def text(self) -> str:
        return self.message.text


def card_click_to_command(button_key: str) -> str | None:
    """The command a reviewer would type for ``button_key`` (``approve:12`` → ``通过 12``)."""
    match = _BUTTON.fullmatch(button_key.strip())
    if match is None or match["action"] not in _COMMANDS:
        return None
    return _COMMANDS[match["action"]].format(id=match["id"])


def truncate_utf8(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes on a character boundary, ending in "…" if cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode("utf-8", "ignore") + "…"


class WeComCallback:
    """One WeCom self-built app's callback endpoint."""

    def __init__(
        self,
        token: str,
        aes_key: str,
        corp_id: str,
        agent_id: int | None = None,
        *,
        window_s: int = 300,
        max_body: int = 65536,
        account_key: str = "",
        previous_aes_key: str | None = None,
        limits: IdentifierLimits | None = None,
    ) -> None:
        if not token or not aes_key:
            raise ValueError("token and EncodingAESKey must not be empty")
        self.token = token
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.window_s = window_s
        self.max_body = max_body
        self.account_key = account_key
        #: None only where nothing is stored (unit tests of the protocol)
        self.limits = limits
        keys = [k for k in (aes_key, previous_aes_key) if k]
        self._ciphers = tuple(MessageCipher(k, corp_id) for k in keys)

    def _signed(
        self,
        msg_signature: str | None,
        timestamp: str | None,
        nonce: str | None,
        encrypted: str,
        now: float,
    ) -> tuple[str, str]:
        ts, nonce_ok = check_query_params(timestamp, nonce)
        require_signed(msg_signature, self.token, ts, nonce_ok, encrypted, what="msg_signature")
        check_window(ts, now, self.window_s)
        return ts, nonce_ok

    def verify_get(
        self,
        msg_signature: str | None,
        timestamp: str | None,
        nonce: str | None,
        echostr: str | None,
        now: float,
    ) -> str:
        """URL verification: echostr (already URL-decoded) is verified, decrypted and returned."""
        if not echostr or len(echostr) > 1024:
            raise bad_request("echostr missing or too long")
        # base64 has no spaces: a space is a '+' that a form-style decoder turned into one
        echostr = echostr.replace(" ", "+")
        self._signed(msg_signature, timestamp, nonce, echostr, now)
        try:
            return decrypt_any(self._ciphers, echostr).decode()
        except UnicodeDecodeError as exc:
            raise bad_request("echostr is not UTF-8") from exc

    def open_post(
        self, query: Mapping[str, str], body: bytes, now: float, *, account_key: str | None = None
    ) -> OpenedWeCom:
        if len(body) > self.max_body:
            raise too_large(len(body), self.max_body)
        check_query_params(query.get("timestamp"), query.get("nonce"))
        _, outer = parse_fields(body)
        encrypt = outer.get("Encrypt")
        if not encrypt:
            raise bad_request("WeCom callback without an Encrypt element")
        ts, nonce = self._signed(
            query.get("msg_signature"), query.get("timestamp"), query.get("nonce"), encrypt, now
        )
        self._check_agent(outer.get("AgentID"))
        _, fields = parse_fields(decrypt_any(self._ciphers, encrypt))
        agent = self._check_agent(fields.get("AgentID"))
        message, click = _parse_message(
            fields, self.account_key if account_key is None else account_key
        )
        if self.limits is not None:
            self.limits.check(
                message,
                user_ids=[("ToUserName", fields.get("ToUserName", ""))],
                keys=[(name, fields.get(name, "")) for name in ("MsgId", "EventKey", "TaskId")],
            )
        return OpenedWeCom(fields, message, nonce, ts, body_digest(body), agent, click)

    def _check_agent(self, value: str | None) -> int | None:
        if not value or not value.strip():
            return None
        if not (value.strip().isascii() and value.strip().isdigit()):
            raise bad_request("AgentID is not a number")
        agent = int(value)
        if self.agent_id is not None and agent != self.agent_id:
            raise forbidden("callback for another AgentID")
        return agent

    def reply_text(self, opened: OpenedWeCom, text: str, now: float) -> bytes:
        """Encrypted passive text reply; content cut to WeCom's 2048 bytes with "…"."""
        content = truncate_utf8(xml_clean(text), MAX_REPLY_BYTES)
        xml = (
            f"<xml><ToUserName>{cdata(opened.fields.get('FromUserName', ''))}</ToUserName>"
            f"<FromUserName>{cdata(self.corp_id)}</FromUserName>"
            f"<CreateTime>{int(now)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content></xml>"
        ).encode()
        return encrypted_envelope(self._ciphers[0], self.token, xml, str(int(now)), opened.nonce)

    @staticmethod
    def reply_empty() -> bytes:
        """An empty 200: WeCom takes it as received; answer later through message/send."""
        return b""


def _parse_message(
    fields: dict[str, str], account_key: str
) -> tuple[IncomingMessage, CardClick | None]:
    sender = fields.get("FromUserName", "")
    msg_type = fields.get("MsgType", "")
    if not sender or not msg_type:
        raise bad_request("FromUserName or MsgType missing")
    create_time = fields.get("CreateTime", "").strip()
    created_at = utc_from_epoch(create_time)
    click: CardClick | None = None
    event: str | None = None
    if msg_type == "event":
        event = fields.get("Event", "")
        if not event:
            raise bad_request("event without Event")
        task_id, event_key = fields.get("TaskId", ""), fields.get("EventKey", "")
        key = dedup_key(sender, create_time, event, task_id, event_key)
        if event == TEMPLATE_CARD_EVENT:
            if not event_key or not task_id:
                raise bad_request("template_card_event without EventKey or TaskId")
            click = CardClick(
                event_key, task_id, fields.get("CardType", ""), fields.get("ResponseCode", "")
            )
    else:
        key = fields.get("MsgId", "").strip() or dedup_key(sender, create_time, msg_type)
    message = IncomingMessage(
        platform=Platform.WECOM,
        account_key=account_key,
        dedup_key=key,
        sender=sender,
        created_at=created_at,
        msg_type=msg_type,
        text=fields.get("Content", "") if msg_type == "text" else "",
        event=event,
        raw=fields,
    )
    return message, click
