"""Each image made into what the platform takes for its use, once, when the draft is saved.

A cover goes up to WeChat as ``thumb`` permanent material, which takes only a JPG of at most
64 KB; an in-article image goes through ``media/uploadimg``, which takes JPG/PNG under 1 MB;
``image`` permanent material takes JPG/PNG/GIF/BMP up to 10 MB. Before this, the shipped PNG
covers went up as ``thumb`` unchanged and the real API would have refused every post. (These
limits are WeChat's 素材管理 pages — developers.weixin.qq.com/doc/offiaccount/Asset_Management/
Adding_Permanent_Assets.html and .../New_temporary_materials.html — not yet in platforms.md.)

A rendition is stored beside the uploads under ``renditions/``, named by the SHA-256 of the
source content and the use, so a draft saved twice or many posts with one cover convert it once;
the publisher reads the stored file and converts only for a row saved before renditions existed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from review.errors import DomainError

#: renditions live here, inside the media folder
RENDITIONS = "renditions"
#: JPEG qualities tried in turn before the picture is made smaller
QUALITIES = (85, 75, 65, 55, 45)
#: each round that still does not fit shrinks the picture to this share of its size
SHRINK = 0.8
#: below this many pixels on the short side a cover is no longer worth showing
MIN_SIDE = 64


@dataclass(frozen=True)
class Profile:
    """What one use of an image accepts: formats by Pillow's name, a size cap, a largest side."""

    name: str
    label: str
    formats: tuple[str, ...]
    max_bytes: int
    max_side: int


#: WeChat ``material/add_material?type=thumb``: the article cover
THUMB = Profile("thumb", "公众号封面（缩略图）", ("JPEG",), 64 * 1024, 1080)
#: WeChat ``media/uploadimg``: a picture inside the article
ARTICLE_IMAGE = Profile("article_image", "公众号正文图片", ("JPEG", "PNG"), 1024 * 1024 - 1, 2560)
#: WeChat ``material/add_material?type=image``: a cover kept as full-size image material
IMAGE = Profile("image", "公众号图片素材", ("JPEG", "PNG", "GIF"), 10 * 1024 * 1024, 4096)
PROFILES = {p.name: p for p in (THUMB, ARTICLE_IMAGE, IMAGE)}


class RenditionFailed(DomainError):
    """The picture cannot be made into what the platform accepts (said in Chinese)."""

    code = "media"
    http_status = 400


def _kb(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    return f"{n // 1024} KB" if n < 1024 * 1024 else f"{(n + 1) / 1024 / 1024:.0f} MB"


def fits(content: bytes, profile: Profile) -> bool:
    """Is ``content`` already acceptable as it is (format, bytes and size)?"""
    if len(content) > profile.max_bytes:
        return False
    try:
        with Image.open(BytesIO(content)) as image:
            return image.format in profile.formats and max(image.size) <= profile.max_side
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False


def convert(content: bytes, profile: Profile) -> bytes:
    """``content`` as the platform takes it: unchanged when it fits, else a JPEG made smaller
    (quality first, then size) until it does; ``RenditionFailed`` when it cannot."""
    if fits(content, profile):
        return content
    try:
        with Image.open(BytesIO(content)) as opened:
            opened.seek(0)  # an animated GIF: its first frame
            image = _flatten(opened)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise RenditionFailed(f"无法转换为{profile.label}：按内容识别不是可读的图片") from None
    side = max(image.size)
    if side > profile.max_side:
        image = _scaled(image, profile.max_side / side)
    while True:
        for quality in QUALITIES:
            out = BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= profile.max_bytes:
                return out.getvalue()
        if min(image.size) * SHRINK < MIN_SIDE:
            break
        image = _scaled(image, SHRINK)
    raise RenditionFailed(
        f"无法转换为{profile.label}：压缩到 {_kb(profile.max_bytes)}以内后图片过小，"
        "请换一张内容更简单或尺寸更小的图片"
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency, and a transparent PNG must not turn black."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    width, height = image.size
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def rendition_name(content: bytes, profile: Profile) -> str:
    """The path, inside the media folder, of ``content``'s rendition for ``profile``."""
    return f"{RENDITIONS}/{hashlib.sha256(content).hexdigest()}.{profile.name}.jpg"


def stored(root: Path, content: bytes, profile: Profile) -> tuple[str, bytes]:
    """(path in the media folder, bytes) of ``content``'s rendition: read when it was made
    before, else converted and written (blocking: call it off the event loop). A source that
    already fits is its own rendition ("" and the content) and nothing is written."""
    if fits(content, profile):
        return "", content
    relative = rendition_name(content, profile)
    base = root.resolve()
    folder = base / RENDITIONS
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.resolve().is_relative_to(base):
        raise RenditionFailed(f"图片目录中的 {RENDITIONS}/ 指向目录之外，无法保存转换结果")
    target = folder / Path(relative).name
    if target.is_file() and not target.is_symlink():
        made = target.read_bytes()
        if fits(made, profile):
            return relative, made
    converted = convert(content, profile)
    replace_atomically(target, converted, prefix=".rendition-")
    return relative, converted


def replace_atomically(target: Path, content: bytes, *, prefix: str) -> None:
    """Write ``target`` through a temporary file beside it: a reader (the publisher, another
    worker) never sees half an image, and a failed write leaves nothing behind."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
