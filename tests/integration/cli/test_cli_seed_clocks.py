"""The seed's clocks on the command line: a draft marked 不予公开 is stopped by the gate on the
real submit path and stays marked across edits; a 政策解读 names its 规范性文件 and must come
from the department that drafted it; the quarterly press counter reads what went out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli
from sqlalchemy import update

from review.models import Publication, utcnow

run = run_cli
AS = ("--as", "zhao_min")
RULE = '+++\ntitle = "长春市最低生活保障审核确认办法"\nkind = "规范性文件"\n+++\n第一条 为规范低保审核确认工作，制定本办法。'
READING = '+++\ntitle = "《长春市最低生活保障审核确认办法》政策解读"\nkind = "政策解读"\n+++\n一、制定背景：规范最低生活保障审核确认。'


def approve_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    """Every stage of 长春民政's chain for any kind, 法制审核 included, stage by stage."""
    for person in ("li_na", "wang_qiang", "chen_jing", "liu_yang"):
        code, out, err = run(capsys, "review", "queue", "--as", person, "--json")
        assert code == 0, err
        for task in json.loads(out):
            assert run(capsys, "review", "claim", str(task["id"]), "--as", person)[0] == 0
            assert run(capsys, "review", "approve", str(task["id"]), "--as", person)[0] == 0
    code, out, _ = run(capsys, "publications", "list", "--json")
    assert json.loads(out), "the chain did not end in a publication"


def show(capsys: pytest.CaptureFixture[str], draft_id: int) -> dict[str, object]:
    code, out, err = run(capsys, "draft", "show", str(draft_id), "--json")
    assert code == 0, err
    result: dict[str, object] = json.loads(out)
    return result


def test_withheld_draft_is_blocked_at_submit_and_stays_withheld(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = ("draft", "new", "post.md", "--account", "ccmz_wechat", "--disclosure", "不予公开")
    assert run(capsys, *new, *AS)[0] == 0
    assert show(capsys, 1)["disclosure"] == "不予公开"
    code, out, _ = run(capsys, "draft", "submit", "1", *AS)
    assert code == 3 and "不予公开" in out and "不得在政务新媒体发布" in out
    assert show(capsys, 1)["status"] == "blocked"
    # a head cannot wave it through
    code, out, err = run(
        capsys, "review", "override", "1", "--check", "disclosure", "--reason", "领导同意先行发布此稿件",
        "--as", "wang_qiang",
    )  # fmt: skip
    assert code != 0 and "不允许例外放行" in out + err
    # an edit that does not mention it keeps it; the resubmission is blocked again
    assert run(capsys, "draft", "edit", "1", "post.md", *AS)[0] == 0
    view = show(capsys, 1)
    assert (view["revision"], view["disclosure"]) == (2, "不予公开")
    assert run(capsys, "draft", "submit", "1", *AS)[0] == 3
    code, out, _ = run(capsys, "publications", "list", "--json")
    assert code == 0 and json.loads(out) == []
    # marked 主动公开 at the source, it goes to review
    assert run(capsys, "draft", "edit", "1", "post.md", "--disclosure", "主动公开", *AS)[0] == 0
    code, out, _ = run(capsys, "draft", "submit", "1", *AS)
    assert code == 0, out
    assert show(capsys, 1)["status"] == "in_review"


def test_an_unknown_disclosure_in_front_matter_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "odd.md").write_text('+++\ntitle = "通知"\ndisclosure = "内部"\n+++\n正文', "utf-8")
    code, _, err = run(capsys, "draft", "new", "odd.md", "--account", "ccmz_wechat", *AS)
    assert code == 2 and "不是可用的公开属性" in err


def test_the_interpretation_comes_from_the_drafting_department(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "rule.md").write_text(RULE, "utf-8")
    (workdir / "reading.md").write_text(READING, "utf-8")
    assert run(capsys, "draft", "new", "rule.md", "--account", "ccmz_wechat", *AS)[0] == 0
    # 养老服务处's editor may not interpret 办公室's document
    code, _, err = run(
        capsys, "draft", "new", "reading.md", "--account", "ccyl_wechat", "--interprets", "1",
        "--as", "wu_fang",
    )  # fmt: skip
    assert code == 2 and "谁起草、谁解读" in err and "办公室" in err
    # only a 政策解读 names one, and only a 规范性文件 is named
    code, _, err = run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat",
                       "--interprets", "1", *AS)  # fmt: skip
    assert code == 2 and "只有「政策解读」" in err
    assert run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", *AS)[0] == 0
    code, _, err = run(capsys, "draft", "new", "reading.md", "--account", "ccmz_wechat",
                       "--interprets", "2", *AS)  # fmt: skip
    assert code == 2 and "只能对应规范性文件" in err
    code, _, err = run(capsys, "draft", "new", "reading.md", "--account", "ccmz_wechat",
                       "--interprets", "#1", *AS)  # fmt: skip
    assert code == 0, err
    assert show(capsys, 3)["interprets"] == 1
    # an edit without --interprets keeps the link
    assert run(capsys, "draft", "edit", "3", "reading.md", *AS)[0] == 0
    assert show(capsys, 3)["interprets"] == 1


