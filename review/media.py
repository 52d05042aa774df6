"""Covers and body images: only real images, only so large, only from the media folder.

The one home of this rule. A draft's images are checked when it is created or edited (API, CLI,
console, through ``bot.services.Services.prepare_draft``), uploads are checked before they are
stored (``review.media_files``), and the publisher reads every image through ``read_image``, so a
path that reached the database some other way is refused at publish instead of read: before this,
``cover = "var/newmedia.db"`` or ``![](settings.toml)`` sent the database and the settings file to
the platform.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from PIL import Image, UnidentifiedImageError

from review.errors import DomainError
from review.media_renditions import ARTICLE_IMAGE, THUMB, RenditionFailed, stored

#: what the platforms take (WeChat: JPG/PNG/GIF), by the format Pillow reads from the content
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}
_DRIVE = re.compile(r"^[A-Za-z]:")
#: the same Markdown reading the WeChat renderer uses, so every image it would upload is checked
_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class MediaPolicy:
    """The media folder (absolute) and the largest image accepted, from ``[media]``."""

    root: Path
    max_bytes: int


@dataclass(frozen=True)
class MediaFile:
    name: str
    content: bytes
    content_type: str


class MediaRefused(DomainError):
    """An image the service will not read; ``field`` says which input (cover, body, file)."""

    code = "media"
    http_status = 400


def size_text(n: int) -> str:
    """10 MB, 64 KB, 64.1 KB: whole units stay whole, so a limit reads as it was set."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if n >= unit:
            return f"{n // unit} {name}" if n % unit == 0 else f"{n / unit:.1f} {name}"
    return f"{n} 字节"


def path_problem(src: str) -> str | None:
    """Why ``src`` cannot name a file inside the media folder, judged from the text alone."""
    if not src.strip():
        return "路径为空"
    path = PurePosixPath(src)
    if path.is_absolute() or _DRIVE.match(src):
        return "不能使用绝对路径，请写图片目录内的相对路径"
    if urlsplit(src).scheme or src.startswith("//"):
        return "不能直接引用外部地址，请先上传到图片目录"
    if "\\" in src or "\x00" in src:
        return "路径中含有不允许的字符（\\）"
    if ".." in path.parts:
        return "不能用 .. 离开图片目录"
    return None


def image_problem(content: bytes, max_bytes: int) -> tuple[str | None, str | None]:
    """(content type, None) for an accepted image, else (None, why) — judged by the content."""
    if len(content) > max_bytes:
        return None, f"文件大小 {size_text(len(content))}，超过上限 {size_text(max_bytes)}"
    try:
        with Image.open(BytesIO(content)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return None, "按内容识别不是图片文件"
    except (OSError, SyntaxError, ValueError):
        return None, "图片文件已损坏或不完整"
    if kind not in IMAGE_TYPES:
        return None, f"图片格式 {kind} 不受支持，请使用 JPG、PNG 或 GIF"
    return IMAGE_TYPES[kind], None


def refused(field: str, src: str, why: str) -> MediaRefused:
    what = {"cover": "封面图片", "body": "正文图片"}.get(field, "图片")
    return MediaRefused(f"{what}「{src}」不可用：{why}", field=field)


def resolve(policy: MediaPolicy, src: str, *, field: str = "cover") -> Path:
    """The file ``src`` names inside the media folder, symlinks followed; refused otherwise."""
    problem = path_problem(src)
    if problem:
        raise refused(field, src, problem)
    root = policy.root.resolve()
    path = (root / src).resolve()
    if not path.is_relative_to(root):
        raise refused(field, src, "指向图片目录之外（符号链接）")
    if not path.is_file():
        raise refused(field, src, f"图片目录 {policy.root} 中没有这个文件")
    return path


def read_image(policy: MediaPolicy, src: str, *, field: str = "cover") -> MediaFile:
    """Read and check one image (blocking: call it off the event loop)."""
    path = resolve(policy, src, field=field)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as exc:
        raise refused(field, src, f"无法读取（{exc.strerror or exc}）") from None
    with os.fdopen(fd, "rb") as file:
        st = os.fstat(file.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise refused(field, src, "不是普通文件")
        if st.st_size > policy.max_bytes:
            why = f"文件大小 {size_text(st.st_size)}，超过上限 {size_text(policy.max_bytes)}"
            raise refused(field, src, why)
        content = file.read(policy.max_bytes + 1)
    content_type, problem = image_problem(content, policy.max_bytes)
    if problem or content_type is None:
        raise refused(field, src, problem or "按内容识别不是图片文件")
    return MediaFile(path.name, content, content_type)


def body_images(markdown: str) -> list[str]:
    """Every image ``src`` in a Markdown body, in order, once each (nested ones too)."""
    if "![" not in markdown and "]:" not in markdown:
        return []
    seen: dict[str, None] = {}
    for token in _walk(_md.parse(markdown)):
        if token.type == "image":
            seen.setdefault(str(token.attrGet("src") or ""), None)
    return list(seen)


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def check_draft(policy: MediaPolicy, cover: str | None, body: str) -> None:
    """Refuse a draft whose cover or any body image is not an acceptable file of the folder or
    cannot be made into what WeChat takes (``review.media_renditions``, stored as it is made);
    one message names every bad image and why (blocking: call it off the event loop)."""
    problems: list[MediaRefused] = []
    wanted = [("cover", cover)] if cover else []
    wanted += [("body", src) for src in body_images(body)]
    for field, src in wanted:
        try:
            image = read_image(policy, src, field=field)
            # made now, once, and kept: the publisher sends the stored rendition
            stored(policy.root, image.content, THUMB if field == "cover" else ARTICLE_IMAGE)
        except MediaRefused as exc:
            problems.append(exc)
        except RenditionFailed as exc:
            problems.append(refused(field, src, exc.message))
    if problems:
        message = "；".join(p.message for p in problems)
        raise MediaRefused(message, field=problems[0].field)
