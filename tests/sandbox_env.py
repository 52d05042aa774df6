"""Shared test helpers for the platform adapter tests (imported by conftest and the tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from channels.sandbox.app import Sandbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Env:
    sandbox: Sandbox
    base: str  # http://127.0.0.1:PORT

    def url(self, platform: str) -> str:
        return f"{self.base}/{platform}"


MakeEnv = Callable[..., Awaitable[Env]]
