"""Reusing a cover's permanent material instead of uploading the same picture for every post."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict

from channels.wechat.api import WeChatAPI


class CoverCache:
    """Cover ``thumb_media_id`` per cover content, for one account (one cache per channel).

    A cover must be *permanent* material, and permanent material can be reused by any number of
    drafts, so uploading the same picture again for every post only wastes a call and the
    account's material quota. The key is the file's content hash: a different file (even under
    the same name) is uploaded anew. Concurrent posts with one new cover share one upload.
    Bounded (least recently used entries are dropped); ``forget`` drops an entry the platform no
    longer knows (material deleted by staff in the WeChat back office)."""

    def __init__(self, api: WeChatAPI, *, material_type: str = "thumb", size: int = 64) -> None:
        self._api = api
        self._material_type = material_type
        self._size = size
        self._ids: OrderedDict[str, asyncio.Future[str]] = OrderedDict()
        self.uploads = 0

    @staticmethod
    def key(cover: tuple[str, bytes, str]) -> str:
        _name, content, content_type = cover
        return content_type + ":" + hashlib.sha256(content).hexdigest()

    async def media_id(self, cover: tuple[str, bytes, str]) -> str:
        key = self.key(cover)
        upload = self._ids.get(key)
        if upload is None or _failed(upload):
            upload = asyncio.ensure_future(self._upload(cover))
            upload.add_done_callback(lambda done: self._drop_failed(key, done))
            self._ids[key] = upload
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)
        else:
            self._ids.move_to_end(key)
        # shield: one caller being cancelled must not cancel the upload the others wait for
        return await asyncio.shield(upload)

    async def _upload(self, cover: tuple[str, bytes, str]) -> str:
        self.uploads += 1
        return await self._api.add_thumb(*cover, material_type=self._material_type)

    def _drop_failed(self, key: str, upload: asyncio.Future[str]) -> None:
        if _failed(upload) and self._ids.get(key) is upload:
            del self._ids[key]

    def forget(self, cover: tuple[str, bytes, str], media_id: str) -> None:
        """Drop ``media_id`` if it is still what the cache holds for this cover."""
        key = self.key(cover)
        known = self._ids.get(key)
        if known is not None and known.done() and not _failed(known):
            if known.result() == media_id:
                del self._ids[key]

    def __len__(self) -> int:
        return len(self._ids)


def _failed(upload: asyncio.Future[str]) -> bool:
    return upload.done() and (upload.cancelled() or upload.exception() is not None)
