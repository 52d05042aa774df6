"""Retracting from the CLI while the demo service is stopped: the sandbox platforms live inside
``newmedia serve``, so the answer says to start it — in Chinese, with no English log line on the
terminal (it said 「weibo statuses/destroy.json: cannot connect」 and blamed the platform)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

from publishing_support import seed
from sqlalchemy import update

from review.db import SessionFactory
from review.models import Publication, utcnow

ROOT = Path(__file__).resolve().parents[3]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_retract_with_the_demo_stopped_says_to_start_it(
    sf: SessionFactory,
    db_url: str,
    tmp_path: Path,
) -> None:
    pub_id = (await seed(sf, 1, accounts=("ccmz_weibo",))).publication_ids[0]
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == pub_id)
            .values(status="published", remote_id="5000000000000001", published_at=utcnow())
        )
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    stopped = text.replace('public_url = "http://127.0.0.1:8080"',
                           f'public_url = "http://127.0.0.1:{_closed_port()}"')  # fmt: skip
    assert stopped != text
    (tmp_path / "settings.toml").write_text(stopped, encoding="utf-8")
    env = {**os.environ, "NEWMEDIA_DATABASE_URL": db_url,
           "NEWMEDIA_MEDIA_ROOT": str(ROOT / "media")}  # fmt: skip
    # its own process: the terminal is what a person sees, logging's last resort included
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "--settings", str(tmp_path / "settings.toml"),
         "publications", "retract", str(pub_id), "--as", "li_na", "--reason", "标题有误"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    out, err = done.stdout, done.stderr
    assert done.returncode == 2, err[-2000:]
    assert "无法连接平台，撤回未完成" in err and "请先启动服务" in err
    assert "cannot connect" not in err + out
    async with sf() as s:
        row = await s.get(Publication, pub_id)
        assert row is not None and row.status == "published"
