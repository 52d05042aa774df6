"""Every JSON body of the API goes through ``bot.web.api_common.json_body``: over-deep,
malformed or non-UTF-8 JSON is a 400 with a Chinese JSON error (never a 500), an over-size body
a 413."""

from __future__ import annotations

from typing import Any

import pytest
from app_support import bearer

from bot.app import API_MAX_BODY
from review.db import SessionFactory

JSON = {"Content-Type": "application/json"}
#: one route per API module that reads a JSON body
ROUTES = [
    ("POST", "/api/drafts"),
    ("PUT", "/api/drafts/1"),
    ("POST", "/api/tasks/1/reject"),
    ("POST", "/api/publications/1/retract"),
]


async def _send(client: Any, sf: SessionFactory, method: str, path: str, body: bytes) -> Any:
    headers = {**JSON, **await bearer(sf, "zhao_min")}
    return await client.request(method, path, data=body, headers=headers)


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_deep_json_is_a_400_not_a_500(
    app_client: Any, sf: SessionFactory, method: str, path: str
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    resp = await _send(app_client, sf, method, path, deep)
    body = await resp.json()
    if path != "/api/drafts":  # these look the id up first: no draft, task or publication 1
        assert resp.status in (400, 404), body
        return
    assert resp.status == 400
    assert body["error"] == "bad_json" and "嵌套" in body["message"]


async def test_moderately_deep_json_is_refused_before_anything_walks_it(
    app_client: Any, sf: SessionFactory
) -> None:
    """Deep enough to hurt recursive code later on, shallow enough for the json module."""
    body = b'{"title": ' + b"[" * 200 + b"]" * 200 + b"}"
    resp = await _send(app_client, sf, "POST", "/api/drafts", body)
    assert resp.status == 400 and "嵌套" in (await resp.json())["message"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{",  # malformed
        b'{"title": NaN}',  # not JSON
        b'{"n": ' + b"9" * 5000 + b"}",  # Python refuses to convert a 5,000-digit integer
        b'{"title": "\xff\xfe"}',  # not UTF-8
        b"[1, 2]",  # not an object
    ],
)
async def test_malformed_json_is_a_chinese_400(
    app_client: Any, sf: SessionFactory, raw: bytes
) -> None:
    resp = await _send(app_client, sf, "POST", "/api/drafts", raw)
    assert resp.status == 400
    body = await resp.json()
    assert body["error"] == "bad_json" and body["message"].startswith("JSON")


async def test_unknown_charset_is_a_400_not_a_500(app_client: Any, sf: SessionFactory) -> None:
    headers = {"Content-Type": "application/json; charset=x-klingon", **await bearer(sf, "li_na")}
    resp = await app_client.post("/api/drafts", data=b'{"title": "x"}', headers=headers)
    assert resp.status != 500
    assert resp.status in (400, 422)


async def test_over_size_body_is_a_413(app_client: Any, sf: SessionFactory) -> None:
    big = b'{"title": "' + b"x" * (API_MAX_BODY + 10) + b'"}'
    resp = await _send(app_client, sf, "POST", "/api/drafts", big)
    assert resp.status == 413
    body = await resp.json()
    assert body == {"error": "too_large", "message": "请求体过大"}
