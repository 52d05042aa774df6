"""One ``Channel`` per account, built from settings: sandbox accounts talk to the in-process
sandbox (a real loopback base URL), real ones to ``api_base`` or the platform's default.

Tokens live in the database (``DbTokenStore``): one holder per account, refreshed by one tick.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.config.load import Settings
from bot.platforms.media import media_policy
from channels.base import Channel
from channels.sandbox.config import SandboxConfig, WeChatAccount, WeComCorp, WeiboAccount
from channels.wechat import api as wechat_api
from channels.wechat.channel import ImageLoader, WeChatChannel
from channels.wecom import api as wecom_api
from channels.weibo import api as weibo_api
from channels.weibo.channel import STATUS_URL, WeiboChannel
from review.db import SessionFactory
from review.media import MediaPolicy
from review.media_files import publish_loader
from review.media_renditions import ARTICLE_IMAGE, THUMB, Profile, convert, fits
from review.publishing.config import PostOptions
from review.store.tokens import DbTokenStore
from review.token_cipher import TokenCipher

#: the cover a sandbox account uses when a draft has none (real accounts must supply one)
DEFAULT_COVER = "nm-sandbox-default-cover.png"


def _png(width: int = 90, height: int = 50, rgb: tuple[int, int, int] = (181, 18, 27)) -> bytes:
    """A plain red cover image, generated so the package ships no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def sandbox_loader(files: ImageLoader, *, profile: Profile | None = None) -> ImageLoader:
    """A sandbox account also has a generated cover for drafts that bring none (made into the
    ``profile``'s rendition, as a draft's own cover is)."""
    cover = _png()
    name, kind = DEFAULT_COVER, "image/png"
    if profile is not None and not fits(cover, profile):
        cover, name, kind = convert(cover, profile), DEFAULT_COVER[:-4] + ".jpg", "image/jpeg"

    async def load(src: str) -> tuple[str, bytes, str]:
        if src == DEFAULT_COVER:
            return name, cover, kind
        return await files(src)

    return load


def weibo_uid(key: str) -> str:
    return str(5_000_000_000 + zlib.crc32(key.encode()) % 1_000_000)


def sandbox_page(settings: Settings) -> str:
    """Where people read the demo sandbox (its timeline, its posts' links)."""
    return settings.file.service.public_url.rstrip("/") + "/sandbox"


def sandbox_config(settings: Settings, *, public_url: str = "/sandbox") -> SandboxConfig:
    """The fake platforms know exactly the sandbox accounts of the settings, with their secrets."""
    accounts = settings.accounts
    sb = settings.file.sandbox
    wecom_users = tuple(p.wecom for p in settings.people.values() if p.wecom)
    return SandboxConfig(
        wechat=tuple(
            WeChatAccount(k, a.app_id, settings.secrets[k].app_secret, name=a.name)
            for k, a in accounts.items()
            if a.sandbox and a.platform == "wechat"
        ),
        weibo=tuple(
            WeiboAccount(k, settings.secrets[k].token, weibo_uid(k), a.safe_domain or "", a.name)
            for k, a in accounts.items()
            if a.sandbox and a.platform == "weibo"
        ),
        wecom=tuple(
            WeComCorp(w.corp_id, settings.secrets[k].app_secret, w.agent_id, wecom_users, k)
            for k, w in settings.wecom_apps.items()
            if w.sandbox
        ),
        token_ttl=float(sb.token_ttl_seconds),
        publish_delay=sb.publish_delay_seconds,
        latency=sb.latency_ms / 1000.0,
        public_url=public_url,
    )


def token_store(settings: Settings, sessions: SessionFactory) -> DbTokenStore:
    """The access-token store, encrypting with ``NEWMEDIA_TOKEN_KEY`` (demo mode: the demo key)."""
    return DbTokenStore(sessions, TokenCipher(settings.token_keys))


def build_channels(
    settings: Settings,
    tokens: DbTokenStore,
    *,
    http: aiohttp.ClientSession | None,
    sandbox_url: str | None,
    media: MediaPolicy | None = None,
) -> dict[str, Channel]:
    """Account key → Channel. A sandbox account without a running sandbox gets no channel.
    Every WeChat channel reads images only through ``review.media`` (the media folder)."""
    out: dict[str, Channel] = {}
    policy = media or media_policy(settings)
    files = publish_loader(policy, profile=ARTICLE_IMAGE)
    covers = publish_loader(policy, profile=THUMB)
    rip = os.environ.get("NEWMEDIA_WEIBO_RIP", "127.0.0.1")
    sandbox_public = sandbox_page(settings)
    for key, a in settings.accounts.items():
        secrets = settings.secrets[key]
        if a.sandbox and not a.api_base and not sandbox_url:
            continue
        if a.platform == "wechat":
            base = a.api_base or (
                f"{sandbox_url}/wechat" if a.sandbox else wechat_api.DEFAULT_BASE_URL
            )
            api = wechat_api.WeChatAPI(
                key, a.app_id, secrets.app_secret, tokens=tokens, base_url=base, session=http
            )
            cover = sandbox_loader(covers, profile=THUMB) if a.sandbox else covers
            out[key] = WeChatChannel(
                api,
                load_image=files,
                load_cover=cover,
                comment_kinds=frozenset(a.open_comments_kinds),
                only_fans_can_comment=a.only_fans_can_comment,
            )
        else:
            base = a.api_base or (
                f"{sandbox_url}/weibo" if a.sandbox else weibo_api.DEFAULT_BASE_URL
            )
            wapi = weibo_api.WeiboAPI(key, secrets.token, rip=rip, base_url=base, session=http)
            # a sandbox status is read on the sandbox's own timeline, never on weibo.cn
            status_url = f"{sandbox_public}/timeline#wb-{{id}}" if a.sandbox else STATUS_URL
            out[key] = WeiboChannel(wapi, safe_domain=a.safe_domain or "", status_url=status_url)
    return out


def post_options(settings: Settings) -> dict[str, PostOptions]:
    out: dict[str, PostOptions] = {}
    for key, a in settings.accounts.items():
        # Weibo links each post to its article's own page (``channels.weibo.links``)
        link = a.article_url_template if a.platform == "weibo" else None
        cover = a.default_cover or (DEFAULT_COVER if a.sandbox else None)
        out[key] = PostOptions(a.push_to_followers, link, cover)
    return out


def wecom_client(
    settings: Settings, key: str, *, http: aiohttp.ClientSession | None, sandbox_url: str | None
) -> wecom_api.WeComAPI:
    """The reviewers' WeCom app client (the chat area sends through it)."""
    cfg = settings.wecom_apps[key]
    base = cfg.api_base or (f"{sandbox_url}/wecom" if cfg.sandbox and sandbox_url else "")
    return wecom_api.WeComAPI(
        cfg.corp_id,
        settings.secrets[key].app_secret,
        cfg.agent_id,
        base_url=base or wecom_api.DEFAULT_BASE_URL,
        session=http,
    )


async def close_all(channels: Mapping[str, Any]) -> None:
    for channel in channels.values():
        api = getattr(channel, "api", None)
        close = getattr(api, "close", None)
        if close is not None:
            await close()
