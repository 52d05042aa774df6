"""The bureau's own word lists: validated with a Chinese error naming file and line, added to the
shipped ones, re-read when edited (injected clock, explicit mtimes), a broken edit changes nothing."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from review.checks import GateInput, LexiconError, Verdict, default_lexicons, run_gate
from review.checks.bureau_lists import (
    BureauLists,
    BureauPaths,
    check_files,
    check_installed,
    installed,
    installed_problems,
)
from review.checks.lexicons import Lexicons, shipped_lexicons

ROOT = Path(__file__).resolve().parents[4]
ON_DUTY = "为做好最低生活保障和特困人员救助供养工作，"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def write(path: Path, text: str, mtime_s: int) -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))  # distinct even on a coarse clock
    return path


def wording(body: str, lex: Lexicons, title: str = "社会救助工作动态") -> tuple[Verdict, str]:
    r = run_gate(GateInput(title, ON_DUTY + body), limits={}, lexicons=lex).get("wording")
    assert r is not None
    return r.verdict, r.reason


def lists(tmp_path: Path, **files: str) -> BureauLists:
    paths = {k: write(tmp_path / name, text, 1) for k, (name, text) in _named(files).items()}
    return BureauLists(BureauPaths(**paths), check_s=5, clock=Clock())


def _named(files: dict[str, str]) -> dict[str, tuple[str, str]]:
    names = {"wording": "w.toml", "public_numbers": "n.txt", "duties": "d.toml"}
    return {k: (names[k], v) for k, v in files.items()}


ENTRY = (
    '[[entry]]\nwrong = "爱心驿站"\nright = "暖心驿站"\nlevel = "block"\nnote = "本局统一名称"\n'
)


def test_a_bureau_entry_blocks_and_names_its_list_and_entry(tmp_path: Path) -> None:
    lex = lists(tmp_path, wording=ENTRY).current()
    verdict, reason = wording("社区爱心驿站开放。", lex)
    assert verdict is Verdict.BLOCK
    assert "错敏词表（本局）第1条“爱心驿站”（本局统一名称）" in reason
    assert wording("社区爱心驿站开放。", shipped_lexicons())[0] is Verdict.PASS
    # shipped entries still apply, named as the shipped list's
    verdict, reason = wording("慰问残废人", lex)
    assert verdict is Verdict.BLOCK and "错敏词表（内置）第" in reason and "“残废人”" in reason


def test_disable_switches_a_shipped_entry_off_explicitly(tmp_path: Path) -> None:
    assert wording("速看！", shipped_lexicons())[0] is Verdict.WARN
    lex = lists(tmp_path, wording='[[disable]]\nwrong = "速看"\nreason = "栏目名"\n').current()
    assert wording("速看！", lex)[0] is Verdict.PASS
    with pytest.raises(
        LexiconError, match=r"w\.toml 第 1 行，第 1 条 \[\[disable\]\]：缺少 reason"
    ):
        lists(tmp_path, wording='[[disable]]\nwrong = "速看"\n')
    with pytest.raises(LexiconError, match="内置错敏词表中没有“速看看”"):
        lists(tmp_path, wording='[[disable]]\nwrong = "速看看"\nreason = "x"\n')


LEADERS = """
[[leader]]
name = "李振华"
titles = ["党组书记", "局长"]
rank = 1

[[leader]]
name = "赵立新"
titles = ["党组成员", "副局长"]
rank = 2
wrong_names = ["赵立鑫"]

