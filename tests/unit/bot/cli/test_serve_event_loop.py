"""``newmedia serve`` runs on uvloop (bot/server.py ``loop_factory``): the figures in
docs/benchmarks.md are the service's own loop, not only a benchmark's."""

from __future__ import annotations

import argparse
import asyncio

import pytest
import uvloop

from bot.cli.actions import serve as action
from bot.cli.parser import main


def test_the_serve_command_runs_the_service_on_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[type[asyncio.AbstractEventLoop]] = []

    async def service(args: argparse.Namespace) -> int:
        seen.append(type(asyncio.get_running_loop()))
        return 7  # what the service returned is the command's exit code

    monkeypatch.setattr(action, "serve", service)
    assert main(["serve", "--port", "8099"]) == 7
    assert seen == [uvloop.Loop]
