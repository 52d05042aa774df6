"""``newmedia inbox`` says in its exit code whether the answer went out: a reply the window or
the platform stopped, and a comment the platform refused, exit 1 with the Chinese explanation on
stderr; hints name the command line's own commands; staff read statuses in Chinese; message
numbers are written as in chat (``#10``), anything else refused in Chinese."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from app_support import run_cli
from inbox_support import add_shut_window_message

from review.db import create_engine, session_factory
from review.models import CitizenMessage, utcnow
from review.store import directory


def _platform_down(workdir: Path) -> None:
    """The demo platforms live inside ``newmedia serve``: point them at a closed port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = workdir / "settings.toml"
    text = path.read_text(encoding="utf-8")
    down = text.replace('public_url = "http://127.0.0.1:8080"',
                        f'public_url = "http://127.0.0.1:{port}"')  # fmt: skip
    assert down != text
    path.write_text(down, encoding="utf-8")


async def _seed() -> dict[str, int]:
    """养老服务处's messages: one whose window has shut, one in its window, one article comment."""
    engine = create_engine("sqlite:///var/newmedia.db")
    try:
        async with session_factory(engine).begin() as s:
            shut = await add_shut_window_message(s, "m-cli-shut", "高龄津贴什么时候到账？")
            dept = await directory.department_by_key(s, "elderly")
            account = await directory.account_by_key(s, "ccmz_wechat")
            assert dept is not None and account is not None
            now = utcnow()
            rows = {}
            for key, kind, ref in (("open", "text", None), ("comment", "comment", "2247:1:77")):
                rows[key] = CitizenMessage(
                    account_id=account.id, platform="wechat", dedup_key=f"m-cli-{key}",
                    sender=f"o_cli_{key}", msg_type=kind, text="养老院收费标准在哪里查？",
                    status="assigned", topic="养老服务", department_id=dept.id, received_at=now,
                    reply_window_closes_at=now + timedelta(hours=40) if ref is None else None,
                    remote_ref=ref, processed=True,
                )  # fmt: skip
                s.add(rows[key])
            await s.flush()
            return {"shut": shut.id, **{k: m.id for k, m in rows.items()}}
    finally:
        await engine.dispose()


@pytest.fixture
def ids(cli_workdir: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    _platform_down(cli_workdir)
    assert run_cli(capsys, "inbox", "list")[0] == 0  # creates the embedded database
    return asyncio.run(_seed())


def test_an_answer_that_did_not_go_out_exits_non_zero(
    ids: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    shut, live = str(ids["shut"]), str(ids["open"])
    code, out, err = run_cli(capsys, "inbox", "reply", shut, "您好，月底到账。", "--as", "sun_li")
    assert (code, out) == (1, "") and "答复未能发出" in err
    assert f'newmedia inbox reply {shut} "答复内容" --route public' in err
    assert f'newmedia inbox reply {shut} "通话摘要" --route phone' in err
    assert "「公开答复 #" not in err and "「电话 #" not in err  # chat's commands, not here

    code, _, err = run_cli(capsys, "inbox", "reply", live, "详见【口径999】", "--as", "sun_li")
    assert code == 2 and "newmedia wording search 关键词" in err

    code, out, err = run_cli(capsys, "inbox", "reply", live, "您好，见官网公告。", "--as", "sun_li")
    assert (code, out) == (1, "") and "答复发送失败（平台暂时不可用）" in err

    code, out, err = run_cli(
        capsys, "inbox", "comment", "elect", str(ids["comment"]), "--as", "sun_li"
    )
    assert (code, out) == (1, "") and "未能精选（平台暂时不可用）" in err

    code, out, err = run_cli(
        capsys, "inbox", "reply", shut, "12月3日致电，已告知。", "--route", "phone",
        "--as", "sun_li",
    )  # fmt: skip
    assert code == 0 and "已记录电话答复" in out, err
    assert f'newmedia inbox close {shut} --reason "原因"' in out and "「关闭 #" not in out


def test_show_reads_statuses_in_chinese_and_takes_a_hash(
    ids: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    shut = ids["shut"]
    run_cli(capsys, "inbox", "reply", str(shut), "您好，月底到账。", "--as", "sun_li")
    run_cli(
        capsys, "inbox", "reply", str(shut), "已致电告知。", "--route", "phone", "--as", "sun_li"
    )

    code, out, err = run_cli(capsys, "inbox", "show", f"#{shut}", "--as", "sun_li")
    assert code == 0, err
    assert "超出回复窗口" in out and "已记录" in out
    assert "outside_window" not in out and "recorded" not in out
    code, out, _ = run_cli(capsys, "inbox", "show", f"＃{shut}", "--json", "--as", "sun_li")
    replies = json.loads(out)["replies"]
    assert [(r["status"], r["status_label"]) for r in replies] == [
        ("outside_window", "超出回复窗口"), ("recorded", "已记录"),
    ]  # fmt: skip

    code, out, err = run_cli(
        capsys, "inbox", "reply", str(shut), "您好", "--route", "public", "--as", "sun_li"
    )
    assert code != 0 and "当前「已答复」" in err and "answered" not in err

    with pytest.raises(SystemExit) as caught:
        run_cli(capsys, "inbox", "show", "abc", "--as", "sun_li")
    err = capsys.readouterr().err
    assert caught.value.code == 2 and "「abc」不是编号" in err and "invalid int" not in err
