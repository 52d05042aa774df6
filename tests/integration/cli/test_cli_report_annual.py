"""``newmedia report annual`` on the fixed 2025 history (bot/sandbox/annual_history.py): every
figure checked against what the rows give by hand, in text, JSON, HTML (with its charts) and CSV."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from app_support import run_cli

from bot.sandbox.annual_history import seed
from review.db import create_engine, session_factory

WX, WB = "长春民政（微信）", "长春民政（微博）"


async def _seed() -> None:
    engine = create_engine("sqlite:///var/newmedia.db")
    try:
        async with session_factory(engine).begin() as session:
            await seed(session)
    finally:
        await engine.dispose()


@pytest.fixture
def history(cli_workdir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run_cli(capsys, "inbox", "list")[0] == 0  # creates the embedded database
    asyncio.run(_seed())
    return cli_workdir


def test_json_figures_match_the_hand_count(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "report", "annual", "--year", "2025", "--format", "json")
    assert (code, err) == (0, "")
    tables = json.loads(out)["tables"]
    rows = {key: [tuple(r) for r in t["rows"]] for key, t in tables.items()}
    # the failed post and the one of 31 December 2024 are not posts of 2025
    assert rows["posts"] == [(WX, 1, 1, 2), (WB, 1, 0, 1), ("合计", 2, 1, 3)]
    assert rows["gate_blocks"] == [("错敏词", 2), ("个人信息", 1), ("合计（被拦截的提交）", 2)]
    # 微信: 1.5 (over a weekend), 2.0 (over lunch), 1.0 (the failed post was still reviewed);
    # 微博: 20 minutes; all four: median (1.0 + 1.5) / 2 = 1.25 → 1.2, p90 1.5 + 0.7 × 0.5
    assert rows["review_time"] == [(WX, 3, 1.5, 1.9), (WB, 1, 0.3, 0.3), ("合计", 4, 1.2, 1.9)]
    assert rows["messages_by_topic"] == [
        ("低保", 2, 1, 1, 0, 1), ("养老服务", 1, 0, 0, 1, 0), ("未分类", 1, 0, 0, 0, 0),
        ("合计", 4, 1, 1, 1, 1),
    ]  # fmt: skip
    assert rows["messages_by_department"][-1] == ("合计", 4, 1, 1, 1, 1)
    assert ("社会救助处", 2, 1, 1, 0, 1) in rows["messages_by_department"]
    assert rows["answer_routes"] == [("客服消息", 1), ("电话答复", 1)]
    assert rows["wechat_articles"] == [
        (WX, "关于调整城乡低保标准的通知", 300, 30), (WX, "春节困难群众慰问工作部署", 150, 15),
        ("合计", "2 篇", 450, 45),
    ]  # fmt: skip
    assert rows["wechat_followers"] == [(WX, 8, 3, 1001, "2025-12-31")]


def test_text_html_and_csv(
    history: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(capsys, "report", "annual", "--year", "2025", "--csv", "csv")
    assert code == 0
    assert "2025 年度政务新媒体工作报告" in out
    assert f"  {WX} | 3 | 1.5 | 1.9" in out and "  错敏词 | 2" in out
    files = sorted(p.name for p in (history / "csv").iterdir())
    assert files == sorted(
        f"annual-2025-{k}.csv"
        for k in ("posts", "gate_blocks", "review_time", "messages_by_topic",
                  "messages_by_department", "answer_routes", "wechat_articles",
                  "wechat_followers")
    )  # fmt: skip
    raw = (history / "csv" / "annual-2025-posts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a spreadsheet opens the Chinese right
    with (history / "csv" / "annual-2025-posts.csv").open(encoding="utf-8-sig") as f:
        assert list(csv.reader(f)) == [
            ["账号", "工作动态", "通知公告", "合计"], [WX, "1", "1", "2"], [WB, "1", "0", "1"],
            ["合计", "2", "1", "3"],
        ]  # fmt: skip

    out_file = tmp_path / "annual.html"
    code, out, _ = run_cli(
        capsys, "report", "annual", "--year", "2025", "--format", "html", "-o", str(out_file)
    )
    assert (code, out) == (0, "")
    page = out_file.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<svg") == 3
    assert f"{WX}</text>" in page and "错敏词</text>" in page and "收到留言</text>" in page
    assert "<td>春节困难群众慰问工作部署</td>" in page


def test_a_year_out_of_range_is_refused(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "report", "annual", "--year", "1999")
    assert code == 2 and "年份" in err
