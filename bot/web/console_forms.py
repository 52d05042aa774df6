"""The console's draft forms that carry a cover upload, read by streaming the multipart body.

The app's ``client_max_size`` (1 MiB) bounds every body read whole (``request.post()``,
``read()``, JSON); a cover may be up to ``[media] max_bytes``. Only routes marked with
``accepts_upload`` are streamed here, so every other route keeps the 1 MiB limit: text fields
together at most ``TEXT_LIMIT``, the ``file`` part at most ``[media] max_bytes``. A cover over
the limit is read to its end and dropped (never held in memory), so the fields after it — the
body comes after the file in the form — still arrive and the form is shown again with them and
a Chinese error. The CSRF check (``auth``) reads the same parsed form (cached on the request).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiohttp import BodyPartReader, web
from multidict import MultiDict, MultiDictProxy

from bot import keys
from bot.services import Services
from bot.web.media_upload import CHUNK, FILE_FIELD, read_at_most, store
from review.media import MediaRefused, size_text

#: all text fields of one form together, as the app's client_max_size for the other routes
TEXT_LIMIT = 1024 * 1024
#: how far past the image limit an over-size cover is still read (and dropped) to reach the
#: fields after it; beyond this the request is refused outright (413)
DRAIN_FACTOR = 5
_ATTR = "console_accepts_upload"
_CACHE = "console_form"

H = TypeVar("H", bound=Callable[[web.Request], Awaitable[web.StreamResponse]])


@dataclass(frozen=True)
class PostedForm:
    fields: MultiDictProxy[str]
    #: the cover file's bytes (empty: no file chosen)
    upload: bytes = b""
    #: why the cover was dropped (Chinese), e.g. over ``[media] max_bytes``
    refused: str | None = None


def accepts_upload(handler: H) -> H:
    """Mark a console route whose form may carry a cover of up to ``[media] max_bytes``."""
    setattr(handler, _ATTR, True)
    return handler


def takes_upload(request: web.Request) -> bool:
    return bool(getattr(request.match_info.handler, _ATTR, False))


def _too_large(what: str) -> web.HTTPRequestEntityTooLarge:
    return web.HTTPRequestEntityTooLarge(
        max_size=0, actual_size=0, text=f"{what}，请返回修改后重试", content_type="text/plain"
    )


async def _text(part: BodyPartReader, room: int) -> str:
    raw = await read_at_most(part, room)
    if raw is None:
        raise _too_large(f"表单文字内容过大（最多 {size_text(TEXT_LIMIT)}）")
    return part.decode(raw).decode(part.get_charset(default="utf-8"), errors="replace")


async def _drained(part: BodyPartReader, budget: int) -> bool:
    """Read the rest of ``part`` and drop it; False if more than ``budget`` bytes were left."""
    while chunk := await part.read_chunk(CHUNK):
        budget -= len(chunk)
        if budget < 0:
            return False
    return True


async def _stream(request: web.Request) -> PostedForm:
    limit = request.app[keys.SERVICES].media.max_bytes
    fields: MultiDict[str] = MultiDict()
    text_size, upload, refused = 0, b"", None
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            raise web.HTTPBadRequest(text="表单格式不正确", content_type="text/plain")
        if part.name == FILE_FIELD and part.filename is not None:
            content = await read_at_most(part, limit)
            if content is None:
                if not await _drained(part, limit * DRAIN_FACTOR):
                    raise _too_large(f"上传的图片过大（上限 {size_text(limit)}）")
                upload, refused = b"", f"上传的封面超过上限 {size_text(limit)}，请压缩后重新上传"
            elif not refused:
                upload = content
            continue
        value = await _text(part, TEXT_LIMIT - text_size)
        text_size += len(value.encode())
        fields.add(part.name, value)
    return PostedForm(MultiDictProxy(fields), upload, refused)


async def posted(request: web.Request) -> PostedForm:
    """The form of a POST to an ``accepts_upload`` route (streamed if multipart; a plain form
    through ``request.post()`` and its 1 MiB limit), read once per request."""
    cached = request.get(_CACHE)
    if isinstance(cached, PostedForm):
        return cached
    if request.content_type == "multipart/form-data":
        found = await _stream(request)
    else:
        form = await request.post()
        texts = MultiDict((k, v) for k, v in form.items() if isinstance(v, str))
        found = PostedForm(MultiDictProxy(texts))
    request[_CACHE] = found
    return found


async def form_cover(svc: Services, form: PostedForm) -> str | None:
    """A console form's cover: an uploaded file (stored, its path used), else the typed path;
    a cover dropped while reading the form (over ``[media] max_bytes``) is refused here, so the
    form comes back with its fields and this message."""
    if form.refused:
        raise MediaRefused(form.refused, field=FILE_FIELD)
    if form.upload:
        return await store(svc, form.upload)
    typed = str(form.fields.get("cover") or "").strip()
    return typed or None
