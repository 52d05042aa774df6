"""``X-Request-Id`` through the real app: echoed, made when missing or malformed, and carried by
every log line written while the request is served (the service's own JSON handler)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from inbox_support import follower

from bot.config.load import Settings
from bot.logs import setup_logging

WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The service's own log handler (bot.logs.setup_logging: JSON, its filter) writing into a
    buffer for one test; pytest's handlers put back afterwards."""
    monkeypatch.setenv("NEWMEDIA_LOG_FORMAT", "json")
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    setup_logging("INFO")
    buffer = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], level = before
        root.setLevel(level)


async def test_log_lines_of_a_request_carry_its_id(
    app_client: TestClient[Any, Any],
    settings: Settings,
    json_logs: io.StringIO,
) -> None:
    f = follower(app_client, settings)
    query, body = f.build_request(f.text_xml("你好", msg_id=990001))
    forged = dict(query, msg_signature="0" * 40, signature="0" * 40)
    r = await app_client.post(
        "/wechat/ccmz_wechat", params=forged, data=body, headers={"X-Request-Id": "nginx-7f3a.1"}
    )
    assert r.status == 403 and r.headers["X-Request-Id"] == "nginx-7f3a.1"
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    refused = [x for x in lines if x["msg"].startswith("callback refused on ccmz_wechat")]
    assert len(refused) == 1 and refused[0]["request_id"] == "nginx-7f3a.1"
    assert all("request_id" not in x for x in lines if x not in refused)  # nothing leaks out


@pytest.mark.parametrize("given", ["", "has space", "x" * 65, "<script>", "中文", "a/b", "id;rm"])
async def test_a_malformed_id_is_replaced(app_client: TestClient[Any, Any], given: str) -> None:
    r = await app_client.get("/healthz", headers={"X-Request-Id": given})
    made = r.headers["X-Request-Id"]
    assert made != given and WELL_FORMED.fullmatch(made)


async def test_made_when_missing_unique_and_on_errors(app_client: TestClient[Any, Any]) -> None:
    ids = set()
    for path in ("/healthz", "/healthz", "/no/such/page", "/api/drafts"):
        r = await app_client.get(path)
        ids.add(r.headers["X-Request-Id"])
    assert len(ids) == 4 and all(WELL_FORMED.fullmatch(i) for i in ids)
