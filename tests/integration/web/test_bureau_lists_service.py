"""The running service follows the bureau's word lists: an edit of the 错敏词 file changes the
verdict of the next gate run (the services' clock injected, the file's mtime set, no sleeps); a
broken edit keeps the last good list and shows in ``/healthz`` with no draft checked (the lists'
tick, ``/healthz`` itself); a personal mobile in the public numbers is refused; the bureau's
hotline passes."""

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
from bot.app import _ticks as all_ticks
from bot.app import create_app
from bot.config.lists import check_lists
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


@pytest.mark.pg
async def test_a_broken_edit_shows_in_healthz_and_the_log_with_no_draft_checked(
    service: tuple[TestClient, Path, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    """``/healthz`` looks at the files (once per interval); the tick looks at once and logs."""
    client, wording, clock = service
    write(wording, ENTRY.replace('"block"', '"拦截"'), 2)
    clock.now += timedelta(seconds=1)
    with caplog.at_level(logging.WARNING, logger="newmedia.checks.lists"):
        assert (await (await client.get("/healthz")).json())["lists"]["problems"] == []
        await check_lists(client.app)  # the tick: within check_seconds of the edit
        assert "bureau_wording.toml not reloaded" in caplog.text and "level 应为" in caplog.text
    problems = (await (await client.get("/healthz")).json())["lists"]["problems"]
    assert problems and problems[0].startswith("bureau_wording.toml 第 1 行，第 1 条 [[entry]]")

    numbers = wording.with_name("bureau_public_numbers.txt")
    write(numbers, "0431-88886666\n13943125678   # 张科长手机\n", 2)
    write(wording, ENTRY, 3)  # the wording fixed meanwhile
    clock.now += timedelta(seconds=6)  # no tick: /healthz itself looks once the interval passed
    problems = (await (await client.get("/healthz")).json())["lists"]["problems"]
    assert problems == [
        "bureau_public_numbers.txt 第 2 行是手机号码：个人手机不能列为公开号码"
        "（只写单位对外公布的固定电话或热线，请删去这一行）"
    ]
    assert "13943125678" not in caplog.text


def test_the_service_ticks_at_check_seconds_when_lists_are_configured(settings: Settings) -> None:
    app = create_app(settings, run_jobs=False)
    assert "lists.check" not in [t.name for t in all_ticks(app)]  # the shipped settings: none
    lists = ListFiles(wording=Path("bureau_wording.toml"), check_s=7)
    app = create_app(replace(settings, lists=lists), run_jobs=False)
    spec = next(t for t in all_ticks(app) if t.name == "lists.check")
    assert spec.seconds == 7 and spec.func is check_lists
