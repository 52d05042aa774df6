"""The answer routes' pure rules (issue 14): a public answer's state from its draft and post,
which states are on their way, revisable or stalled, and the routes offered once the window
has shut; and the one exception to 谁开设、谁管理 a public answer needs."""

from __future__ import annotations

import pytest

from review import draft_rights
from review.answer_routes import (
    LIVE,
    REVISABLE,
    STALLED,
    PublicState,
    other_routes,
    public_state,
    reply_label,
    text_problem,
)
from review.states import DraftStatus, PublicationStatus

S = PublicState


@pytest.mark.parametrize(
    ("draft", "post", "state"),
    [
        ("in_review", None, S.REVIEW),
        ("approved", None, S.REVIEW),
        ("blocked", None, S.BLOCKED),
        ("changes_requested", None, S.RETURNED),
        ("rejected", None, S.REJECTED),
        ("scheduled", None, S.SCHEDULED),
        ("scheduled", "scheduled", S.SCHEDULED),
        ("scheduled", "publishing", S.PUBLISHING),
        ("scheduled", "pending", S.PUBLISHING),  # WeChat has not confirmed: not answered yet
        ("scheduled", "needs_check", S.PUBLISHING),
        ("scheduled", "published", S.PUBLISHED),
        ("scheduled", "retracted", S.PUBLISHED),
        ("scheduled", "failed", S.FAILED),
        ("scheduled", "cancelled", S.CANCELLED),
    ],
)
def test_state_from_draft_and_post(draft: str, post: str | None, state: PublicState) -> None:
    assert public_state(draft, post) is state


def test_every_draft_and_publication_status_has_a_state() -> None:
    for d in DraftStatus:
        assert public_state(d, None) in S
    for p in PublicationStatus:
        assert public_state("scheduled", p) in S


def test_only_published_answers_and_the_sets_do_not_overlap() -> None:
    assert S.PUBLISHED not in LIVE | REVISABLE | STALLED
    assert not LIVE & STALLED and not LIVE & REVISABLE


def test_text_problem() -> None:
    assert text_problem("  ", "通话摘要") == "通话摘要不能为空"
    assert "600" in (text_problem("字" * 601, "答复内容") or "")
    assert text_problem("您好", "答复内容") is None


def test_routes_offered_outside_the_window() -> None:
    wechat = other_routes(12, "wechat")
    assert "公开答复 #12" in wechat and "电话 #12" in wechat and "48 小时" in wechat
    assert "48 小时" not in other_routes(12, "weibo")


def test_the_command_line_is_told_its_own_commands() -> None:
    cli = other_routes(12, "wechat", "cli")
    assert 'newmedia inbox reply 12 "答复内容" --route public' in cli
    assert 'newmedia inbox reply 12 "通话摘要" --route phone' in cli
    assert "公开答复 #12" not in cli and "电话 #12" not in cli


def test_every_reply_status_reads_in_chinese() -> None:
    statuses = ("queued", "sent", "failed", "outside_window", "pending", "published")
    statuses += ("not_published", "superseded", "recorded")
    assert all(reply_label(s) != s and not reply_label(s).isascii() for s in statuses)
    assert reply_label("outside_window") == "超出回复窗口" and reply_label("pending") == "审核中"


def _who(dept: int, *roles: str) -> draft_rights.Manager:
    return draft_rights.manager(7, "孙丽", dept, roles, True)


def test_a_public_answer_is_submitted_by_the_messages_replier_not_moved_by_them() -> None:
    office = draft_rights.Owners(frozenset({1}), ("办公室",))
    replier = _who(3, "replier", "reviewer")
    refused = draft_rights.refusal(replier, "submit", office, author_id=7, draft_id=5)
    assert refused is not None and "谁开设、谁管理" in refused
    answering = frozenset({3})
    for act in ("edit", "submit"):
        assert (
            draft_rights.refusal(replier, act, office, author_id=9, draft_id=5, answering=answering)
            is None
        )
    assert draft_rights.refusal(
        replier, "schedule", office, author_id=7, draft_id=5, answering=answering
    )
    assert draft_rights.refusal(  # an editor of that department is not its replier
        _who(3, "editor"), "submit", office, author_id=9, draft_id=5, answering=answering
    )
