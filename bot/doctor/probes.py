"""Which platform bases ``newmedia doctor`` asks, and the one harmless request it makes.

The bases are the ones ``bot.platforms.registry.build_channels`` and ``wecom_client`` give each
account and app: its ``api_base``, else the demo sandbox inside ``serve`` (a sandbox account in
demo mode) or the platform's own address. Accounts sharing a base are asked once.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import aiohttp

from bot.config.schema import SettingsFile
from bot.doctor.facts import ClockReading, ProbeFacts, ProbeMode, ProbeOutcome
from channels.wechat.api import DEFAULT_BASE_URL as WECHAT_BASE
from channels.wecom.api import DEFAULT_BASE_URL as WECOM_BASE
from channels.weibo.api import DEFAULT_BASE_URL as WEIBO_BASE
from channels.weibo.api import DEFAULT_MESSAGES_URL as WEIBO_MESSAGES

DEFAULTS = {"wechat": WECHAT_BASE, "weibo": WEIBO_BASE, "wecom": WECOM_BASE}
#: a Date header has whole seconds
DATE_RESOLUTION_S = 1.0


def _one(
    found: dict[str, ProbeFacts], url: str, target: str, setting: str, platform: str,
    mode: ProbeMode,
) -> None:  # fmt: skip
    seen = found.get(url)
    if seen is None:
        found[url] = ProbeFacts(target, setting, platform, url, mode)
    else:
        found[url] = replace(
            seen, target=f"{seen.target}、{target}", setting=f"{seen.setting}、{setting}"
        )


def probe_targets(f: SettingsFile) -> tuple[ProbeFacts, ...]:
    """One entry per base URL, naming every account and app behind it. A sandbox account
    outside demo mode gets none: it has no channel (``production`` reports it)."""
    found: dict[str, ProbeFacts] = {}
    sandbox_page = f.service.public_url.rstrip("/") + "/sandbox"
    entries = [
        (f"账号 {a.key}", f"accounts[{i}].api_base", a.platform, a.sandbox, a.api_base)
        for i, a in enumerate(f.accounts)
    ] + [
        (f"应用 {w.key}", f"wecom_apps[{i}].api_base", "wecom", w.sandbox, w.api_base)
        for i, w in enumerate(f.wecom_apps)
    ]
    for target, setting, platform, sandbox, api_base in entries:
        if api_base:
            _one(found, api_base, target, setting, platform, "api_base")
        elif sandbox and f.sandbox.enabled:
            _one(found, f"{sandbox_page}/{platform}", target, setting, platform, "in_process")
        elif not sandbox:
            _one(found, DEFAULTS[platform], target, setting, platform, "default")
            if platform == "weibo":  # the fan service's replies go to their own host
                _one(found, WEIBO_MESSAGES, target, setting, platform, "default")
    return tuple(found.values())


def sandbox_in_production(f: SettingsFile) -> tuple[str, ...]:
    """The accounts and apps ``probe_targets`` leaves out: ``sandbox = true`` without an
    ``api_base`` while ``[sandbox] enabled = false`` (the service refuses to start with them)."""
    if f.sandbox.enabled:
        return ()
    return tuple(f"账号 {a.key}" for a in f.accounts if a.sandbox and not a.api_base) + tuple(
        f"应用 {w.key}" for w in f.wecom_apps if w.sandbox and not w.api_base
    )


def outcome_of(exc: BaseException, timeout: float) -> tuple[ProbeOutcome, str]:
    """Why a base could not be reached, in a line (a base URL carries no secret)."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns", str(exc.os_error)[:200]
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "tls", str(exc)[:200]
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return "refused", str(exc.os_error)[:200]
        if isinstance(exc.os_error, TimeoutError):
            return "timeout", f"{timeout:g} 秒"
        return "other", str(exc)[:200]
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "timeout", f"{timeout:g} 秒"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", str(exc)[:200]
    return "other", f"{type(exc).__name__}: {str(exc)[:200]}"


def _date_header(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        found = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


async def probe(http: aiohttp.ClientSession, p: ProbeFacts, limit_s: float) -> ProbeFacts:
    """One GET of the base URL, no credentials, redirects not followed: any HTTP answer means
    the platform is reachable; its Date header is read for the clock."""
    if p.mode == "in_process":
        return p
    before = time.time()
    try:
        async with http.get(
            p.url, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=limit_s)
        ) as resp:
            after = time.time()
            status, date = resp.status, _date_header(resp.headers.get("Date"))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        outcome, said = outcome_of(exc, limit_s)
        return replace(p, outcome=outcome, error_text=said)
    clock = None
    if date is not None:
        offset = date.timestamp() - (before + after) / 2
        uncertainty = (after - before) / 2 + DATE_RESOLUTION_S
        clock = ClockReading(urlsplit(p.url).netloc, offset, uncertainty)
    return replace(p, outcome="reachable", status=status, clock=clock)
