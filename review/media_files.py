"""The media folder's two doors: uploads come in by content hash, the publisher reads out.

Both go through ``review.media``: an upload is checked as an image before it is stored, and the
publisher's loader reads only what ``read_image`` accepts, turning a refusal into the channel's
``Rejected`` so the publication fails with the reason instead of sending the file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path

from channels.base import Rejected
from review.media import (
    EXTENSIONS,
    MediaFile,
    MediaPolicy,
    MediaRefused,
    image_problem,
    read_image,
    resolve,
)
from review.media_renditions import Profile, RenditionFailed, replace_atomically, stored

#: uploads live here, inside the media folder, named by the SHA-256 of their content
UPLOADS = "uploads"
#: files larger than this are read from disk every time instead of kept in memory
MAX_KEPT_BYTES = 2 * 1024 * 1024
#: a kept image looked at on disk this recently is served without looking again: a drain of a
#: thousand posts with one cover resolved and stat'ed it a thousand times, off the loop
FRESH_SECONDS = 1.0

Loader = Callable[[str], Awaitable[tuple[str, bytes, str]]]


def store_upload(policy: MediaPolicy, content: bytes) -> str:
    """Check ``content`` as an image and store it; returns the path to put in a draft.

    The same picture uploaded twice is one file (named by its hash), so a repeated upload is
    harmless; the file appears whole or not at all (written aside, then renamed)."""
    content_type, problem = image_problem(content, policy.max_bytes)
    if problem or content_type is None:
        raise MediaRefused(f"上传的图片不可用：{problem}", field="file")
    relative = f"{UPLOADS}/{hashlib.sha256(content).hexdigest()}{EXTENSIONS[content_type]}"
    root = policy.root.resolve()
    folder = root / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.resolve().is_relative_to(root):
        raise MediaRefused(f"图片目录中的 {UPLOADS}/ 指向目录之外，无法保存上传", field="file")
    target = folder / Path(relative).name
    if target.is_file() and target.stat().st_size == len(content):
        return relative
    replace_atomically(target, content, prefix=".upload-")
    return relative


def publish_loader(
    policy: MediaPolicy,
    *,
    profile: Profile | None = None,
    keep: int = 16,
    clock: Callable[[], float] = time.monotonic,
) -> Loader:
    """The WeChat channel's image loader: ``src`` → (file name, bytes, content type); with a
    ``profile``, the rendition for that use the draft stored when it was saved.

    The same few covers go out with post after post, so up to ``keep`` checked files are kept
    and served again while ``stat`` shows the very same file (inode, size, mtime); anything else
    is read and checked afresh, off the event loop."""
    kept: OrderedDict[str, tuple[tuple[int, int, int, int], MediaFile]] = OrderedDict()

    def identity(src: str) -> tuple[int, int, int, int] | None:
        try:
            st = os.stat(resolve(policy, src))
        except (OSError, MediaRefused):
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def read(src: str) -> tuple[tuple[int, int, int, int] | None, MediaFile]:
        seen = identity(src)
        hit = kept.get(src)
        if hit is not None and seen is not None and hit[0] == seen:
            return seen, hit[1]
        try:
            image = read_image(policy, src, field="image")
            if profile is not None:
                image = rendition(image, profile)
        except (MediaRefused, RenditionFailed) as exc:
            raise Rejected(exc.message, code="image") from None
        return (seen if seen == identity(src) else None), image

    def rendition(image: MediaFile, use: Profile) -> MediaFile:
        made, content = stored(policy.root, image.content, use)
        if not made:
            return image
        return MediaFile(Path(image.name).stem + ".jpg", content, "image/jpeg")

    checked_at: dict[str, float] = {}

    async def load(src: str) -> tuple[str, bytes, str]:
        now = clock()
        hit = kept.get(src)
        if hit is not None and now - checked_at.get(src, -FRESH_SECONDS) < FRESH_SECONDS:
            image = hit[1]  # looked at on disk a moment ago: a drain sends it with post after post
            return image.name, image.content, image.content_type
        seen, image = await asyncio.to_thread(read, src)
        if seen is not None and len(image.content) <= MAX_KEPT_BYTES:
            kept[src] = (seen, image)
            checked_at[src] = now
            kept.move_to_end(src)
            while len(kept) > keep:
                checked_at.pop(kept.popitem(last=False)[0], None)
        return image.name, image.content, image.content_type

    return load
