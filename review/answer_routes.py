"""How a citizen's final answer reaches them, as pure rules (issue 14).

A message counts as answered only when a route delivered the answer:

- ``cs``: a customer-service message, while WeChat's window is open (``review.replies``
  ``window_problem`` says whether; it reopens when the citizen writes again);
- ``public``: a 留言答复 post — the question de-identified plus the answer — through the account's
  review chain; answered when that post is published (``review.public_answers``);
- ``phone``: a call the replier made and records with a summary;
- ``comment``: a reply under the citizen's comment (article comments, issue 14 point 5).

Each route is recorded on the reply row (``message_replies.route``) and on the message
(``answer_route``, ``answered_at``). The state of a public answer is read here from its draft and
publication statuses, so the tick, ``inbox show`` and a second 公开答复 agree on it.
"""

from __future__ import annotations

import enum
from typing import Literal

from review.states import DraftStatus as D
from review.states import PublicationStatus as P

ROUTES = ("cs", "public", "phone", "comment")
ROUTE_LABELS = {
    "cs": "客服消息",
    "public": "公开答复",
    "phone": "电话答复",
    "comment": "评论回复",
    # sent by the service itself, never the answer: the interim reply inside the window, and
    # the notice that a public answer is out
    "interim": "过渡答复",
    "notice": "公开答复通知",
}
#: what the staff choose from (a comment's route is its own: the reply under the comment)
CHOSEN = ("cs", "public", "phone")
PUBLIC_KIND = "留言答复"
#: the longest answer or call summary a replier writes (a customer-service message is 600 too)
MAX_TEXT = 600

#: reply-row statuses of the routes other than ``cs`` (``cs``: queued | sent | outside_window |
#: failed); kept apart so they never count against WeChat's five messages per window
PUBLIC_PENDING, PUBLIC_PUBLISHED, PUBLIC_FAILED = "pending", "published", "not_published"
PHONE_RECORDED = "recorded"

#: a reply row's status as staff read it (``inbox show``, the console, chat); JSON keeps the code
REPLY_LABELS = {
    "queued": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
    "outside_window": "超出回复窗口",
    PUBLIC_PENDING: "审核中",
    PUBLIC_PUBLISHED: "已发布",
    PUBLIC_FAILED: "未发布",
    "superseded": "已被替代",
    PHONE_RECORDED: "已记录",
}


def reply_label(status: str) -> str:
    return REPLY_LABELS.get(status, status)


class PublicState(enum.StrEnum):
    """Where a public answer is, as the replier needs to know it."""

    REVIEW = "review"  # submitted, in review or approved
    BLOCKED = "blocked"  # the gate stopped it: edit and resubmit (a new 公开答复 does)
    RETURNED = "returned"  # a reviewer sent it back for changes
    REJECTED = "rejected"
    SCHEDULED = "scheduled"  # approved, waiting for its time
    PUBLISHING = "publishing"  # being sent, or the platform has not confirmed yet
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


