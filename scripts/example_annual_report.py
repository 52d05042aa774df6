"""Regenerate docs/example-annual-report.html: the annual report (with its charts) of the small
fixed 2025 history in bot/sandbox/annual_history.py, on a throwaway SQLite database.

    .venv/bin/python scripts/example_annual_report.py

The same figures come from ``newmedia report annual --year 2025 --format html`` on a database
holding that history; the output is deterministic (charts included), so a rerun without a
change in the code gives the same file.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import migrate  # noqa: E402
from bot.config.load import load_settings  # noqa: E402
from bot.sandbox.annual_history import YEAR, seed  # noqa: E402
from review.db import create_engine, session_factory  # noqa: E402
from review.reports import charts, formats  # noqa: E402
from review.reports import service as reports  # noqa: E402
from review.timefmt import SHANGHAI  # noqa: E402

OUTPUT = ROOT / "docs" / "example-annual-report.html"
NOTE = "本页为示例：由 scripts/example_annual_report.py 根据示例数据生成，数字与真实工作无关。"


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/example.db"
        settings = replace(load_settings(ROOT / "settings.toml", env={}), database_url=url)
        await migrate.upgrade(url)
        engine = create_engine(url)
        try:
            sessions = session_factory(engine)
            await migrate.mirror_directory(sessions, settings)
            async with sessions.begin() as session:
                await seed(session)
            now = datetime(YEAR + 1, 1, 1, tzinfo=SHANGHAI)
            async with sessions() as session:
                report = await reports.annual(session, YEAR, now=now)
        finally:
            await engine.dispose()
    page = formats.html(
        report, charts.annual_charts(report), reports.as_of(YEAR, now), generated_by=NOTE
    )
    OUTPUT.write_text(page, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
