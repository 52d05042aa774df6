"""Every request the sandbox saw, so tests assert on what was actually sent.

Secrets (tokens, app secrets) are dropped before recording: the timeline page and test failure
output may show these records. With a state file the records are kept there too, so what the
control API reports (``/_control/requests``) spans restarts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from channels.sandbox.persistence import SandboxStore

SECRET_KEYS = frozenset({"access_token", "secret", "corpsecret", "appsecret", "client_secret"})


@dataclass(frozen=True)
class RecordedRequest:
    platform: str  # wechat | weibo | wecom
    account: str | None  # account_key (WeChat, Weibo) or corpid (WeCom); None if unknown
    endpoint: str  # e.g. "cgi-bin/draft/add", "2/statuses/share.json"
    params: dict[str, Any] = field(default_factory=dict)  # query + body, secrets removed
    result: int | str = 0  # errcode / error_code answered, or "http 500"
    faulted: bool = False  # answered by a scripted fault
    at: float = 0.0
    #: the Host the client addressed: with the sandbox on several ports (one per replica under
    #: test, ``python -m bot.sandbox_server --ports N``), which replica called
    host: str = ""


class Recorder:
    """Append-only; ``find`` filters without copying the whole list more than once."""

    def __init__(self, store: SandboxStore | None = None) -> None:
        self._store = store or SandboxStore()
        self.requests: list[RecordedRequest] = [
            RecordedRequest(**r) for r in self._store.requests()
        ]

    def add(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        self._store.add_request(asdict(request))

    def find(
        self,
        *,
        platform: str | None = None,
        endpoint: str | None = None,
        account: str | None = None,
    ) -> list[RecordedRequest]:
        want = endpoint.lstrip("/") if endpoint else None
        return [
            r
            for r in self.requests
            if (platform is None or r.platform == platform)
            and (want is None or r.endpoint == want)
            and (account is None or r.account == account)
        ]

    def count(self, endpoint: str, *, platform: str | None = None) -> int:
        return len(self.find(platform=platform, endpoint=endpoint))

    def clear(self) -> None:
        self.requests.clear()
        self._store.clear_requests()

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.requests)

    def __len__(self) -> int:
        return len(self.requests)


def scrub(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in SECRET_KEYS}