async def _publish(draft_id: int) -> None:
    """Mark the draft's publication as out (the CLI's SQLite database, by the settings)."""
    from bot.config.load import load_settings
    from review.db import create_engine, session_factory

    settings = load_settings(Path("settings.toml"), env={})
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine).begin() as s:
            await s.execute(
                update(Publication)
                .where(Publication.draft_id == draft_id)
                .values(status="published", published_at=utcnow())
            )
    finally:
        await engine.dispose()


def test_quarterly_counter_counts_press_items_that_went_out(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "press.md").write_text(
        '+++\ntitle = "市民政局召开冬季救助新闻发布会"\nkind = "新闻发布会"\n+++\n'
        "市民政局召开新闻发布会，介绍今冬流浪乞讨人员救助和临时救助工作安排。",
        "utf-8",
    )
    code, out, _ = run(capsys, "report", "quarterly", "--json")
    assert json.loads(out)[-1]["count"] == 0
    assert run(capsys, "draft", "new", "press.md", "--account", "ccmz_wechat", *AS)[0] == 0
    assert run(capsys, "draft", "submit", "1", *AS)[0] == 0
    approve_every_stage(capsys)
    code, out, _ = run(capsys, "report", "quarterly", "--json")
    assert json.loads(out)[-1]["count"] == 0  # scheduled is not out
    import asyncio

    asyncio.run(_publish(1))
    code, out, _ = run(capsys, "report", "quarterly", "--json")
    last = json.loads(out)[-1]
    assert (last["count"], last["met"], last["items"][0]["kind"]) == (1, True, "新闻发布会")
    code, out, _ = run(capsys, "report", "quarterly")
    assert "市民政局召开冬季救助新闻发布会" in out and "· 达标" in out
    last_year = str(utcnow().year - 1)
    code, out, _ = run(capsys, "report", "quarterly", "--year", last_year)
    assert code == 1 and out.count("0 次 · 未达标") == 4  # a year without any: exit 1


def test_digest_prints_and_sends_once_a_week(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", *AS)[0] == 0
    assert run(capsys, "draft", "submit", "1", *AS)[0] == 0
    code, out, err = run(capsys, "report", "digest", "--department", "办公室")
    assert code == 0, err
    assert out.startswith("办公室 每周摘要（") and "■ 待审核（1）" in out
    assert "稿件 #1「关于开展2026年冬季流浪乞讨人员…」初审" in out
    assert "已交给通知渠道" not in out  # printed, not sent
    code, out, _ = run(capsys, "report", "digest", "--department", "office", "--send")
    assert code == 0 and "已交给通知渠道" in out
    code, out, _ = run(capsys, "report", "digest", "--department", "office", "--send")
    assert code == 0 and "本周摘要已发送过" in out
    code, _, err = run(capsys, "report", "digest", "--department", "nowhere")
    assert code == 2 and "未知的部门「nowhere」" in err


def test_interpretations_report_lists_a_published_document_without_one(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "rule.md").write_text(RULE, "utf-8")
    code, out, _ = run(capsys, "report", "interpretations")
    assert code == 0 and "均已在 3 个工作日内" in out
    assert run(capsys, "draft", "new", "rule.md", "--account", "ccmz_wechat", *AS)[0] == 0
    assert run(capsys, "draft", "submit", "1", *AS)[0] == 0
    approve_every_stage(capsys)
    import asyncio

    asyncio.run(_publish(1))
    code, out, _ = run(capsys, "report", "interpretations", "--json")
    [item] = json.loads(out)
    assert (item["draft_id"], item["state"], item["department"]) == (1, "due", "办公室")
    code, out, _ = run(capsys, "report", "interpretations", "--as-of", "2099-01-01 09:00")
    assert code == 1 and "[解读超期未发布] 办公室" in out