[[title_order]]
order = ["党组书记", "局长"]
"""


@pytest.mark.parametrize(
    ("body", "verdict", "needle"),
    [
        ("市民政局党组书记、局长李振华出席。", Verdict.PASS, ""),
        ("李振华局长出席。", Verdict.PASS, ""),
        ("市民政局副局长李振华出席。", Verdict.BLOCK, "领导第1条“李振华”：职务写作“副局长”"),
        ("市民政局局长、党组书记李振华出席。", Verdict.BLOCK, "职务顺序有误，应为“党组书记、局长”"),
        ("李振华出席。", Verdict.WARN, "领导第1条“李振华”：未写职务"),
        ("局长李振华出席。李振华强调，要兜牢底线。", Verdict.PASS, ""),
        ("李振华出席。李振华强调，要兜牢底线。", Verdict.WARN, "未写职务"),
        ("局长李振华出席。副局长李振华强调。", Verdict.BLOCK, "职务写作“副局长”"),
        ("副局长赵立鑫出席。", Verdict.BLOCK, "领导第2条“赵立新”：领导姓名写错"),
        ("副局长赵立新、局长李振华出席。", Verdict.WARN, "排序有误，应排在“赵立新”之前"),
        ("局长李振华、副局长赵立新出席。", Verdict.PASS, ""),
        ("区民政局局长、党组书记张某出席。", Verdict.BLOCK, "职务顺序第1条：职务顺序有误"),
    ],
)
def test_leaders_names_titles_and_order(
    tmp_path: Path, body: str, verdict: Verdict, needle: str
) -> None:
    lex = lists(tmp_path, wording=LEADERS).current()
    found, reason = wording(body, lex)
    assert found is verdict, reason
    assert needle in reason and ("错敏词表（本局）" in reason) == bool(needle)


@pytest.mark.parametrize(
    ("body", "verdict", "needle"),
    [
        ("警惕！骗子常以“稳赚不赔”为诱饵推销养老理财。", Verdict.WARN, "例外规则第1条"),
        ("谨防养老诈骗：不要相信「一夜暴富」的说法。", Verdict.WARN, "降为提示"),
        ("买福利彩票稳赚不赔。", Verdict.BLOCK, "彩票宣传不得承诺"),
        ("他说“稳赚不赔”，大家都信了。", Verdict.BLOCK, "彩票宣传不得承诺"),  # no warning here
    ],
)
def test_a_quoted_scam_phrase_in_an_anti_fraud_warning_is_a_warning_with_why(
    body: str, verdict: Verdict, needle: str
) -> None:
    found, reason = wording(body, shipped_lexicons())
    assert found is verdict, reason
    assert needle in reason
    assert "错敏词表（内置）" in reason and ("“稳赚不赔”" in reason or "“一夜暴富”" in reason)


def test_a_bureau_context_rule_can_let_a_hit_pass_and_says_why(tmp_path: Path) -> None:
    rule = '[[context]]\nname = "歧视案例警示"\nmarkers = ["反歧视"]\nverdict = "pass"\n'
    lex = lists(tmp_path, wording=rule).current()
    verdict, reason = wording("反歧视宣传：不要再叫“瞎子”。", lex)
    assert verdict is Verdict.PASS and "例外规则第1条“歧视案例警示”放行" in reason
    assert wording("不要再叫瞎子。", lex)[0] is Verdict.BLOCK


def test_the_bureaus_public_numbers_are_not_personal_data(tmp_path: Path) -> None:
    body = ON_DUTY + "市民政局民政服务热线：0431-88886666，24小时有人接听。"
    shipped = run_gate(GateInput("热线", body), limits={}).get("personal_data")
    assert shipped is not None and shipped.verdict is not Verdict.PASS
    lex = lists(tmp_path, public_numbers="0431-88886666  # 市民政局民政服务热线\n").current()
    mine = run_gate(GateInput("热线", body), limits={}, lexicons=lex).get("personal_data")
    assert mine is not None and mine.verdict is Verdict.PASS, mine.reason
    # the shipped public numbers still apply
    assert "12349" in lex.personal.public_numbers and "043188886666" in lex.personal.public_numbers


def test_extra_duty_terms_join_an_area_or_make_one(tmp_path: Path) -> None:
    text = "农村幸福大院开放。"
    assert (
        run_gate(GateInput("幸福大院", text), limits={}).get("relevance").verdict
        is not Verdict.PASS
    )  # type: ignore[union-attr]
    duties = '[[area]]\nname = "养老服务"\nstrong = ["农村幸福大院"]\n'
    lex = lists(tmp_path, duties=duties).current()
    r = run_gate(GateInput("幸福大院", text), limits={}, lexicons=lex).get("relevance")
    assert r is not None and r.verdict is Verdict.PASS and "农村幸福大院" in r.reason
    area = next(a for a in lex.duties.areas if a.name == "养老服务")
    assert "农村幸福大院" in area.strong and "助餐点" in area.strong  # shipped words stay


def test_a_title_order_may_be_only_a_warning(tmp_path: Path) -> None:
    rule = '[[title_order]]\norder = ["党组书记", "局长"]\nlevel = "warn"\n'
    lex = lists(tmp_path, wording=rule).current()
    verdict, reason = wording("各区民政局局长、党组书记参加会议。", lex)
    assert verdict is Verdict.WARN and "职务顺序第1条：职务顺序有误" in reason


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("wording", '[[entry]]\nwrong = "甲"\nlevel = "必须"\n',
         r"w\.toml 第 1 行，第 1 条 \[\[entry\]\]：level 应为 \"block\""),
        ("wording", '\n\n[[entry]]\nwrong = "甲"\n\n[[entry]]\nright = "乙"\n',
         r"w\.toml 第 6 行，第 2 条 \[\[entry\]\]：缺少 wrong"),
        ("wording", '[[entry]]\nwrong = "甲"\nnotes = "x"\n', "不认识的项 notes"),
        ("wording", "[[leader]]\nname = \"李振华\"\n", "缺少 titles"),
        ("wording", '[[leader]]\nname = "李"\ntitles = ["局长"]\nrank = 0\n', "rank 应为正整数"),
        ("wording", "[[entrys]]\nwrong = \"甲\"\n", r"不认识的部分 entrys"),
        ("wording", 'wrong = "甲\n', r"w\.toml 第 1 行格式有误"),
        ("public_numbers", "0431-88886666\n市民政局热线\n", r"n\.txt 第 2 行不是电话号码"),
        ("public_numbers", "0431-88886666  # 热线\n13943125678   # 张科长手机\n",
         r"n\.txt 第 2 行是手机号码：个人手机不能列为公开号码"),
        ("public_numbers", "# 值班\n\n+86 139-4312-5678\n", r"n\.txt 第 3 行是手机号码"),
        ("duties", '[[area]]\nname = "养老服务"\n', r"d\.toml 第 1 行，第 1 条 \[\[area\]\]：strong 和 weak 至少写一个词"),
        ("duties", '[scoring]\npass_score = 1\n', "不认识的部分 scoring"),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused_in_chinese_naming_file_and_line(
    tmp_path: Path, kind: str, text: str, message: str
) -> None:
    with pytest.raises(LexiconError, match=message):
        lists(tmp_path, **{kind: text})
    path = tmp_path / _named({kind: text})[kind][0]
    problems = check_files(BureauPaths(**{kind: path}))  # the start-up check says the same
    assert len(problems) == 1 and re.search(message, problems[0])


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="找不到这个文件"):
        BureauLists(BureauPaths(wording=tmp_path / "nope.toml"))


def test_an_edit_applies_at_the_next_check_and_a_broken_one_keeps_the_last_good(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, clock = write(tmp_path / "w.toml", "", 1), Clock()
    found = BureauLists(BureauPaths(wording=path), check_s=5, clock=clock)
    assert wording("爱心驿站", found.current())[0] is Verdict.PASS
    write(path, ENTRY, 2)
    clock.now += 4  # not looked at yet: one stat per interval
    assert wording("爱心驿站", found.current())[0] is Verdict.PASS
    clock.now += 2
    assert wording("爱心驿站", found.current())[0] is Verdict.BLOCK and found.reloads == 1
    write(path, ENTRY.replace('level = "block"', 'level = "拦截"'), 3)
    clock.now += 6
    with caplog.at_level(logging.WARNING, logger="newmedia.checks.lists"):
        assert wording("爱心驿站", found.current())[0] is Verdict.BLOCK  # the last good list
    assert "not reloaded" in caplog.text and "level 应为" in caplog.text
    assert found.problems and "第 1 条 [[entry]]" in found.problems[0]
    write(path, ENTRY.replace('level = "block"', 'level = "warn"'), 4)
    clock.now += 6
    assert wording("爱心驿站", found.current())[0] is Verdict.WARN and not found.problems


def test_a_mobile_is_never_a_public_number_and_the_error_does_not_repeat_it(
    tmp_path: Path,
) -> None:
    """The file's own header says so; a mobile listed there would pass as a unit's number."""
    with pytest.raises(LexiconError) as caught:
        lists(tmp_path, public_numbers="13943125678   # 张科长手机\n")
    assert "13943125678" not in str(caught.value)  # logged while running: logs carry no numbers
    # a unit's landline, a hotline and a service number of the same length are not mobiles
    numbers = "0431-88886666\n12349\n(0431) 8888-6666\n10086\n4008-123-456\n"
    public = lists(tmp_path, public_numbers=numbers).current().personal.public_numbers
    assert {"043188886666", "12349", "10086", "4008123456"} <= public


def test_a_mobile_added_while_running_keeps_the_last_good_numbers(tmp_path: Path) -> None:
    path, clock = write(tmp_path / "n.txt", "0431-88886666\n", 1), Clock()
    found = BureauLists(BureauPaths(public_numbers=path), check_s=5, clock=clock)
    write(path, "0431-88886666\n13943125678  # 张科长手机\n", 2)
    clock.now += 6
    public = found.current().personal.public_numbers
    assert "043188886666" in public and "13943125678" not in public
    assert found.problems == [
        "n.txt 第 2 行是手机号码：个人手机不能列为公开号码（只写单位对外公布的固定电话或热线，请删去这一行）"
    ]


def test_check_looks_now_and_installed_problems_look_once_per_interval(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What the service's tick and ``/healthz`` use: a broken edit is noticed with no draft."""
    path, clock = write(tmp_path / "w.toml", ENTRY, 1), Clock()
    found = BureauLists(BureauPaths(wording=path), check_s=5, clock=clock)
    write(path, ENTRY.replace('"block"', '"拦截"'), 2)
    clock.now += 1  # within the interval: a reader does not look, the tick does
    with installed(found), caplog.at_level(logging.WARNING, logger="newmedia.checks.lists"):
        assert installed_problems() == []
        check_installed()
        assert "not reloaded" in caplog.text
        assert len(installed_problems()) == 1 and "level 应为" in installed_problems()[0]
        write(path, ENTRY.replace('"block"', '"warn"'), 3)  # fixed
        assert installed_problems() != []  # not looked at again before the interval
        clock.now += 5
        assert installed_problems() == []
        assert wording("爱心驿站", default_lexicons())[0] is Verdict.WARN
    assert installed_problems() == [] and found.reloads == 1
    check_installed()  # nothing installed: nothing to look at


def test_installed_lists_are_what_every_gate_run_reads(tmp_path: Path) -> None:
    found = lists(tmp_path, wording=ENTRY)
    before = default_lexicons()
    with installed(found):
        r = run_gate(GateInput("社会救助", ON_DUTY + "爱心驿站"), limits={}).get("wording")
        assert r is not None and r.verdict is Verdict.BLOCK
    assert default_lexicons() is before is shipped_lexicons()


@pytest.mark.parametrize(
    "name", ["bureau_wording.toml", "bureau_public_numbers.txt", "bureau_duties.toml"]
)
def test_the_example_files_beside_settings_are_valid(name: str) -> None:
    kind = {"bureau_wording.toml": "wording", "bureau_public_numbers.txt": "public_numbers"}.get(
        name, "duties"
    )
    assert check_files(BureauPaths(**{kind: ROOT / name})) == []
