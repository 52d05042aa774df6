"""The drafts lifecycle's pure rules: the state a draft shows, who manages it, the front matter's
keys, the door rules ``check`` and ``draft new`` share, and what an edit says about the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review import draft_rights
from review.draft_rules import KINDS, content_problems
from review.drafts import DraftInput, schedule_note, validate
from review.errors import ValidationFailed
from review.frontmatter import FrontMatterError, closest_key, parse_draft_file
from review.states import DraftStatus as D
from review.states import PublicationStatus as P
from review.states import draft_state


@pytest.mark.parametrize(
    ("pubs", "state", "label"),
    [
        ([P.SCHEDULED, P.SCHEDULED], "scheduled", "待发布"),
        ([P.PUBLISHED, P.PUBLISHED], "published", "已发布"),
        ([P.PUBLISHED, P.SCHEDULED], "partly_published", "部分发布"),
        ([P.PUBLISHED, P.FAILED], "partly_published", "部分发布"),
        ([P.PUBLISHED, P.RETRACTED], "partly_retracted", "部分撤回"),  # one taken down, not failed
        ([P.RETRACTED, P.RETRACTED], "retracted", "已撤回"),
        ([P.RETRACTED, P.CANCELLED], "retracted", "已撤回"),
        ([P.FAILED, P.SCHEDULED], "failed", "发布失败"),
        ([P.FAILED], "failed", "发布失败"),
        ([P.PUBLISHING, P.PUBLISHED], "publishing", "发布中"),
        ([P.NEEDS_CHECK, P.PUBLISHED], "needs_check", "待人工核对"),
        ([P.CANCELLED, P.CANCELLED], "cancelled", "已取消发布"),
        ([P.CANCELLED, P.SCHEDULED], "scheduled", "待发布"),
    ],
)
def test_a_scheduled_drafts_state_follows_its_publications(
    pubs: list[P], state: str, label: str
) -> None:
    assert draft_state(D.SCHEDULED, pubs) == (state, label)


def test_before_scheduling_the_draft_shows_its_own_status() -> None:
    assert draft_state(D.IN_REVIEW, [P.CANCELLED]) == ("in_review", "审核中")
    assert draft_state(D.SCHEDULED, []) == ("scheduled", "待发布")


OFFICE, ELDERLY = 1, 2
OWNS_OFFICE = draft_rights.Owners(frozenset({OFFICE}), ("办公室",))


def who(roles: str, dept: int = OFFICE, pid: int = 7, active: bool = True) -> draft_rights.Manager:
    return draft_rights.manager(pid, "某人", dept, roles.split(), active)


@pytest.mark.parametrize(
    ("person", "act", "allowed"),
    [
        (who("editor"), "submit", True),
        (who("editor", ELDERLY), "submit", False),  # another department's editor
        (who("head", ELDERLY), "schedule", False),
        (who("admin", ELDERLY), "submit", True),
        (who("reviewer"), "submit", False),  # neither author nor editor
        (who("reviewer", pid=3), "submit", True),  # the author
        (who("operator", pid=3), "submit", True),  # an outside operator who wrote it
        (who("reviewer"), "schedule", False),
        (who("head"), "schedule", True),
        (who("editor"), "schedule", True),
        (who("editor", active=False), "schedule", False),
        (who("editor"), "edit", True),
        (who("editor", ELDERLY), "edit", False),  # another department's editor, someone's draft
        (who("editor", ELDERLY, pid=3), "edit", True),  # … their own draft (供稿)
        (who("reviewer"), "edit", False),
    ],
)
def test_the_owner_department_manages_the_draft(
    person: draft_rights.Manager, act: draft_rights.Act, allowed: bool
) -> None:
    why = draft_rights.refusal(person, act, OWNS_OFFICE, author_id=3, draft_id=9)
    assert (why is None) == allowed, why


def test_the_refusal_names_the_owner_and_the_rule() -> None:
    why = draft_rights.refusal(
        who("editor", ELDERLY), "submit", OWNS_OFFICE, author_id=7, draft_id=9
    )
    assert why is not None and "办公室" in why and "谁开设、谁管理" in why and "提交" in why
    both = draft_rights.Owners(frozenset({OFFICE, ELDERLY}), ("办公室", "养老服务处"))
    assert draft_rights.refusal(who("editor"), "schedule", both, author_id=7, draft_id=9)


@pytest.mark.parametrize(
    ("key", "meant"),
    [("titel", "title"), ("publish_at", "at"), ("account", "accounts"), ("Kind", "kind")],
)
def test_an_unknown_key_is_refused_with_the_closest_known_key(key: str, meant: str) -> None:
    assert closest_key(key) == meant
    text = f'+++\ntitle = "标题"\n{key} = "x"\n+++\n正文'
    with pytest.raises(FrontMatterError) as caught:
        parse_draft_file(text)
    assert caught.value.line == 3 and f"「{key}」" in caught.value.message
    assert f"是不是想写 {meant}" in caught.value.message


def test_a_key_like_nothing_known_is_refused_without_a_guess() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_draft_file("+++\nzzz = 1\n+++\n正文")
    assert "「zzz」" in caught.value.message and "是不是" not in caught.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_accepted_in_front_matter(kind: str) -> None:
    meta, _ = parse_draft_file(f'+++\nkind = "{kind}"\n+++\n# 标题\n正文')
    assert meta["kind"] == kind


@pytest.mark.parametrize(
    ("title", "body", "kind", "source", "field"),
    [
        ("标题", "   \n", "工作动态", None, "body"),
        ("", "正文", "工作动态", None, "title"),
        ("标" * 65, "正文", "工作动态", None, "title"),
        ("标题", "正文", "随笔", None, "kind"),
        ("标题", "正文", "转载", None, "source"),
        ("标题", "字" * 20_000, "工作动态", None, "body"),
    ],
)
def test_the_door_rules_are_the_ones_draft_new_applies(
    title: str, body: str, kind: str, source: str | None, field: str
) -> None:
    problems = content_problems(title, body, kind, source)
    assert [p.field for p in problems] == [field]
    with pytest.raises(ValidationFailed) as caught:
        validate(DraftInput(title, body, ["ccmz_wechat"], kind=kind, source=source))
    assert caught.value.message == problems[0].message and caught.value.field == field


def test_a_good_draft_has_no_door_problem() -> None:
    assert content_problems("标题", "正文", "规范性文件", None) == []


def test_what_an_edit_says_about_the_time() -> None:
    at = datetime(2099, 12, 3, 1, 0, tzinfo=UTC)  # 09:00 Beijing
    assert schedule_note(at, at) == "发布时间保持为 12月3日 09:00"
    assert schedule_note(at, at + timedelta(days=1)) == "发布时间改为 12月4日 09:00"
    assert schedule_note(None, at) == "发布时间改为 12月3日 09:00"
    assert schedule_note(at, None) == "发布时间已取消，改为按账号发布时段"
    assert schedule_note(None, None) == "发布时间：按账号发布时段"
    past = datetime(2001, 1, 1, tzinfo=UTC)
    assert "已过" in schedule_note(past, past)
