"""Issue 11: covers and body images come only from the media folder (``[media] root``).

Before: ``cover = "var/newmedia.db"`` or ``![](settings.toml)`` passed review and the publisher
sent the database and the settings file to the platform. Now every surface refuses such a draft
when it is created or edited, naming the image and why; a bad path already in the database is
refused at publish without being read; uploads are stored by content hash and usable at once.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from app_support import bearer, run_cli
from console_support import origin, sign_in
from PIL import Image
from publishing_support import seed
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.config.load import Settings, load_settings
from bot.sandbox.wiring import RUNTIME
from review.db import SessionFactory
from review.models import Publication, Revision

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 64 * 1024
GOOD = {
    "title": "我市为困难老年人开展冬季探访关爱服务",
    "body": "市民政局组织各区对特殊困难老年人开展冬季探访关爱，重点了解居家养老服务需求。",
    "kind": "工作动态",
    "accounts": ["ccmz_wechat"],
}


def png(size: tuple[int, int] = (4, 4), rgb: tuple[int, int, int] = (181, 18, 27)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, rgb).save(out, format="PNG")
    return out.getvalue()


def plant(folder: Path, *, fake_db: bool = True) -> list[tuple[str, str, str]]:
    """The settings folder of a real install, with the files an attacker would name; returns
    (field, path, expected reason) for each bad image."""
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    text = re.sub(r"max_bytes = \d+", f"max_bytes = {LIMIT}", text, count=1)
    (folder / "settings.toml").write_text(text, encoding="utf-8")
    media = folder / "media"
    media.mkdir(exist_ok=True)
    for name in ("cover_ccmz.png", "cover_ccyl.png"):
        (media / name).write_bytes((ROOT / "media" / name).read_bytes())
    (folder / "var").mkdir(exist_ok=True)
    db = folder / "var" / "newmedia.db"
    if fake_db:  # the CLI's own embedded database takes this place
        db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    (media / "link.png").unlink(missing_ok=True)
    os.symlink(db, media / "link.png")
    (media / "fake.png").write_bytes((folder / "settings.toml").read_bytes())
    (media / "big.png").write_bytes(png() + b"\0" * LIMIT)
    return [
        ("cover", "var/newmedia.db", f"图片目录 {media.resolve()} 中没有这个文件"),
        ("body", "settings.toml", f"图片目录 {media.resolve()} 中没有这个文件"),
        ("cover", "../settings.toml", "不能用 .. 离开图片目录"),
        ("cover", str(folder / "settings.toml"), "不能使用绝对路径"),
        ("cover", "link.png", "指向图片目录之外（符号链接）"),
        ("body", "fake.png", "按内容识别不是图片文件"),
        ("cover", "big.png", "超过上限 64 KB"),
    ]


CASES = ["db-as-cover", "settings-in-body", "dotdot", "absolute", "symlink-out", "renamed", "big"]


def with_image(fields: dict[str, Any], field: str, src: str) -> dict[str, Any]:
    if field == "cover":
        return {**fields, "cover": src}
    return {**fields, "body": fields["body"] + f"\n\n![图]({src})"}


def expected(field: str, src: str, why: str) -> str:
    """The words the editor reads: which image (cover or body, and its path), then why."""
    what = f"{'封面图片' if field == 'cover' else '正文图片'}「{src}」不可用："
    return what + ("文件大小 64.1 KB，" if why.startswith("超过上限") else "") + why


@pytest.fixture
def cases(tmp_path: Path) -> list[tuple[str, str, str]]:
    return plant(tmp_path)


@pytest.fixture
def settings(db_url: str, tmp_path: Path, cases: list[Any]) -> Settings:
    return replace(load_settings(tmp_path / "settings.toml", env={}), database_url=db_url)


@pytest.fixture
async def client(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        app[RUNTIME].self_url = str(c.make_url("/")).rstrip("/")
        yield c


async def revisions(sf: SessionFactory) -> int:
    async with sf() as s:
        return len((await s.scalars(select(Revision))).all())


# ---- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASES)
async def test_api_refuses_at_create_and_edit(
    client: TestClient[Any, Any], sf: SessionFactory, cases: list[Any], case: int
) -> None:
    field, src, why = cases[case]
    zhao = await bearer(sf, "zhao_min")
    r = await client.post("/api/drafts", json=with_image(GOOD, field, src), headers=zhao)
    body = await r.json()
    assert r.status == 400, body
    assert (body["error"], body["field"]) == ("media", field)
    assert expected(field, src, why) in body["message"], body
    assert await revisions(sf) == 0

    r = await client.post("/api/drafts", json=GOOD, headers=zhao)
    assert r.status == 201, await r.text()
    draft_id = (await r.json())["id"]
    r = await client.put(f"/api/drafts/{draft_id}", json=with_image(GOOD, field, src), headers=zhao)
    body = await r.json()
    assert r.status == 400 and expected(field, src, why) in body["message"], body
    assert await revisions(sf) == 1


async def test_api_upload_is_stored_by_hash_and_usable_as_cover(
    client: TestClient[Any, Any], sf: SessionFactory, tmp_path: Path
) -> None:
    zhao = await bearer(sf, "zhao_min")
    content = png((16, 9), (10, 120, 200))
    r = await client.post("/api/media", data=content, headers={**zhao, "Content-Type": "image/png"})
    assert r.status == 201, await r.text()
    path = (await r.json())["path"]
    assert path == f"uploads/{hashlib.sha256(content).hexdigest()}.png"
    assert (tmp_path / "media" / path).read_bytes() == content
    form = FormData()
    form.add_field("file", content, filename="封面.png", content_type="image/png")
    r = await client.post("/api/media", data=form, headers=zhao)
    assert r.status == 201 and (await r.json())["path"] == path  # the same picture, one file

    r = await client.post("/api/drafts", json={**GOOD, "cover": path}, headers=zhao)
    assert r.status == 201, await r.text()
    async with sf() as s:
        assert (await s.scalars(select(Revision.cover_path))).all() == [path]


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"SQLite format 3\x00" + b"\x00" * 100, "按内容识别不是图片文件"), (None, "超过上限")],
)
async def test_api_upload_refuses_non_images_and_big_files(
    client: TestClient[Any, Any], sf: SessionFactory, content: bytes | None, why: str
) -> None:
    zhao = await bearer(sf, "zhao_min")
    data = content if content is not None else png() + b"\0" * LIMIT
    r = await client.post("/api/media", data=data, headers={**zhao, "Content-Type": "image/png"})
    body = await r.json()
    assert r.status == 400 and body["field"] == "file" and why in body["message"], body
    assert (await client.post("/api/media", data=png())).status == 401


# ---- console ------------------------------------------------------------------------------------


def console_form(csrf: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "csrf": csrf, "accounts": "ccmz_wechat"}


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASES)
async def test_console_refuses_at_create_and_edit(
    client: TestClient[Any, Any], sf: SessionFactory, cases: list[Any], case: int
) -> None:
    field, src, why = cases[case]
    csrf = await sign_in(client, sf, "zhao_min")
    bad = console_form(csrf, with_image(GOOD, field, src))
    r = await client.post("/console/drafts", data=bad, headers=origin(client))
    page = await r.text()
    assert r.status == 200 and expected(field, src, why) in page
    assert await revisions(sf) == 0

    good = console_form(csrf, GOOD)
    r = await client.post(
        "/console/drafts", data=good, headers=origin(client), allow_redirects=False
    )
    assert r.status == 303, await r.text()
    draft_url = r.headers["Location"].split("?")[0]
    r = await client.post(f"{draft_url}/edit", data=bad, headers=origin(client))
    page = await r.text()
    assert r.status == 200 and expected(field, src, why) in page
    assert await revisions(sf) == 1


async def test_console_upload_becomes_the_cover(
    client: TestClient[Any, Any], sf: SessionFactory, tmp_path: Path
) -> None:
    csrf = await sign_in(client, sf, "zhao_min")
    content = png((12, 7), (0, 90, 0))
    form = FormData()
    for name, value in console_form(csrf, GOOD).items():
        if name != "accounts":
            form.add_field(name, value)
    form.add_field("accounts", "ccmz_wechat")
    form.add_field("file", content, filename="cover.png", content_type="image/png")
    r = await client.post(
        "/console/drafts", data=form, headers=origin(client), allow_redirects=False
    )
    assert r.status == 303, await r.text()
    path = f"uploads/{hashlib.sha256(content).hexdigest()}.png"
    assert (tmp_path / "media" / path).read_bytes() == content
    async with sf() as s:
        assert (await s.scalars(select(Revision.cover_path))).all() == [path]


# ---- publishing: a bad path already in the database is refused, not read -------------------------


@pytest.mark.parametrize(
    ("cover", "body", "why"),
    [
        ("../settings.toml", "正文", "不能用 .. 离开图片目录"),
        ("cover_ccmz.png", "正文 ![](var/newmedia.db)", "中没有这个文件"),
        ("link.png", "正文", "指向图片目录之外（符号链接）"),
    ],
)
async def test_publisher_refuses_a_bad_path_from_the_database(
    client: TestClient[Any, Any], cover: str, body: str, why: str
) -> None:
    app = client.app
    await seed(app[keys.SESSIONS], 1, cover_path=cover, body=body)
    assert await app[keys.PUBLISHER].publish_due() == 1
    async with app[keys.SESSIONS]() as s:
        pub = (await s.scalars(select(Publication))).one()
    assert pub.status == "failed" and why in (pub.last_error or ""), (pub.status, pub.last_error)
    assert app[keys.SANDBOX].wechat.media == {}  # nothing was uploaded to the platform


# ---- CLI ----------------------------------------------------------------------------------------


def draft_file(path: Path, field: str, src: str) -> None:
    cover = f'cover = "{src}"\n' if field == "cover" else ""
    image = f"\n\n![图]({src})" if field == "body" else ""
    path.write_text(
        f'+++\ntitle = "{GOOD["title"]}"\nkind = "工作动态"\n{cover}+++\n{GOOD["body"]}{image}\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASES)
def test_cli_refuses_at_create_and_edit(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str], case: int
) -> None:
    field, src, why = plant(cli_workdir, fake_db=False)[case]
    draft_file(cli_workdir / "good.md", "cover", "cover_ccmz.png")
    draft_file(cli_workdir / "bad.md", field, src)
    code, out, err = run_cli(
        capsys, "draft", "new", "bad.md", "--account", "ccmz_wechat", "--as", "zhao_min"
    )
    assert code == 2 and expected(field, src, why) in out + err, out + err
    code, out, err = run_cli(
        capsys, "draft", "new", "good.md", "--account", "ccmz_wechat", "--as", "zhao_min"
    )
    assert code == 0, out + err
    code, out, err = run_cli(capsys, "draft", "edit", "1", "bad.md")
    assert code == 2 and expected(field, src, why) in out + err, out + err
    code, out, _ = run_cli(capsys, "draft", "show", "1", "--json")
    assert '"revision": 1' in out
