"""What the three fake platforms share: errors, latency, faults and request recording.

Each platform is a sub-application whose handlers raise ``SandboxError``; one middleware turns it
into that platform's error body, applies latency and scripted faults, and records the call. Right
after a handler ran, the account it touched is saved to the state file (``persistence``), before
the caller sees the answer: what a client was told survives a restart.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from channels.sandbox.config import SandboxConfig
from channels.sandbox.faults import Faults
from channels.sandbox.persistence import Ids, SandboxStore
from channels.sandbox.recorder import RecordedRequest, Recorder, scrub

S = TypeVar("S")
Doc = dict[str, Any]

ACCOUNT = web.RequestKey("nm_sandbox_account", str)
PAYLOAD = web.RequestKey("nm_sandbox_payload", dict)


class SandboxError(Exception):
    def __init__(self, code: int, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}


def endpoint_of(path: str) -> str:
    """``/sandbox/wechat/cgi-bin/draft/add`` → ``cgi-bin/draft/add``."""
    for marker in ("/cgi-bin/", "/2/", "/datacube/"):
        at = path.find(marker)
        if at >= 0:
            return path[at + 1 :]
    return path.lstrip("/")


class PlatformSandbox:
    """Base of the WeChat, Weibo and WeCom fakes."""

    platform = "?"

    def __init__(
        self,
        config: SandboxConfig,
        faults: Faults,
        recorder: Recorder,
        store: SandboxStore | None = None,
    ) -> None:
        self.config = config
        self.faults = faults
        self.recorder = recorder
        self.store = store or SandboxStore()
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- to override -------------------------------------------------------------------------

    def error_response(self, error: SandboxError, endpoint: str) -> web.Response:
        body = {"errcode": error.code, "errmsg": error.message, **error.extra}
        return web.json_response(body)

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    def documents(self, account: str | None) -> dict[str, dict[str, Any]]:
        """The state file's documents for ``account`` (and the platform's id counter)."""
        raise NotImplementedError

    # ---- the state file: ``<platform>/#ids`` and one document per account ----------------------

    def load_ids(self, first: int) -> Ids:
        return Ids(first, self.store.load(f"{self.platform}/#ids"))

    def load_states(self, states: Mapping[str, S], restore: Callable[[S, Doc], None]) -> list[str]:
        """Restore each account the state file holds; the keys restored."""
        restored: list[str] = []
        for key, state in states.items():
            doc = self.store.load(f"{self.platform}/{key}")
            if doc is not None:
                restore(state, doc)
                restored.append(key)
        return restored

    def state_documents(
        self, ids: Ids, states: Mapping[str, S], account: str | None, dump: Callable[[S], Doc]
    ) -> dict[str, Doc]:
        docs = {f"{self.platform}/#ids": ids.dump()}
        if account is not None and account in states:
            docs[f"{self.platform}/{account}"] = dump(states[account])
        return docs

    # ---- shared ------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(self.routes())
        app.on_cleanup.append(self._cancel_tasks)
        return app

    def now(self) -> float:
        return self.config.clock()

    def save(self, account: str | None = None) -> None:
        """Write what changed for ``account`` to the state file (nothing without one)."""
        if self.store.persistent:
            self.store.save(self.documents(account))

    def spawn(self, coro: Any) -> None:
        """Run background work (timers, event pushes) owned by the app's lifetime."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _cancel_tasks(self, _app: web.Application) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def json_body(self, request: web.Request) -> dict[str, Any]:
        try:
            data = json.loads(await request.read() or b"{}")
        except ValueError as exc:
            raise SandboxError(47001, "data format error") from exc
        if not isinstance(data, dict):
            raise SandboxError(47001, "data format error")
        request[PAYLOAD] = data
        return data

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        endpoint = endpoint_of(request.path)
        if self.config.latency > 0:
            await asyncio.sleep(self.config.latency)
        fault = self.faults.take(self.platform, endpoint)
        result: int | str = 0
        try:
            late = fault is not None and (bool(fault.delay) or fault.hold is not None)
            if fault is not None and (fault.errcode is not None or fault.status or not late):
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.errcode is not None:
                    result = fault.errcode
                    error = SandboxError(fault.errcode, "sandbox fault")
                    return self.error_response(error, endpoint)
                result = f"http {fault.status or 500}"
                return web.Response(status=fault.status or 500, text="sandbox fault")
            try:
                response = await handler(request)
            except SandboxError as error:
                result = error.code
                response = self.error_response(error, endpoint)
            finally:
                self.save(request.get(ACCOUNT))
            if fault is not None and fault.delay:
                # the platform did the work; only the answer is late (client times out)
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.hold is not None:
                await fault.hold.wait()  # the same, until the test lets the answer go
            return response
        finally:
            params = {**request.query, **request.get(PAYLOAD, {})}
            self.recorder.add(
                RecordedRequest(
                    platform=self.platform,
                    account=request.get(ACCOUNT),
                    endpoint=endpoint,
                    params=scrub(params),
                    result=result,
                    faulted=fault is not None,
                    at=self.now(),
                    host=request.host,
                )
            )
