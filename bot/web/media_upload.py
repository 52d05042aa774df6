"""Images sent to the service (``POST /api/media``, the console's draft forms) → the media folder.

Reading the request is here; what is accepted and where it is stored is ``review.media`` and
``review.media_files`` (by content hash), so an upload passes exactly the check a draft's
images pass."""

from __future__ import annotations

import asyncio

from aiohttp import BodyPartReader, web

from bot.services import Services
from review.media import MediaRefused, size_text
from review.media_files import store_upload

#: the multipart field holding the image (API and console)
FILE_FIELD = "file"
CHUNK = 64 * 1024


async def read_at_most(stream: web.Request | BodyPartReader, limit: int) -> bytes | None:
    """At most ``limit`` bytes; None as soon as more arrive (never all read into memory)."""
    parts: list[bytes] = []
    size = 0
    while True:
        if isinstance(stream, BodyPartReader):
            chunk = await stream.read_chunk(CHUNK)
        else:
            chunk = await stream.content.read(CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)


async def _limited(stream: web.Request | BodyPartReader, limit: int) -> bytes:
    found = await read_at_most(stream, limit)
    if found is None:
        raise MediaRefused(f"上传的图片超过上限 {size_text(limit)}", field=FILE_FIELD)
    return found


async def read_upload(request: web.Request, limit: int) -> bytes:
    """The image of an API upload: the raw body (``Content-Type: image/…`` or
    ``application/octet-stream``) or the ``file`` part of a multipart form."""
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.name == FILE_FIELD:
                return await _limited(part, limit)
        raise MediaRefused("表单中没有图片（字段名 file）", field=FILE_FIELD)
    if request.content_type.startswith("image/") or (
        request.content_type == "application/octet-stream"
    ):
        return await _limited(request, limit)
    raise MediaRefused(
        "请以图片本身作为请求体（Content-Type: image/png 等）或以 multipart 表单字段 file 上传",
        field=FILE_FIELD,
    )


async def store(svc: Services, content: bytes) -> str:
    """Check and store; the path relative to the media folder, for a draft's cover or body."""
    return await asyncio.to_thread(store_upload, svc.media, content)
