"""WeChat Official Account callback: verify, decrypt, parse and answer — pure protocol, no I/O.

The web layer calls ``open_post`` (then the replay guard and the inbox insert) and answers with
``reply_text``/``reply_empty`` within WeChat's 5 s. Order of checks: size, signature, time window,
XML, msg_signature, decryption — cheapest first, nothing parsed before the signature holds.
With an EncodingAESKey configured, plaintext requests are refused by default: the plain
``signature`` does not cover the body, so accepting them would let anyone holding one signed URL
post any body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element

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
from channels.replay import (
    MemoryNonceGuard,
    NonceGuard,
    body_digest,
    dedup_key,
    guard_replay,
    utc_from_epoch,
)
from channels.wechat.callback_events import (
    MASS_SEND_JOB_FINISH,
    PUBLISH_JOB_FINISH,
    MassSendJobEvent,
    PublishJobEvent,
    parse_mass_send_job,
    parse_publish_job,
)
from channels.xmlsafe import parse_fields, xml_clean

__all__ = [
    "CallbackError",
    "MassSendJobEvent",
    "MemoryNonceGuard",
    "NonceGuard",
    "OACallback",
    "OpenedCallback",
    "PublishJobEvent",
    "guard_replay",
]

_ECHOSTR = re.compile(r"[A-Za-z0-9_.+/=-]{1,256}")


@dataclass(frozen=True, slots=True)
class OpenedCallback:
    """A verified, decrypted and parsed callback, plus what the reply and replay guard need."""

    fields: dict[str, str]  # flat fields of the (decrypted) message
    message: IncomingMessage
    encrypted: bool  # the reply must be encrypted too
    nonce: str
    timestamp: str
    body_digest: str  # sha256 of the raw body, for NonceGuard
    publish_job: PublishJobEvent | None = None
    mass_send_job: MassSendJobEvent | None = None


class OACallback:
    """One official account's callback endpoint (token, EncodingAESKey and AppID)."""

    def __init__(
        self,
        token: str,
        aes_key: str | None,
        app_id: str,
        *,
        window_s: int = 300,
        max_body: int = 65536,
        account_key: str = "",
        previous_aes_key: str | None = None,
        require_encryption: bool | None = None,
        limits: IdentifierLimits | None = None,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self.token = token
        self.app_id = app_id
        self.window_s = window_s
        self.max_body = max_body
        self.account_key = account_key
        #: None only where nothing is stored (unit tests of the protocol)
        self.limits = limits
        keys = [k for k in (aes_key, previous_aes_key) if k]
        self._ciphers = tuple(MessageCipher(k, app_id) for k in keys)
        self.require_encryption = (
            bool(aes_key) if require_encryption is None else require_encryption
        )

    def verify_get(
        self,
        signature: str | None,
        timestamp: str | None,
        nonce: str | None,
        echostr: str | None,
        now: float,
    ) -> str:
        """URL verification: the OA echostr is returned unchanged, even in safe mode."""
        timestamp, nonce = check_query_params(timestamp, nonce)
        require_signed(signature, self.token, timestamp, nonce)
        check_window(timestamp, now, self.window_s)
        if echostr is None or not _ECHOSTR.fullmatch(echostr):
            raise bad_request("echostr missing or malformed")
        return echostr

    def open_post(
        self,
        query: Mapping[str, str],
        body: bytes,
        now: float,
        *,
        account_key: str | None = None,
    ) -> OpenedCallback:
        if len(body) > self.max_body:
            raise too_large(len(body), self.max_body)
        timestamp, nonce = check_query_params(query.get("timestamp"), query.get("nonce"))
        require_signed(query.get("signature"), self.token, timestamp, nonce)
        check_window(timestamp, now, self.window_s)
        encrypt_type = (query.get("encrypt_type") or "raw").lower()
        if encrypt_type not in ("raw", "aes"):
            raise bad_request("unknown encrypt_type")
        encrypted = encrypt_type == "aes"
        root, fields = parse_fields(body)
        if encrypted:
            root, fields = self._decrypt(fields, query.get("msg_signature"), timestamp, nonce)
        elif self.require_encryption:
            raise forbidden("plaintext callback refused: the account is configured for AES")
        key = self.account_key if account_key is None else account_key
        message, publish_job, mass_job = _parse_message(root, fields, key)
        if self.limits is not None:
            self.limits.check(
                message,
                user_ids=[("ToUserName", fields.get("ToUserName", ""))],
                keys=[
                    ("MsgId", fields.get("MsgId", "")),
                    ("EventKey", fields.get("EventKey", "")),
                    ("publish_id", publish_job.publish_id if publish_job else ""),
                    ("MsgID", mass_job.msg_id if mass_job else ""),
                ],
            )
        return OpenedCallback(
            fields=fields,
            message=message,
            encrypted=encrypted,
            nonce=nonce,
            timestamp=timestamp,
            body_digest=body_digest(body),
            publish_job=publish_job,
            mass_send_job=mass_job,
        )

    def _decrypt(
        self, outer: dict[str, str], msg_signature: str | None, timestamp: str, nonce: str
    ) -> tuple[Element, dict[str, str]]:
        """Safe/compatible mode: the ciphertext is authoritative; plaintext fields are ignored."""
        if not self._ciphers:
            raise bad_request("encrypted callback but no EncodingAESKey configured")
        encrypt = outer.get("Encrypt")
        if not encrypt:
            raise bad_request("encrypt_type=aes without an Encrypt element")
        require_signed(msg_signature, self.token, timestamp, nonce, encrypt, what="msg_signature")
        return parse_fields(decrypt_any(self._ciphers, encrypt))

    def reply_text(self, opened: OpenedCallback, text: str, now: float) -> bytes:
        """The passive text reply (To/From swapped), encrypted when the request was."""
        xml = (
            f"<xml><ToUserName>{cdata(opened.fields.get('FromUserName', ''))}</ToUserName>"
            f"<FromUserName>{cdata(opened.fields.get('ToUserName', ''))}</FromUserName>"
            f"<CreateTime>{int(now)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(xml_clean(text))}</Content></xml>"
        ).encode()
        if not opened.encrypted:
            return xml
        if not self._ciphers:  # pragma: no cover - open_post refused such a request
            raise bad_request("cannot encrypt without an EncodingAESKey")
        return encrypted_envelope(self._ciphers[0], self.token, xml, str(int(now)), opened.nonce)

    @staticmethod
    def reply_empty() -> bytes:
        """ "success": WeChat neither retries nor shows anything to the follower."""
        return b"success"


def _parse_message(
    root: Element, fields: dict[str, str], account_key: str
) -> tuple[IncomingMessage, PublishJobEvent | None, MassSendJobEvent | None]:
    sender = fields.get("FromUserName", "")
    msg_type = fields.get("MsgType", "")
    if not sender or not msg_type or not fields.get("ToUserName"):
        raise bad_request("ToUserName, FromUserName or MsgType missing")
    create_time = fields.get("CreateTime", "")
    created_at = utc_from_epoch(create_time)
    event: str | None = None
    publish_job: PublishJobEvent | None = None
    mass_job: MassSendJobEvent | None = None
    if msg_type == "event":
        event = fields.get("Event", "")
        if not event:
            raise bad_request("event without Event")
        extra = fields.get("EventKey", "")
        if event.upper() == PUBLISH_JOB_FINISH:
            publish_job = parse_publish_job(root)
            extra = publish_job.publish_id
        elif event.upper() == MASS_SEND_JOB_FINISH:
            mass_job = parse_mass_send_job(fields)
            extra = mass_job.msg_id
        parts = [sender, create_time.strip(), event] + ([extra] if extra else [])
        key = dedup_key(*parts)
    else:
        msg_id = fields.get("MsgId", "").strip()
        key = msg_id or dedup_key(sender, create_time.strip(), msg_type)
    message = IncomingMessage(
        platform=Platform.WECHAT,
        account_key=account_key,
        dedup_key=key,
        sender=sender,
        created_at=created_at,
        msg_type=msg_type,
        text=fields.get("Content", "") if msg_type == "text" else "",
        event=event,
        raw=fields,
    )
    return message, publish_job, mass_job
