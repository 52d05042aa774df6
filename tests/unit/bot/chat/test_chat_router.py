"""The chat router with an in-memory backend: parsing, permissions, de-dup, audit, help."""

from __future__ import annotations

import itertools

import pytest
from fake_chat_backend import OFFICE, SECRECY, FakeChat, Task

from bot.chat.commands import registry
from bot.chat.router import IN_PROGRESS, UNKNOWN_SENDER, ChatInput, Router
from review import eligibility

_keys = itertools.count(1)


@pytest.fixture
def fake() -> FakeChat:
    chat = FakeChat()
    chat.tasks[12] = Task(12, OFFICE, "初审")
    chat.tasks[13] = Task(13, OFFICE, "终审", role="head")
    chat.tasks[14] = Task(14, SECRECY, "保密审查")
    chat.messages[35] = OFFICE
    chat.messages[36] = SECRECY
    return chat


@pytest.fixture
def router(fake: FakeChat) -> Router:
    return Router(registry(), fake, fake)


async def say(router: Router, who: str, text: str, key: str | None = None) -> tuple[str, str]:
    answer = await router.handle(ChatInput("wecom", who, text, key or f"k{next(_keys)}"))
    return answer.outcome, answer.text


async def test_claim_then_approve_in_chinese_and_slash_forms(
    router: Router, fake: FakeChat
) -> None:
    outcome, text = await say(router, "LiNa", "认领 12")
    assert outcome == "ok" and "已认领" in text and "通过 12" in text
    outcome, text = await say(router, "LiNa", "/approve #12 内容准确")
    assert outcome == "ok" and "已通过" in text and "终审" in text
    assert fake.calls == [("claim", 12), ("approved", 12)]


async def test_full_width_and_no_space_are_accepted(router: Router, fake: FakeChat) -> None:
    assert (await say(router, "LiNa", "认领１２"))[0] == "ok"
    assert (await say(router, "LiNa", "通过　＃１２"))[0] == "ok"


async def test_unclaimed_task_is_refused_with_the_way_forward(
    router: Router, fake: FakeChat
) -> None:
    outcome, text = await say(router, "LiNa", "通过 12")
    assert outcome == "denied" and "还没有人认领" in text and "认领 12" in text
    assert fake.calls == []


async def test_only_the_claimant_decides(router: Router, fake: FakeChat) -> None:
    await say(router, "LiNa", "认领 12")
    outcome, text = await say(router, "WangQiang", "驳回 12 不准确")
    assert outcome == "denied" and "李娜" in text and "认领人" in text


async def test_wrong_department_is_refused(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "LiNa", "认领 14")
    assert outcome == "denied" and "保密办" in text and "办公室" in text
    outcome, text = await say(router, "LiNa", "回复 #36 您好")
    assert outcome == "denied" and "保密办" in text


async def test_head_stage_needs_a_head(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "LiNa", "认领 13")
    assert outcome == "denied" and "负责人" in text
    assert (await say(router, "WangQiang", "认领 13"))[0] == "ok"


async def test_role_is_checked_before_anything(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "ZhaoMin", "认领 12")
    assert outcome == "denied" and "审核人" in text and "赵敏" in text
    outcome, text = await say(router, "LiNa", "转交 12 王强")
    assert outcome == "denied" and "处室负责人" in text


async def test_author_never_reviews_own_draft(router: Router, fake: FakeChat) -> None:
    fake.tasks[12].author = 2  # 李娜 wrote it
    outcome, text = await say(router, "LiNa", "认领 12")
    assert outcome == "denied" and "自己参与撰写" in text


async def test_the_revisions_writer_never_reviews_it(router: Router, fake: FakeChat) -> None:
    fake.tasks[13].writer = 3  # 王强 wrote the revision under review; 赵敏 authored the draft
    outcome, text = await say(router, "WangQiang", "认领 13")
    assert outcome == "denied" and "自己参与撰写" in text and fake.calls == []


async def test_a_task_refusal_is_the_shared_rules_wording(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "ChenJing", "认领 12")
    chen = eligibility.Actor(4, "陈静", SECRECY, "保密办", frozenset({"reviewer", "head"}))
    task = eligibility.TaskFacts(12, "初审", "reviewer", OFFICE, "办公室", frozenset({1}))
    found = eligibility.refusal(chen, task)
    assert found is not None
    assert (outcome, text) == ("denied", f"未执行：{found.message}。")


async def test_a_denied_command_never_reaches_its_handler(router: Router, fake: FakeChat) -> None:
    outcome, _ = await say(router, "LiNa", "认领 13", key="head-stage")
    assert outcome == "denied" and fake.calls == [] and fake.tasks[13].status == "open"
    (event,) = [a for a in fake.audits if a.action == "chat.command"]
    assert event.subject == "task:13" and event.detail["outcome"] == "denied"
    assert "负责人" in event.detail["reason"]
    assert "head-stage" not in fake.commands  # forgotten: the same click may run once allowed


async def test_a_missing_task_is_denied_before_the_handler(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "LiNa", "查看 99")
    assert outcome == "denied" and "没有编号为 99 的审核任务" in text


