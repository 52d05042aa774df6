"""Renditions: each picture made into what the platform takes for its use, once, in the folder."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from PIL import Image

from review.media_renditions import (
    ARTICLE_IMAGE,
    RENDITIONS,
    THUMB,
    RenditionFailed,
    convert,
    fits,
    rendition_name,
    stored,
)


def picture(fmt: str, size: tuple[int, int] = (640, 360), mode: str = "RGB") -> bytes:
    rng = random.Random(3)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).convert(mode)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def test_a_png_cover_becomes_a_jpg_of_at_most_64_kb() -> None:
    source = picture("PNG")
    assert len(source) > THUMB.max_bytes and not fits(source, THUMB)
    thumb = convert(source, THUMB)
    assert len(thumb) <= 64 * 1024 and opened(thumb).format == "JPEG"
    assert fits(thumb, THUMB)


def test_a_large_photo_is_made_smaller_until_it_fits() -> None:
    source = picture("JPEG", (2400, 1600))
    thumb = convert(source, THUMB)
    assert len(thumb) <= THUMB.max_bytes
    assert max(opened(thumb).size) < 2400  # quality alone was not enough: the size gave way


def test_what_already_fits_is_sent_as_it_is() -> None:
    small = picture("JPEG", (60, 40))
    assert convert(small, THUMB) is small
    png = picture("PNG", (60, 40))
    assert convert(png, ARTICLE_IMAGE) is png  # uploadimg takes PNG under 1 MB


def test_a_gif_in_the_body_becomes_a_jpg_for_uploadimg() -> None:
    made = convert(picture("GIF", (80, 80), "P"), ARTICLE_IMAGE)
    assert opened(made).format == "JPEG"


def test_transparency_turns_white_not_black() -> None:
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    made = opened(convert(out.getvalue(), THUMB)).convert("RGB")
    assert min(made.getpixel((50, 50))) > 240  # type: ignore[arg-type]


def test_what_cannot_fit_is_refused_in_chinese() -> None:
    tiny = type(THUMB)("thumb", "公众号封面（缩略图）", ("JPEG",), 200, 1080)
    with pytest.raises(RenditionFailed) as refused:
        convert(picture("PNG"), tiny)
    assert "无法转换为公众号封面（缩略图）" in refused.value.message
    with pytest.raises(RenditionFailed) as unreadable:
        convert(b"not a picture", THUMB)
    assert "不是可读的图片" in unreadable.value.message


def test_a_rendition_is_made_once_and_kept(tmp_path: Path) -> None:
    source = picture("PNG")
    name, first = stored(tmp_path, source, THUMB)
    assert name == rendition_name(source, THUMB) and (tmp_path / name).read_bytes() == first
    before = (tmp_path / name).stat()
    again_name, again = stored(tmp_path, source, THUMB)
    assert (again_name, again) == (name, first)
    after = (tmp_path / name).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert stored(tmp_path, picture("JPEG", (60, 40)), THUMB)[0] == ""  # fits: nothing written


def test_a_renditions_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    media = tmp_path / "media"
    media.mkdir()
    os.symlink(outside, media / RENDITIONS)
    with pytest.raises(RenditionFailed) as refused:
        stored(media, picture("PNG"), THUMB)
    assert "目录之外" in refused.value.message and not list(outside.iterdir())
