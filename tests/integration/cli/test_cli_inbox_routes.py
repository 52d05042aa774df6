"""``newmedia inbox reply --route``: the answer routes from the command line (issue 14), the
same domain functions as chat and console; ``inbox show --json`` reports the route."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from app_support import run_cli
from inbox_support import add_shut_window_message

from review.db import create_engine, session_factory


async def _seed() -> int:
    engine = create_engine("sqlite:///var/newmedia.db")
    try:
        async with session_factory(engine).begin() as s:
            msg = await add_shut_window_message(s, "m-cli-routes", "我叫张桂兰，高龄津贴没到账")
        return msg.id
    finally:
        await engine.dispose()


def test_reply_by_route_and_show_json(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "inbox", "list")[0] == 0  # creates the embedded database
    mid = str(asyncio.run(_seed()))

    code, _, err = run_cli(capsys, "inbox", "reply", mid, "您好，津贴月底到账。", "--as", "sun_li")
    assert code == 1 and f'{mid} "答复内容" --route public' in err  # shut: the other routes
    code, out, err = run_cli(
        capsys, "inbox", "reply", mid, "您好，经核实，津贴已审批，月底到账。", "--route", "public",
        "--as", "sun_li",
    )  # fmt: skip
    assert code == 0 and "提交审核" in out, err
    code, out, _ = run_cli(capsys, "inbox", "show", mid, "--json", "--as", "sun_li")
    shown = json.loads(out)
    assert shown["answer_route"] is None and shown["public_answer"]["state"] == "review"
    assert "张桂兰" not in json.dumps(shown["public_answer"], ensure_ascii=False)

    code, _, err = run_cli(capsys, "inbox", "reply", mid, " ", "--route", "phone", "--as", "sun_li")
    assert code != 0 and "通话摘要不能为空" in err
    code, out, _ = run_cli(
        capsys, "inbox", "reply", mid, "12月3日致电，已告知。", "--route", "phone", "--as", "sun_li"
    )
    assert code == 0 and "已记录电话答复" in out
    code, out, _ = run_cli(capsys, "inbox", "show", mid, "--json", "--as", "sun_li")
    assert json.loads(out)["answer_route"] == "phone"
