"""Every audit action the code writes has a Chinese name, and details read as text."""

from __future__ import annotations

import re
from pathlib import Path

from review.audit_labels import action_label, readable_detail
from review.states import MessageStatus, PublicationStatus

ROOT = Path(__file__).resolve().parents[3]
# action="draft.create" / NewEvent("system", "publication.cancel", …) / Audit(key, "chat.repeat", …)
LITERAL = re.compile(
    r'(?:action=|NewEvent\(\s*"[a-z_]+",\s*|Audit\(\s*[\w.]+,\s*)"([a-z]+\.[a-z_]+)"'
)
AREAS = ("draft", "task", "publication", "message", "wording", "console", "api", "token", "chat")


def written_codes() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "review"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return {c for c in found if c.split(".")[0] in AREAS}


def test_every_literal_action_in_the_code_has_a_label() -> None:
    codes = written_codes()
    assert {"draft.create", "task.approve", "console.sign_in"} <= codes  # the scan finds them
    unnamed = sorted(c for c in codes if action_label(c) == c)
    assert unnamed == [], f"add these to review/audit_labels.py ACTION_LABELS: {unnamed}"


def test_codes_built_at_run_time_are_named_from_their_states() -> None:
    for status in PublicationStatus:
        assert action_label(f"publication.{status}") != f"publication.{status}"
    assert action_label("publication.failed") == "发布结果：发布失败"
    assert action_label(f"message.{MessageStatus.CLOSED}") == "留言已关闭"
    assert action_label("message.reply_sent") == "答复已发送"
    assert action_label("message.comment_delete_failed") == "删除评论（平台拒绝）"
    assert action_label("message.comment_elect") == "评论设为精选"
    assert action_label("something.new") == "something.new"  # unknown: shown as it is


def test_details_read_as_text() -> None:
    detail = {
        "accounts": ["ccmz_wechat", "ccmz_weibo"],
        "renewed": False,
        "route": "cs",
        "verdict": "block",
        "blocking": ["personal_data"],
        "was": "blocked",
        "publications": [{"id": 1, "due_at": "2026-12-04T01:30:00+00:00"}],
        "lease_until": "2026-12-03T18:43:23.071655+00:00",
        "custom": None,
    }
    assert readable_detail(detail) == [
        ("账号", "ccmz_wechat、ccmz_weibo"),
        ("续期", "否"),
        ("答复方式", "客服消息"),
        ("检查结论", "拦截"),
        ("拦截项", "个人信息"),
        ("原状态", "未通过自动检查"),
        ("发布", "编号 1；计划时间 2026-12-04 09:30"),
        ("认领期限", "2026-12-04 02:43"),
        ("custom", "—"),
    ]
