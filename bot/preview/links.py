"""Signed, expiring preview links that WeCom's browser opens without a console sign-in.

A token names one revision, one platform, the reviewer it was issued to (0: none) and when it
expires, and carries an HMAC-SHA256 over exactly those. The key is derived from the service's
secret key (``NEWMEDIA_SECRET_KEY``, read by ``bot.config.env_secrets``) with a label of its
own, so a preview token can never pass as a console session and no new secret is needed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: long enough for a card read the next working day, as long as a WeCom card can be updated
TTL = timedelta(hours=72)
PLATFORMS = ("wechat", "weibo")
_LABEL = b"newmedia-preview-link-v1"
_SHAPE = re.compile(r"^(\d{1,12})\.(wechat|weibo)\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")


class LinkRefused(Exception):
    """A token that does not open a preview; ``expired`` tells 410 from 403."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.expired = expired


@dataclass(frozen=True)
class Grant:
    """What a valid token lets its holder see."""

    revision_id: int
    platform: str
    viewer_id: int
    expires_at: datetime


def link_key(secret_key: str) -> bytes:
    """The preview key: the service secret with this link's own label (domain separation)."""
    return hmac.new(secret_key.encode(), _LABEL, hashlib.sha256).digest()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(key: bytes, revision_id: int, platform: str, viewer_id: int, now: datetime) -> str:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    expires = int((now + TTL).timestamp())
    payload = f"{revision_id}.{platform}.{viewer_id}.{expires}"
    return f"{payload}.{_mac(key, payload)}"


def verify(key: bytes, token: str, now: datetime) -> Grant:
    """The grant of a genuine, unexpired token; ``LinkRefused`` (in Chinese) otherwise."""
    found = _SHAPE.match(token)
    if found is None:
        raise LinkRefused("预览链接无效：链接不完整或被改动过。")
    rev, platform, viewer, expires = found.group(1, 2, 3, 4)
    payload = f"{rev}.{platform}.{viewer}.{expires}"
    if not hmac.compare_digest(_mac(key, payload), found.group(5)):
        raise LinkRefused("预览链接无效：链接不完整或被改动过。")
    expires_at = datetime.fromtimestamp(int(expires), UTC)
    if now >= expires_at:
        raise LinkRefused(
            "预览链接已过期，请在企业微信中重新发送「查看 任务编号」获取新链接。", expired=True
        )
    return Grant(int(rev), platform, int(viewer), expires_at)


def preview_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/preview/{token}"
