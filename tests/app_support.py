"""Helpers for tests that drive the service as a client would: an API token header, the CLI."""

from __future__ import annotations

import pytest

from review.db import SessionFactory


async def bearer(sf: SessionFactory, key: str) -> dict[str, str]:
    """An ``Authorization`` header with a fresh API token for person ``key``."""
    from review.store import directory

    async with sf.begin() as s:
        person = await directory.person_by_key(s, key)
        assert person is not None, key
        return {"Authorization": f"Bearer {await directory.issue_token(s, person)}"}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from bot.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
