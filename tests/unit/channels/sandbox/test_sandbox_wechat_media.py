"""The fake WeChat refuses the uploads the real one refuses: by the bytes, not the name."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image
from sandbox_env import PNG, Env

from channels.base import Rejected
from channels.wechat.api import WeChatAPI

MATERIAL = "cgi-bin/material/add_material"


def picture(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    rng = random.Random(5)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).convert(mode)
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


async def code_of(call: object) -> int | str | None:
    with pytest.raises(Rejected) as refused:
        await call  # type: ignore[misc]
    return refused.value.code


async def test_a_png_thumb_is_refused_as_the_wrong_file_type(
    env: Env, wechat_api: WeChatAPI
) -> None:
    assert await code_of(wechat_api.add_thumb("cover.png", PNG, "image/png")) == 40005
    # declaring it a JPEG does not help: the platform looks at the bytes
    assert await code_of(wechat_api.add_thumb("cover.jpg", PNG, "image/jpeg")) == 40005
    assert not env.sandbox.wechat.state("wechat-main").materials


async def test_a_thumb_over_64_kb_is_refused_as_too_large(env: Env, wechat_api: WeChatAPI) -> None:
    big = picture("JPEG", (400, 300))
    assert len(big) > 64 * 1024
    assert await code_of(wechat_api.add_thumb("cover.jpg", big, "image/jpeg")) == 40012
    # the same picture is fine as full-size image material (up to 10 MB)
    assert await wechat_api.add_thumb("cover.jpg", big, "image/jpeg", material_type="image")


async def test_a_small_jpg_thumb_is_accepted(env: Env, wechat_api: WeChatAPI) -> None:
    media_id = await wechat_api.add_thumb("cover.jpg", picture("JPEG"), "image/jpeg")
    assert media_id in env.sandbox.wechat.state("wechat-main").materials
    [upload] = env.sandbox.recorder.find(endpoint=MATERIAL)
    assert upload.params["format"] == "JPEG" and upload.params["type"] == "thumb"


async def test_uploadimg_takes_jpg_and_png_only(env: Env, wechat_api: WeChatAPI) -> None:
    gif = picture("GIF", mode="P")
    assert await code_of(wechat_api.upload_image("a.gif", gif, "image/gif")) == 40005
    assert await code_of(wechat_api.upload_image("a.txt", b"hello", "image/png")) == 40005
    assert "/wechat/media/" in await wechat_api.upload_image("a.png", PNG, "image/png")
