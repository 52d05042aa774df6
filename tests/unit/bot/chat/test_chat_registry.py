"""The command registry: groups included in one place, in help order, and argument parsing."""

from __future__ import annotations

import pytest

from bot.chat import commands, commands_inbox, commands_review
from bot.chat.commands import registry
from bot.chat.registry import Arg, Call, ParseError, Registry
from channels.wecom.callback import MAX_REPLY_BYTES

HELP_ORDER = [
    "帮助",
    "留言",
    "回复",
    "公开答复",
    "电话",
    "转办",
    "关闭",
    "口径",
    "评论",
    "待审",
    "查看",
    "认领",
    "通过",
    "驳回",
    "退回",
    "释放",
    "转交",
    "撤回",
    "更正",
    "取消",
    "改期",
]


def test_help_lists_the_groups_in_the_order_they_are_included() -> None:
    reg = registry()
    assert [c.name for c in reg.commands] == HELP_ORDER
    lines = reg.help_text().splitlines()[1:-1]
    assert [line.split()[1] for line in lines] == HELP_ORDER


def test_help_fits_in_one_wecom_reply() -> None:
    """WeCom cuts a reply at 2048 bytes (the callback truncates to it): 「帮助」 must not lose its
    last commands to that cut when a group adds one."""
    assert len(registry().help_text().encode()) <= MAX_REPLY_BYTES


def test_each_module_owns_its_group_and_including_leaves_it_alone() -> None:
    sizes = [len(g.commands) for g in (commands.general, commands_inbox.group)]
    assert sizes == [1, 6] and len(commands_review.group.commands) == 10
    assert registry().commands == registry().commands  # the same commands, built twice
    assert [len(g.commands) for g in (commands.general, commands_inbox.group)] == sizes


def test_a_word_declared_in_two_groups_is_refused() -> None:
    other = Registry()

    @other.command("帮忙", "/help")
    async def clash(call: Call) -> str:
        """同一个斜杠命令。"""
        return ""

    with pytest.raises(ValueError, match="/help"):
        Registry().include(commands.general, other)


def test_a_command_needs_a_docstring_for_its_help() -> None:
    async def bare(call: Call) -> str:
        return ""

    with pytest.raises(ValueError, match="docstring"):
        Registry().command("空", "/empty")(bare)


def parse(text: str) -> dict[str, object]:
    return registry().parse(text).args


def test_ids_may_carry_a_hash_and_full_width_digits() -> None:
    assert parse("通过 #12") == {"task": 12, "note": ""}
    assert parse("通过　＃１２　内容准确 同意") == {"task": 12, "note": "内容准确 同意"}
    assert parse("认领12") == {"task": 12}  # Chinese commands without a space
    assert parse("/CLAIM 12") == {"task": 12}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("驳回 12", "缺少「原因」"),
        ("认领 十二", "「十二」不是任务编号"),
        ("认领 12 13", "多余的内容「13」"),
        ("转交 12", "缺少「姓名」"),
    ],
)
def test_argument_errors_name_the_argument_and_show_usage(text: str, problem: str) -> None:
    with pytest.raises(ParseError) as caught:
        registry().parse(text)
    assert problem in caught.value.message and "用法：" in caught.value.message
    assert caught.value.command is not None


def test_an_unknown_word_suggests_the_closest_command() -> None:
    with pytest.raises(ParseError) as caught:
        registry().parse("/aprove 12")
    assert caught.value.command is None
    assert "没有「/aprove」这个命令" in caught.value.message and "/approve" in caught.value.message


def test_text_arguments_take_the_rest_of_the_line() -> None:
    reg = Registry()

    @reg.command("说", "/say", args=(Arg("who", "人"), Arg("text", "内容", "text")))
    async def say(call: Call) -> str:
        """说一句话。"""
        return ""

    assert reg.parse("说 李娜 你好 世界").args == {"who": "李娜", "text": "你好 世界"}


def test_free_text_is_kept_as_typed_while_ids_and_words_are_normalised() -> None:
    """A citizen reads the answer: its 「，；（）」 and spacing stay; only the command word, the
    id (＃１４) and single words (a department, a person) are read normalised."""
    answer = "您好，养老机构收费实行备案管理；符合条件的可申请（详见【口径3】）。  谢谢！"
    assert parse(f"回复　＃１４　{answer}　") == {"message": 14, "text": answer}
    assert parse(f"回复＃１４ {answer}") == {"message": 14, "text": answer}
    assert parse("转办 #3 ＳＯＣＩＡＬ 请（加急）处理") == {
        "message": 3, "department": "SOCIAL", "note": "请（加急）处理"
    }  # fmt: skip
    assert parse("电话 7 ABC：１２３") == {"message": 7, "summary": "ABC：１２３"}


def test_a_time_or_a_search_is_read_normalised() -> None:
    when = parse("改期 12 ２０２６－１２－０３　０９：００")
    assert when == {"draft": 12, "when": "2026-12-03 09:00"}
    assert parse("口径　（３）") == {"query": "(3)"}


@pytest.mark.parametrize(
    ("typed", "meant"), [("待shen", "待审"), ("代审", "待审"), ("help", "帮助"), ("撤", "撤回")]
)
def test_a_half_typed_chinese_command_or_a_bare_help_finds_its_command(
    typed: str, meant: str
) -> None:
    found = registry().closest(typed)
    assert found is not None and found.name == meant


def test_help_gives_each_command_a_brief_and_the_full_summary_on_request() -> None:
    """The overview keeps each summary's first clause; 「帮助 命令」 has the whole docstring."""
    reg = registry()
    for cmd in reg.commands:
        assert cmd.brief and cmd.summary.startswith(cmd.brief)
        assert cmd.summary in reg.help_text(cmd.name)
