"""``newmedia chat --as PERSON "…"`` through the running service's real WeCom callback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from chat_support import ROOT_SETTINGS, Service, start, submitted

from bot.cli import main


@pytest.fixture
async def service(settings, sf) -> AsyncIterator[Service]:  # type: ignore[no-untyped-def]
    async for svc in start(settings, sf):
        yield svc


async def cli(*argv: str) -> int:
    return await asyncio.to_thread(main, ["--settings", str(ROOT_SETTINGS), *argv])


async def test_chat_command_as_a_person(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    _, task_id = await submitted(service.sf)
    url = str(service.client.make_url("")).rstrip("/")
    assert await cli("chat", "--as", "李娜", "--url", url, "认领", str(task_id)) == 0
    out = capsys.readouterr().out
    assert f"任务 {task_id}" in out and "已认领" in out
    assert await cli("chat", "--as", "chen_jing", "--url", url, f"通过 {task_id}") == 0
    assert "办公室" in capsys.readouterr().out


async def test_unknown_person_and_unreachable_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert await cli("chat", "--as", "nobody", "帮助") == 2
    assert "未知的人员" in capsys.readouterr().err
    assert await cli("chat", "--as", "xu_ke", "帮助") == 2
    assert "没有登记企业微信" in capsys.readouterr().err
    assert await cli("chat", "--as", "li_na", "--url", "http://127.0.0.1:9", "帮助") == 2
    assert "无法连接" in capsys.readouterr().err
