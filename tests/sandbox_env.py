"""Shared test helpers for the platform adapter tests (imported by conftest and the tests)."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PIL import Image

from channels.sandbox.app import Sandbox


def _png() -> bytes:
    """A real 2×2 PNG: the service reads only files that are images by their content."""
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (181, 18, 27)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


@dataclass
class Env:
    sandbox: Sandbox
    base: str  # http://127.0.0.1:PORT

    def url(self, platform: str) -> str:
        return f"{self.base}/{platform}"


MakeEnv = Callable[..., Awaitable[Env]]
