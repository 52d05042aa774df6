"""The chat service every test here talks to through a simulated WeCom phone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from chat_support import Service, start


@pytest.fixture
async def service(settings, sf) -> AsyncIterator[Service]:  # type: ignore[no-untyped-def]
    async for svc in start(settings, sf):
        yield svc
