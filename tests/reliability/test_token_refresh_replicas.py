"""Two ``newmedia serve`` replicas on one PostgreSQL, one out-of-process sandbox: each WeChat
account's token is refreshed by exactly one replica — the holder of the account's lease — round
after round, and when that replica is killed (SIGKILL) the other takes the account over once the
lease ran out.

The sandbox listens on one port per replica (``--ports 2``), so the Host of each
``stable_token`` call it records says which replica made it. A round every ROUND seconds with a
horizon of a day makes every round refresh; the test polls the sandbox's counts, never sleeps.
A lease lasts three rounds, so a holder keeps it through a tick late by up to two rounds (4 s
on a loaded machine) — the one-replica assertions assume no later tick than that.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from publish_harness import control, until
from soak_support import replicas
from sqlalchemy.ext.asyncio import AsyncEngine
from test_serve_lifecycle import free_port

from review.db import SessionFactory, session_factory
from review.leases import token_lease
from review.store import leases

ROOT = Path(__file__).resolve().parents[2]
WECHAT = ("ccmz_wechat", "ccyl_wechat")
ROUND = 2  # token_refresh_seconds; the lease lasts three rounds (review/leases.py)
ROUNDS = 4  # refresh rounds counted in each phase

pytestmark = [pytest.mark.slow, pytest.mark.pg_only]


@contextmanager
def sandbox(ports: int) -> Iterator[list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox_server", "--settings", str(ROOT / "settings.toml"),
         "--ports", str(ports)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("LISTENING "), line
        yield line.split()[1:]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def settings_for(folder: Path, platforms_url: str) -> Path:
    """The shipped settings, every platform at ``platforms_url``, token rounds every ROUND s."""
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    text = text.replace("token_refresh_seconds = 60\n", f"token_refresh_seconds = {ROUND}\n")
    day = "token_refresh_ahead_seconds = 86400\n"
    text = text.replace("token_refresh_ahead_seconds = 600\n", day)
    for key, platform in (("ccmz_wechat", "wechat"), ("ccmz_weibo", "weibo"),
                          ("ccyl_wechat", "wechat"), ("review_app", "wecom")):  # fmt: skip
        line = f'key = "{key}"\n'
        assert text.count(line) == 1, key
        text = text.replace(line, f'{line}api_base = "{platforms_url}/{platform}"\n')
    assert f"token_refresh_seconds = {ROUND}\n" in text and day in text
    folder.mkdir()
    path = folder / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def token_calls(url: str) -> dict[str, Counter[str]]:
    """WeChat account → Host → ``stable_token`` calls the sandbox received."""
    seen = control(url, "/_control/requests?endpoint=cgi-bin/stable_token")
    assert isinstance(seen, dict)
    return {acc: Counter({str(h): int(n) for h, n in seen.get(acc, {}).items()}) for acc in WECHAT}


def host(url: str) -> str:
    return url.removeprefix("http://")


async def holders(sf: SessionFactory) -> dict[str, int]:
    """WeChat account → the pid in its lease holder's name (``host-pid-random``)."""
    async with sf() as s:
        found = {acc: await leases.current(s, token_lease(acc)) for acc in WECHAT}
    return {acc: int(lease.holder.rsplit("-", 2)[1]) for acc, lease in found.items() if lease}


def more(now: dict[str, Counter[str]], then: dict[str, Counter[str]]) -> dict[str, Counter[str]]:
    return {acc: now[acc] - then[acc] for acc in WECHAT}


async def test_one_replica_refreshes_each_account_and_a_dead_ones_accounts_move(
    engine: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    sf = session_factory(engine)
    paths = [tmp_path / name for name in ("a", "b")]
    with sandbox(2) as urls, ExitStack() as stack:
        settings = [settings_for(path, url) for path, url in zip(paths, urls, strict=True)]
        group = stack.enter_context(replicas(settings, db_url, [free_port(), free_port()]))
        for i in range(2):
            group.start(i)
        hosts = [host(url) for url in urls]
        procs = {h: group.procs[i] for i, h in enumerate(hosts)}
        by_pid = {proc.pid: h for h, proc in procs.items()}

        async def rounds_done(
            then: dict[str, Counter[str]], n: int
        ) -> dict[str, Counter[str]] | None:
            now = token_calls(urls[0])
            return now if all(sum(more(now, then)[acc].values()) >= n for acc in WECHAT) else None

        # the first rounds; an empty store may also have been filled on demand by either replica
        empty = {acc: Counter[str]() for acc in WECHAT}
        start = await until(lambda: rounds_done(empty, 3), "the first token rounds", 120)
        counted = await until(lambda: rounds_done(start, ROUNDS), f"{ROUNDS} more rounds", 120)
        owners = await holders(sf)
        for acc, calls in more(counted, start).items():
            assert list(calls) == [by_pid[owners[acc]]], (acc, calls, owners)  # one replica

        # the holder of the first account dies; the survivor takes every account over
        victim = by_pid[owners[WECHAT[0]]]
        survivor = next(h for h in procs if h != victim)
        group.kill9(hosts.index(victim))
        before = token_calls(urls[0])

        async def taken_over() -> dict[str, Counter[str]] | None:
            now = token_calls(urls[0])
            new = more(now, before)
            return now if all(new[acc][survivor] >= ROUNDS for acc in WECHAT) else None

        after = await until(taken_over, "the survivor's rounds", 120)
        assert all(list(calls) == [survivor] for calls in more(after, before).values())
        assert set((await holders(sf)).values()) == {procs[survivor].pid}
    for i in range(2):  # stopped by now: their shutdown is in the logs too
        text = group.log(i).read_text(encoding="utf-8")
        assert "Traceback" not in text, text[-3000:]
