"""Hypothesis fuzzing of the chat command parser (``bot/chat/registry.py``) and of the card
button mapping: whatever a reviewer (or anyone holding a WeCom account) types, the answer is a
parsed command or a ``ParseError`` with a Chinese hint — never another exception — and an id
argument is always a positive integer the database can hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.commands import registry
from bot.chat.registry import ParseError
from channels.wecom.callback import card_click_to_command

REG = registry()
WORDS = sorted({w for c in REG.commands for w in (c.name, c.slash, *c.aliases)})
FUZZ = settings(max_examples=400, deadline=None)
TOKENS = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["12", "#12", "１２", "＃3", "0", "-1", "9" * 30, "　", "\n", "／通过"]),
    st.text(max_size=20),
)


def _check(text: str) -> None:
    try:
        parsed = REG.parse(text)
    except ParseError as exc:
        assert exc.message and ("帮助" in exc.message or "用法" in exc.message)
        return
    assert parsed.command in REG.commands
    for arg in parsed.command.args:
        value = parsed.args[arg.name]
        if arg.kind == "id":
            assert isinstance(value, int) and 0 <= value < 10**9
        else:
            assert isinstance(value, str)


@FUZZ
@given(st.text(max_size=200))
def test_any_text_parses_or_gets_a_hint(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(TOKENS, max_size=6), st.sampled_from([" ", "", "　", "  "]))
def test_command_like_text_parses_or_gets_a_hint(tokens: list[str], sep: str) -> None:
    _check(sep.join(tokens))


@FUZZ
@given(st.text(max_size=60) | st.from_regex(r"[a-z_]{1,10}:\d{0,15}", fullmatch=True))
def test_card_buttons_map_to_a_parsable_command_or_none(key: str) -> None:
    command = card_click_to_command(key)
    if command is not None:
        parsed = REG.parse(command)  # a mapped button is always a valid command
        assert parsed.command.name in ("通过", "驳回", "退回", "认领")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_help_for_any_topic_answers(topic: str) -> None:
    assert REG.help_text(topic)
