"""Console covers up to ``[media] max_bytes``, every other body at most 1 MiB.

The draft forms (new and edit) stream their multipart body, so a cover above the app's 1 MiB
``client_max_size`` is accepted up to the media limit; a larger one comes back on the form with
a Chinese error and the title and body still filled in. Other routes keep the 1 MiB limit."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from console_support import origin, sign_in
from PIL import Image
from sqlalchemy import select

from bot.app import create_app
from bot.config.load import Settings
from review.db import SessionFactory
from review.models import Draft, Revision

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
TITLE, BODY = "养老服务补贴申领指南", "市民政局发布养老服务补贴申领流程。"


def noise_png(at_least: int) -> bytes:
    """A valid PNG of random pixels (incompressible) of at least ``at_least`` bytes."""
    side = int((at_least / 3) ** 0.5) + 16
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = BytesIO()
    image.save(out, format="PNG", compress_level=0)
    return out.getvalue()


@pytest.fixture
async def client(
    settings: Settings, sf: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient[Any, Any]]:
    """The service with ``[media] max_bytes`` = 3 MiB and a media folder of its own."""
    shutil.copytree(ROOT / "media", tmp_path / "media", ignore=shutil.ignore_patterns("uploads"))
    monkeypatch.setenv("NEWMEDIA_MEDIA_ROOT", str(tmp_path / "media"))
    media = settings.file.media.model_copy(update={"max_bytes": 3 * MiB})
    three = replace(settings, file=settings.file.model_copy(update={"media": media}))
    async with TestClient(TestServer(create_app(three, run_jobs=False))) as c:
        yield c


def draft_form(csrf: str, cover: bytes) -> FormData:
    """As the browser sends the form: the file part comes before the body."""
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("title", TITLE)
    form.add_field("kind", "工作动态")
    form.add_field("accounts", "ccmz_wechat")
    form.add_field("cover", "")
    form.add_field("file", cover, filename="cover.png", content_type="image/png")
    form.add_field("body", BODY)
    return form


async def test_a_two_mib_cover_is_accepted(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    csrf = await sign_in(client, sf, "zhao_min")
    cover = noise_png(2 * MiB)
    assert 2 * MiB < len(cover) < 3 * MiB
    r = await client.post(
        "/console/drafts",
        data=draft_form(csrf, cover),
        headers=origin(client),
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    async with sf() as s:
        rev = await s.scalar(
            select(Revision)
            .join(Draft, Revision.draft_id == Draft.id)
            .order_by(Revision.id.desc())
            .limit(1)
        )
    assert rev is not None and rev.title == TITLE and rev.body == BODY
    assert rev.cover_path is not None and rev.cover_path.startswith("uploads/")

    # editing the draft with a new large cover goes through too
    edit = draft_form(csrf, noise_png(2 * MiB))
    r = await client.post(
        f"/console/drafts/{rev.draft_id}/edit", data=edit, headers=origin(client),
        allow_redirects=False,
    )  # fmt: skip
    assert r.status == 303, await r.text()


@pytest.mark.parametrize("path", ["/console/drafts", "edit"])
async def test_an_over_size_cover_comes_back_on_the_form(
    client: TestClient[Any, Any], sf: SessionFactory, path: str
) -> None:
    csrf = await sign_in(client, sf, "zhao_min")
    if path == "edit":
        r = await client.post(
            "/console/drafts", data=draft_form(csrf, b""), headers=origin(client),
            allow_redirects=False,
        )  # fmt: skip
        assert r.status == 303, await r.text()
        path = r.headers["Location"] + "/edit"
    r = await client.post(path, data=draft_form(csrf, noise_png(4 * MiB)), headers=origin(client))
    page = await r.text()
    assert r.status == 200, page
    assert "上传的封面超过上限 3 MB" in page
    assert re.search(rf'name="title" value="{TITLE}"', page) and BODY in page


async def test_other_routes_keep_the_one_mib_limit(
    client: TestClient[Any, Any], sf: SessionFactory
) -> None:
    csrf = await sign_in(client, sf, "zhao_min")
    big = {"csrf": csrf, "note": "x" * (MiB + 1)}
    r = await client.post("/console/tasks/1/claim", data=big, headers=origin(client))
    assert r.status == 413
    form = FormData({"csrf": csrf})
    form.add_field("file", b"x" * (MiB + 1), filename="a.png", content_type="image/png")
    r = await client.post("/console/drafts/1/submit", data=form, headers=origin(client))
    assert r.status == 413