async def test_an_unknown_command_points_to_help(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "LiNa", "天气怎么样")
    assert outcome == "invalid" and "没有「天气怎么样」这个命令" in text and "帮助" in text
    (event,) = fake.audits
    assert event.subject == "chat:parse" and event.detail["command"] is None
    assert fake.calls == [] and fake.commands == {}


async def test_an_empty_message_asks_for_a_command(router: Router) -> None:
    outcome, text = await say(router, "LiNa", "　 ")
    assert outcome == "invalid" and "请输入命令" in text


async def test_argument_errors_name_the_argument(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "LiNa", "回复 35 您好")
    assert outcome == "ok"  # the # is optional
    outcome, text = await say(router, "LiNa", "回复 #abc 您好")
    assert outcome == "invalid" and "「#abc」不是#留言号" in text and "/reply" in text
    outcome, text = await say(router, "LiNa", "回复 #35")
    assert outcome == "invalid" and "缺少「内容」" in text
    assert fake.calls == [("reply", 35)]


async def test_a_message_key_still_running_answers_in_progress(
    router: Router, fake: FakeChat
) -> None:
    fake.commands["busy"] = ""  # the first delivery is still being handled
    outcome, text = await say(router, "LiNa", "认领 12", key="busy")
    assert (outcome, text) == ("repeat", IN_PROGRESS) and fake.calls == []
    assert [a.action for a in fake.audits] == ["chat.repeat"]


async def test_malformed_and_unknown_commands_get_usage(router: Router) -> None:
    outcome, text = await say(router, "LiNa", "通过 abc")
    assert outcome == "invalid" and "用法：通过 任务编号 [意见]" in text and "/approve" in text
    outcome, text = await say(router, "LiNa", "驳回 12")
    assert outcome == "invalid" and "缺少「原因」" in text
    outcome, text = await say(router, "LiNa", "/aprove 12")
    assert outcome == "invalid" and "/approve" in text and "用法" in text
    outcome, text = await say(router, "LiNa", "认领 12 13")
    assert outcome == "invalid" and "多余" in text


async def test_domain_errors_are_shown(router: Router, fake: FakeChat) -> None:
    await say(router, "LiNa", "认领 12")
    outcome, text = await say(router, "LiNa", "认领 12")  # the domain's own guard says why
    assert outcome == "refused" and "已被认领" in text


async def test_unknown_sender_is_refused_and_audited_only(router: Router, fake: FakeChat) -> None:
    outcome, text = await say(router, "Stranger", "通过 12")
    assert (outcome, text) == ("unknown_sender", UNKNOWN_SENDER)
    assert [a.action for a in fake.audits] == ["chat.unknown_sender"]
    assert fake.commands == {} and fake.calls == []


async def test_repeat_returns_the_first_answer_without_acting(
    router: Router, fake: FakeChat
) -> None:
    await say(router, "LiNa", "认领 12", key="m1")
    first = await say(router, "LiNa", "通过 12", key="m2")
    again = await say(router, "LiNa", "通过 12", key="m2")
    assert again == ("repeat", first[1])
    assert fake.calls == [("claim", 12), ("approved", 12)]


async def test_every_command_is_audited_with_outcome(router: Router, fake: FakeChat) -> None:
    await say(router, "LiNa", "认领 12")
    await say(router, "LiNa", "认领 14")
    await say(router, "LiNa", "xyz")
    await say(router, "LiNa", "回复 #35 这是答复")
    events = [a for a in fake.audits if a.action == "chat.command"]
    assert [e.detail["outcome"] for e in events] == ["ok", "denied", "invalid", "ok"]
    assert events[0].actor == "li_na" and events[0].subject == "task:12"
    assert events[3].detail["args"] == {"message": 35, "text": 4}  # free text by length only


async def test_help_lists_every_command_with_its_docstring(router: Router) -> None:
    _, text = await say(router, "LiNa", "帮助")
    reg = registry()
    for cmd in reg.commands:
        assert cmd.usage in text and cmd.brief in text
    _, detail = await say(router, "LiNa", "/help 通过")
    assert reg.lookup("通过") is not None and reg.lookup("通过").help in detail  # type: ignore[union-attr]


async def test_a_refused_command_can_be_retried_once_it_is_allowed(
    router: Router, fake: FakeChat
) -> None:
    assert (await say(router, "LiNa", "通过 12", key="click"))[0] == "denied"
    await say(router, "LiNa", "认领 12")
    assert (await say(router, "LiNa", "通过 12", key="click"))[0] == "ok"


def test_every_issue_command_is_declared_in_both_forms() -> None:
    reg = registry()
    pairs = {
        "帮助": "/help",
        "待审": "/queue",
        "认领": "/claim",
        "查看": "/show",
        "通过": "/approve",
        "驳回": "/reject",
        "退回": "/revise",
        "释放": "/release",
        "转交": "/reassign",
        "撤回": "/retract",
        "留言": "/inbox",
        "回复": "/reply",
        "转办": "/transfer",
        "关闭": "/close",
    }
    for name, slash in pairs.items():
        assert reg.lookup(name) is reg.lookup(slash) is not None
