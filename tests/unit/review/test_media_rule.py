"""review.media: the one rule for covers and body images (issue 11) — path, content, size."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from channels.base import Rejected
from review.media import (
    MediaPolicy,
    MediaRefused,
    body_images,
    check_draft,
    image_problem,
    path_problem,
    read_image,
)
from review.media_files import FRESH_SECONDS, publish_loader, store_upload


def png(size: tuple[int, int] = (4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (181, 18, 27)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def policy(tmp_path: Path) -> MediaPolicy:
    """A settings folder: settings.toml and var/newmedia.db beside media/ with one cover."""
    (tmp_path / "settings.toml").write_text("[service]\nport = 8080\n", encoding="utf-8")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "newmedia.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 512)
    media = tmp_path / "media"
    media.mkdir()
    (media / "cover.png").write_bytes(png())
    return MediaPolicy(media, 64 * 1024)


@pytest.mark.parametrize(
    ("src", "why"),
    [
        ("../var/newmedia.db", "不能用 .. 离开图片目录"),
        ("a/../../settings.toml", "不能用 .. 离开图片目录"),
        ("/etc/passwd", "不能使用绝对路径"),
        ("C:/Windows/win.ini", "不能使用绝对路径"),
        ("..\\settings.toml", "不允许的字符"),
        ("https://example.com/a.png", "不能直接引用外部地址"),
        ("file:///etc/passwd", "不能直接引用外部地址"),
        ("", "路径为空"),
    ],
)
def test_paths_that_leave_the_folder_are_named(src: str, why: str) -> None:
    assert why in (path_problem(src) or "")


def test_plain_relative_paths_pass() -> None:
    assert path_problem("cover.png") is None
    assert path_problem("uploads/ab12.png") is None


def test_content_decides_not_the_name() -> None:
    assert image_problem(png(), 10**6) == ("image/png", None)
    kind, why = image_problem(b"SQLite format 3\x00" + b"\x00" * 100, 10**6)
    assert kind is None and why == "按内容识别不是图片文件"
    kind, why = image_problem(png()[:30], 10**6)  # a truncated PNG
    assert kind is None and why is not None


def test_size_limit() -> None:
    content = png()
    kind, why = image_problem(content, len(content) - 1)
    assert kind is None and "超过上限" in (why or "")


def test_body_images_finds_every_markdown_image() -> None:
    body = "段落 ![a](one.png) 与 [![b](two.png)](https://x) \n\n![c][ref]\n\n[ref]: three.png\n"
    assert body_images(body) == ["one.png", "two.png", "three.png"]
    assert body_images("没有图片") == []


def test_db_and_settings_are_refused_though_beside_the_folder(policy: MediaPolicy) -> None:
    with pytest.raises(MediaRefused) as refused:
        check_draft(policy, "var/newmedia.db", "正文 ![](settings.toml)")
    message = refused.value.message
    assert f"封面图片「var/newmedia.db」不可用：图片目录 {policy.root} 中没有这个文件" in message
    assert "正文图片「settings.toml」不可用" in message
    assert refused.value.field == "cover" and refused.value.http_status == 400


def test_a_missing_file_names_the_real_folder(tmp_path: Path) -> None:
    """NEWMEDIA_MEDIA_ROOT may put the folder anywhere: the editor is told which one."""
    elsewhere = tmp_path / "srv" / "images"
    elsewhere.mkdir(parents=True)
    with pytest.raises(MediaRefused) as refused:
        check_draft(MediaPolicy(elsewhere, 64 * 1024), "cover.png", "正文")
    assert f"图片目录 {elsewhere} 中没有这个文件" in refused.value.message
    assert "（media/）" not in refused.value.message


def test_symlink_out_of_the_folder_is_refused(policy: MediaPolicy) -> None:
    os.symlink(policy.root.parent / "var" / "newmedia.db", policy.root / "db.png")
    with pytest.raises(MediaRefused, match="指向图片目录之外"):
        read_image(policy, "db.png")


def test_non_image_renamed_png_is_refused(policy: MediaPolicy) -> None:
    (policy.root / "fake.png").write_bytes(b"[service]\nport = 8080\n")
    with pytest.raises(MediaRefused, match=r"正文图片「fake.png」不可用：按内容识别不是图片文件"):
        check_draft(policy, None, "![](fake.png)")


def test_oversized_image_is_refused_before_reading(policy: MediaPolicy) -> None:
    (policy.root / "big.png").write_bytes(png() + b"\0" * policy.max_bytes)
    with pytest.raises(MediaRefused, match="超过上限 64 KB"):
        read_image(policy, "big.png")


def test_good_draft_passes(policy: MediaPolicy) -> None:
    check_draft(policy, "cover.png", "![图](cover.png)")


def test_upload_is_stored_by_content_hash(policy: MediaPolicy) -> None:
    content = png((8, 8))
    path = store_upload(policy, content)
    assert path.startswith("uploads/") and path.endswith(".png")
    assert (policy.root / path).read_bytes() == content
    assert store_upload(policy, content) == path  # the same picture: the same file
    check_draft(policy, path, "")
    with pytest.raises(MediaRefused, match="上传的图片不可用：按内容识别不是图片文件") as refused:
        store_upload(policy, b"not an image")
    assert refused.value.field == "file"


async def test_publish_loader_refuses_with_the_reason(policy: MediaPolicy) -> None:
    load = publish_loader(policy)
    assert (await load("cover.png"))[2] == "image/png"
    with pytest.raises(Rejected, match=r"不能用 \.\. 离开图片目录") as refused:
        await load("../settings.toml")
    assert refused.value.code == "image"


async def test_publish_loader_serves_a_cover_just_looked_at_and_looks_again_after(
    policy: MediaPolicy,
) -> None:
    """A drain sends one cover with post after post: within ``FRESH_SECONDS`` of looking at it
    on disk the loader serves what it read, without resolving and stat'ing it again; after that
    it looks again and sees a replaced file (and a refused one is refused)."""
    now = [100.0]
    load = publish_loader(policy, clock=lambda: now[0])
    first = await load("cover.png")
    (policy.root / "cover.png").write_bytes(png((9, 9)))
    assert await load("cover.png") == first  # the same moment: not looked at again
    now[0] += FRESH_SECONDS + 0.1
    again = await load("cover.png")
    assert again[1] == (policy.root / "cover.png").read_bytes() != first[1]
    (policy.root / "cover.png").write_bytes(b"not an image any more")
    now[0] += FRESH_SECONDS + 0.1
    with pytest.raises(Rejected, match="不是图片文件"):
        await load("cover.png")
