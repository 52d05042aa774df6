"""The soak test's moving parts: ``newmedia serve`` replicas on one PostgreSQL and the citizens'
callback load with WeChat's retries.

Replicas are real ``python -m bot serve`` processes in their own process groups (a failed test
still takes everything down), logging to files (a full pipe would block them), started on fixed
ports so a killed one comes back where nginx expects it. The load is what WeChat's servers send:
signed, encrypted (safe mode) XML, each message delivered three times with the same MsgId, the
deliveries shuffled across 16 concurrent senders; a delivery that fails (connection error, 5xx)
is tried again a few times, and every MsgId answered 200 at least once is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from publish_harness import write_settings

from bot.config.load import load_settings
from channels.sandbox.follower import Follower

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "ccmz_wechat"


def soak_settings(tmp: Path, sandbox_url: str, public_url: str, **publishing: object) -> Path:
    """The harness's fast publishing settings, every account and WeCom app on the shared
    out-of-process sandbox (``api_base``), the proxy as the public address and trusted."""
    path = write_settings(tmp, **publishing)
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r'^platform = "(wechat|weibo)"$',
        lambda m: f'{m.group(0)}\napi_base = "{sandbox_url}/{m.group(1)}"',
        text,
        flags=re.M,
    )
    text = re.sub(r"^(agent_id = \d+)$", rf'\1\napi_base = "{sandbox_url}/wecom"', text, flags=re.M)
    text = re.sub(
        r'^public_url = ".*"$',
        f'public_url = "{public_url}"\ntrusted_proxies = ["127.0.0.1/32"]',
        text,
        count=1,
        flags=re.M,
    )
    path.write_text(text, encoding="utf-8")
    return path


def replica_env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWMEDIA_")}
    env["NEWMEDIA_DATABASE_URL"] = db_url
    env["NEWMEDIA_MEDIA_ROOT"] = str(ROOT / "media")  # the shipped covers
    env["NEWMEDIA_LOG_FORMAT"] = "plain"
    return env


def newmedia(settings: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """One ``newmedia`` command (``db upgrade``, ``audit verify``) against the soak database."""
    argv = [sys.executable, "-m", "bot", "--settings", str(settings), *args]
    return subprocess.run(
        argv, cwd=settings.parent, env=replica_env(db_url), capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return bool(json.loads(r.read()).get("ok"))
    except (OSError, ValueError):
        return False


class Replicas:
    """``newmedia serve`` processes on fixed ports, one log file each (appended across a
    restart) beside its settings file: one file for all, or one each (e.g. each replica on its
    own sandbox port). ``kill9`` is SIGKILL to the one process; ``close`` stops every group."""

    def __init__(self, settings: Path | list[Path], db_url: str, ports: list[int]) -> None:
        self.each = settings if isinstance(settings, list) else [settings] * len(ports)
        self.db_url, self.ports = db_url, ports
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def log(self, i: int) -> Path:
        return self.each[i].parent / f"replica{i}.log"

    def start(self, i: int, limit: float = 180.0) -> None:
        argv = [sys.executable, "-m", "bot", "--settings", str(self.each[i]), "serve",
                "--port", str(self.ports[i])]  # fmt: skip
        with self.log(i).open("ab") as out:
            self.procs[i] = proc = subprocess.Popen(
                argv, cwd=self.each[i].parent, env=replica_env(self.db_url), stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + limit  # start-up on a loaded machine, not a race
        while not _healthy(self.ports[i]):
            assert proc.poll() is None, f"replica {i} exited {proc.returncode}: {self.tail(i)}"
            assert time.monotonic() < deadline, f"replica {i} never healthy: {self.tail(i)}"
            time.sleep(0.2)

    def kill9(self, i: int) -> None:
        proc = self.procs[i]
        proc.kill()
        assert proc.wait(timeout=30) == -signal.SIGKILL

    def pid(self, i: int) -> int:
        return self.procs[i].pid

    def tail(self, i: int, chars: int = 3000) -> str:
        return self.log(i).read_text(encoding="utf-8", errors="replace")[-chars:]

    def close(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextlib.contextmanager
def replicas(settings: Path | list[Path], db_url: str, ports: list[int]) -> Iterator[Replicas]:
    group = Replicas(settings, db_url, ports)
    try:
        yield group
    finally:
        group.close()


#: one delivery: who sends it, its MsgId, the signed query and the encrypted body
Delivery = tuple[Follower, str, dict[str, str], bytes]


@dataclass
class CallbackLoad:
    """Distinct messages, three deliveries each, from ``senders`` concurrent senders through
    ``base_url``, until ``stop`` is set (the block of messages under way is finished) or
    ``limit`` messages were made. ``answered``: MsgIds answered 200 at least once."""

    base_url: str
    settings: Path
    senders: int = 16
    limit: int = 2400
    block: int = 48
    tries: int = 4
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    made: int = 0
    answered: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    #: deliveries that never got a 200 (a message may still be answered by another one)
    gave_up: int = 0
    #: answers no retry can fix (4xx): the request itself was refused
    refused: list[tuple[str, int, bytes]] = field(default_factory=list)
    _queue: list[Delivery] = field(default_factory=list)
    _rng: random.Random = field(default_factory=lambda: random.Random(16))

    def _next(self, followers: list[Follower]) -> Delivery | None:
        """The next delivery, from a new block of messages when one is used up (None: done)."""
        if not self._queue:
            if self.stop.is_set() or self.made >= self.limit:
                return None
            self._queue = self._make_block(followers)
        return self._queue.pop()

    def _make_block(self, followers: list[Follower]) -> list[Delivery]:
        batch: list[Delivery] = []
        for msg_id in range(1_000_000 + self.made, 1_000_000 + self.made + self.block):
            f = followers[msg_id % len(followers)]
            xml = f.text_xml(f"留言{msg_id}：我家老人想申请入住养老院", msg_id=msg_id)
            query, body = f.build_request(xml)
            batch += [(f, str(msg_id), query, body)] * 3
        self.made += self.block
        self._rng.shuffle(batch)  # the retries arrive at any sender, beside the first delivery
        return batch

    async def _deliver(self, f: Follower, msg_id: str, query: dict[str, str], body: bytes) -> None:
        for attempt in range(self.tries):
            try:
                reply = await f.post(query, body)
                status, raw = reply.status, reply.body
            except (aiohttp.ClientError, TimeoutError):
                status, raw = 0, b""
            self.statuses[status] += 1
            if status == 200:
                self.answered.add(msg_id)
                return
            if 400 <= status < 500:
                self.refused.append((msg_id, status, raw[:200]))
                return
            await asyncio.sleep(0.3 * 2**attempt)  # WeChat's retry pause, not a wait for state
        self.gave_up += 1

    async def run(self) -> None:
        s = load_settings(self.settings, env={})
        sec, acc = s.secrets[ACCOUNT], s.accounts[ACCOUNT]
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(ssl=False)  # nginx's self-signed certificate
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
            followers = [
                Follower(self.base_url, ACCOUNT, sec.token, sec.aes_key, acc.app_id, "aes",
                         f"o_soak_{i}", session=http)
                for i in range(self.senders)
            ]  # fmt: skip

            async def sender() -> None:
                while (delivery := self._next(followers)) is not None:
                    await self._deliver(*delivery)

            await asyncio.gather(*(sender() for _ in range(self.senders)))
