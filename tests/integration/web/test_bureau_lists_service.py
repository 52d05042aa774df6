"""The running service follows the bureau's word lists: an edit of the 错敏词 file changes the
verdict of the next gate run (the services' clock injected, the file's mtime set, no sleeps); a
broken edit keeps the last good list; the bureau's hotline passes."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from app_support import bearer

from bot import keys
from bot.app import create_app
from bot.config.load import ListFiles, Settings
from review.checks import default_lexicons
from review.checks.lexicons import shipped_lexicons
from review.db import SessionFactory

ENTRY = '[[entry]]\nwrong = "爱心驿站"\nright = "暖心驿站"\nlevel = "block"\nnote = "统一名称"\n'
BODY = (
    "为做好最低生活保障和特困人员救助供养工作，各社区爱心驿站为困难群众提供帮扶，"
    "咨询可拨打市民政局民政服务热线0431-88886666。"
)


def write(path: Path, text: str, second: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(second * 10**9, second * 10**9))


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def service(
    settings: Settings, sf: SessionFactory, tmp_path: Path
) -> AsyncIterator[tuple[TestClient, Path, Clock]]:
    wording, numbers = tmp_path / "bureau_wording.toml", tmp_path / "bureau_public_numbers.txt"
    write(wording, "# 本局错敏词表\n", 1)
    write(numbers, "0431-88886666  # 市民政局民政服务热线\n", 1)
    lists = ListFiles(wording=wording, public_numbers=numbers, check_s=5)
    app = create_app(replace(settings, lists=lists), run_jobs=False)
    clock = Clock()
    async with TestClient(TestServer(app)) as client:
        app[keys.SERVICES].clock = clock
        yield client, wording, clock
    assert default_lexicons() is shipped_lexicons()  # the service's lists left with it


async def gate(client: TestClient, sf: SessionFactory) -> dict[str, Any]:
    """A new draft, submitted: the submit result of its gate run."""
    auth = await bearer(sf, "zhao_min")
    draft = {"title": "社区爱心驿站开放", "body": BODY, "kind": "工作动态",
             "accounts": ["ccmz_wechat"]}  # fmt: skip
    r = await client.post("/api/drafts", json=draft, headers=auth)
    assert r.status == 201, await r.text()
    created = await r.json()
    r = await client.post(f"/api/drafts/{created['id']}/submit", headers=auth)
    assert r.status == 200, await r.text()
    result: dict[str, Any] = await r.json()
    return result


@pytest.mark.pg
async def test_an_edit_changes_the_next_gate_run_and_a_broken_one_keeps_the_last_good(
    service: tuple[TestClient, Path, Clock], sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client, wording, clock = service
    first = await gate(client, sf)
    assert not first["blocked"], first  # the hotline is the bureau's: not personal data
    assert not any("0431" in w or "个人信息" in w for w in first["warnings"]), first

    write(wording, ENTRY, 2)
    clock.now += timedelta(seconds=2)  # within the check interval: not looked at yet
    assert not (await gate(client, sf))["blocked"]
    clock.now += timedelta(seconds=5)
    blocked = await gate(client, sf)
    assert blocked["blocked"], blocked
    assert any("错敏词表（本局）第1条“爱心驿站”（统一名称）" in r for r in blocked["reasons"])

    write(wording, ENTRY.replace('"block"', '"拦截"'), 3)
    clock.now += timedelta(seconds=6)
    with caplog.at_level(logging.WARNING, logger="newmedia.checks.lists"):
        still = await gate(client, sf)
    assert still["blocked"] and "level 应为" in caplog.text  # the last good list, and why
    health = await (await client.get("/healthz")).json()
    assert "bureau_wording.toml" in health["lists"]["problems"][0]
    assert "第 1 条 [[entry]]：level 应为" in health["lists"]["problems"][0]

    write(wording, ENTRY.replace('"block"', '"warn"'), 4)
    clock.now += timedelta(seconds=6)
    warned = await gate(client, sf)
    assert not warned["blocked"]
    assert any("错敏词表（本局）第1条“爱心驿站”" in w for w in warned["warnings"]), warned
    assert (await (await client.get("/healthz")).json())["lists"]["problems"] == []