PUBLIC_LABELS = {
    PublicState.REVIEW: "审核中",
    PublicState.BLOCKED: "未通过自动检查",
    PublicState.RETURNED: "被退回修改",
    PublicState.REJECTED: "被驳回",
    PublicState.SCHEDULED: "已通过审核，待发布",
    PublicState.PUBLISHING: "发布中",
    PublicState.PUBLISHED: "已发布",
    PublicState.FAILED: "发布失败",
    PublicState.CANCELLED: "已取消发布",
}
#: on its way: a second public answer would publish the question twice
LIVE = frozenset({PublicState.REVIEW, PublicState.SCHEDULED, PublicState.PUBLISHING})
#: the same draft takes the new wording (a new revision, review restarts)
REVISABLE = frozenset({PublicState.BLOCKED, PublicState.RETURNED})
#: it will not publish unless someone acts: the replier is told, the message stays unanswered
STALLED = frozenset(
    {PublicState.RETURNED, PublicState.REJECTED, PublicState.FAILED, PublicState.CANCELLED}
)
_BY_PUBLICATION = {
    P.SCHEDULED: PublicState.SCHEDULED,
    P.PUBLISHING: PublicState.PUBLISHING,
    P.PENDING: PublicState.PUBLISHING,
    P.NEEDS_CHECK: PublicState.PUBLISHING,
    P.PUBLISHED: PublicState.PUBLISHED,
    # published, then taken down: the citizen could read it (the message stays answered)
    P.RETRACTED: PublicState.PUBLISHED,
    P.FAILED: PublicState.FAILED,
    P.CANCELLED: PublicState.CANCELLED,
}
_BY_DRAFT = {
    D.DRAFT: PublicState.REVIEW,
    D.SUBMITTED: PublicState.REVIEW,
    D.IN_REVIEW: PublicState.REVIEW,
    D.APPROVED: PublicState.REVIEW,
    D.BLOCKED: PublicState.BLOCKED,
    D.CHANGES_REQUESTED: PublicState.RETURNED,
    D.REJECTED: PublicState.REJECTED,
}


def public_state(draft_status: str, publication_status: str | None) -> PublicState:
    """The public answer's state from its draft and its one publication (the account the message
    came in on). A scheduled draft without a publication row yet is still on its way."""
    status = D(draft_status)
    if status != D.SCHEDULED:
        return _BY_DRAFT[status]
    if publication_status is None:
        return PublicState.SCHEDULED
    return _BY_PUBLICATION[P(publication_status)]


def text_problem(text: str, what: str) -> str | None:
    """Why an answer or a call summary cannot be recorded as written (None: it can)."""
    if not text.strip():
        return f"{what}不能为空"
    if len(text.strip()) > MAX_TEXT:
        return f"{what}超过 {MAX_TEXT} 字（现 {len(text.strip())} 字），请精简后重试"
    return None


#: where staff act: a hint names what to type there (chat commands, ``newmedia`` lines) or,
#: on the console's message page, what to choose
Surface = Literal["chat", "cli", "console"]


def send_word(surface: Surface = "chat") -> str:
    """What the replier does with a hint: send a chat command, run a command line, submit."""
    return {"cli": "运行", "console": "提交"}.get(surface, "发送")


def public_hint(message_id: int, surface: Surface = "chat") -> str:
    if surface == "cli":
        return f'newmedia inbox reply {message_id} "答复内容" --route public'
    if surface == "console":
        return "答复方式：公开答复"
    return f"公开答复 #{message_id} 答复内容"


def phone_hint(message_id: int, surface: Surface = "chat") -> str:
    if surface == "cli":
        return f'newmedia inbox reply {message_id} "通话摘要" --route phone'
    if surface == "console":
        return "答复方式：电话答复"
    return f"电话 #{message_id} 通话摘要"


def close_hint(message_id: int, surface: Surface = "chat") -> str:
    if surface == "cli":
        return f'newmedia inbox close {message_id} --reason "原因"'
    if surface == "console":
        return "关闭留言"
    return f"关闭 #{message_id} 原因"


def other_routes(message_id: int, platform: str, surface: Surface = "chat") -> str:
    """The routes that still work once a customer-service message cannot go out, in words."""
    send = send_word(surface)
    public = (
        f"公开答复：{send}「{public_hint(message_id, surface)}」，问题去标识化后与答复一起经本账号"
        "审核发布在「留言答复」栏目，发布后留言记为已答复"
    )
    phone = f"电话答复：留言人留有电话的，致电后{send}「{phone_hint(message_id, surface)}」记录"
    again = "留言人再次留言后 48 小时内可再用客服消息答复" if platform == "wechat" else ""
    return "；".join(p for p in (public, phone, again) if p)


def answered_text(message_id: int, route: str) -> str:
    return f"留言 #{message_id} 已答复（{ROUTE_LABELS.get(route, route)}）。"
