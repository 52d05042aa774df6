"""Shared aiohttp plumbing for the platform clients.

One place turns network trouble into ``Transient`` and keeps secrets out of the logs: URLs are
logged by path only, because every platform puts its access token in the query string.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp

from channels.base import NotSent, Rejected, Transient

log = logging.getLogger("channels.http")

_FORM = "application/x-www-form-urlencoded"

#: a zero-argument factory, so a multipart body can be rebuilt for the one retry after a refresh
BodyFactory = Callable[[], aiohttp.FormData]


class Session:
    """Owns an ``aiohttp.ClientSession`` unless the caller lends one (the service lends its own)."""

    def __init__(self, session: aiohttp.ClientSession | None, timeout: float) -> None:
        self._session = session
        self._owned = session is None
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owned = True
        return self._session

    async def close(self) -> None:
        if self._owned and self._session is not None and not self._session.closed:
            await self._session.close()


async def request_json(
    http: Session,
    method: str,
    url: str,
    *,
    platform: str,
    endpoint: str,
    params: Mapping[str, str] | None = None,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    multipart: BodyFactory | None = None,
) -> tuple[int, dict[str, Any]]:
    """Send one request and return (HTTP status, decoded JSON object).

    Network errors, timeouts, 5xx and undecodable bodies become ``Transient``; a non-JSON 4xx is
    ``Rejected`` (wrong URL or a gateway refusing us - retrying will not help).
    """
    data: Any = None
    body: bytes | None = None
    headers: dict[str, str] | None = None
    if multipart is not None:
        data = multipart()
    elif form is not None:
        # encoded here, as aiohttp's FormData would, at a third of its cost (a Weibo post)
        body, headers = urlencode(form).encode(), {"Content-Type": _FORM}
    if json_body is not None:
        # ensure_ascii=False: WeChat stores \uXXXX escapes literally in article text
        body = json.dumps(json_body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
    started = time.perf_counter()
    try:
        async with http.get().request(
            method,
            url,
            params=params,
            data=body if body is not None else data,
            headers=headers,
            timeout=http.timeout,
        ) as resp:
            status = resp.status
            raw = await resp.read()
    except TimeoutError:
        log.warning("%s %s timed out", platform, endpoint)
        # "from None": aiohttp errors can carry the URL, and the URL carries the access token
        raise Transient(f"{platform} {endpoint} 请求超时", code="timeout") from None
    except aiohttp.ClientConnectorError:
        log.warning("%s %s: cannot connect", platform, endpoint)
        # never left: ``NotSent``, safe to resend. Any other Transient from a write (timeout,
        # network, 5xx) may have been carried out - reconcile with ``check`` before resending.
        raise NotSent(f"{platform} {endpoint} 无法连接") from None
    except aiohttp.ClientError as exc:
        log.warning("%s %s network error: %s", platform, endpoint, type(exc).__name__)
        reason = type(exc).__name__
        raise Transient(f"{platform} {endpoint} 网络错误（{reason}）", code="network") from None
    elapsed = (time.perf_counter() - started) * 1000
    log.debug("%s %s -> HTTP %s in %.1f ms", platform, endpoint, status, elapsed)
    if status >= 500:
        raise Transient(f"{platform} {endpoint} 服务端错误 HTTP {status}", code=f"http {status}")
    try:
        decoded = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        if status >= 400:
            raise Rejected(f"{platform} {endpoint} HTTP {status}", code=f"http {status}") from exc
        raise Transient(f"{platform} {endpoint} 返回无法解析", code="bad json") from exc
    if not isinstance(decoded, dict):
        raise Transient(f"{platform} {endpoint} 返回格式异常", code="bad json")
    return status, decoded


def join_url(base_url: str, path: str) -> str:
    """``base`` may carry a path prefix (``http://host/sandbox/wechat``); keep it."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")
