"""Where a draft stands against submission (``review.submit_readiness``) and the gate's words
(``review.checks.labels``): no 提交审核 on a blocked revision, the right line after it."""

from __future__ import annotations

from typing import Any

from review.checks.gate import CHECK_NAMES
from review.checks.labels import CHECK_LABELS, check_label, findings, verdict_label
from review.submit_readiness import judged_now, readiness

BLOCKED: dict[str, Any] = {
    "verdict": "block",
    "checks": [
        {"name": "relevance", "verdict": "pass", "reason": "养老服务", "evidence": []},
        {
            "name": "personal_data",
            "verdict": "block",
            "reason": "含个人信息：手机号",
            "evidence": [{"text": "13812345678", "start": 0, "end": 11, "field": "body"}],
            "suggestion": "请去标识化：13812345678 → 138****5678",
            "overridable": True,
        },
        {"name": "platform_limits", "verdict": "warn", "reason": "标题偏长", "evidence": []},
    ],
}


def test_every_check_and_verdict_has_a_chinese_name() -> None:
    assert set(CHECK_NAMES) <= set(CHECK_LABELS)
    assert [verdict_label(v) for v in ("pass", "warn", "block")] == ["通过", "提示", "拦截"]
    assert check_label("personal_data") == "个人信息"


def test_findings_blocks_first_each_with_a_suggestion() -> None:
    found = findings(BLOCKED)
    assert [f.name for f in found] == ["personal_data", "platform_limits", "relevance"]
    pd, limits, relevance = found
    assert pd.label == "个人信息" and pd.verdict_label == "拦截" and pd.maskable
    assert pd.evidence == ("正文：13812345678",) and "138****5678" in pd.suggestion
    assert limits.suggestion, "a check without its own suggestion gets the default one"
    assert relevance.suggestion == "" and not relevance.maskable
    assert findings(None) == []


def test_blocked_revision_offers_no_submit_and_says_why() -> None:
    ready = readiness("blocked", 1, BLOCKED, set(), 0)
    assert not ready.offer_submit and ready.blocking == ("个人信息",)
    assert "未通过自动检查（个人信息）" in ready.line and "尚未提交" not in ready.line


def test_overridden_block_and_an_edited_blocked_draft_may_go() -> None:
    ready = readiness("blocked", 1, BLOCKED, {"personal_data"}, 0)
    assert ready.offer_submit and "批准例外（个人信息）" in ready.line
    edited = readiness("blocked", 2, None, set(), 0)  # the new revision was not gated yet
    assert edited.offer_submit and edited.label == "已修改，待重新提交"


def test_lines_after_submission_and_sending_back() -> None:
    assert readiness("draft", 1, None, set(), 0).line == "第 1 版尚未提交审核"
    in_review = readiness("in_review", 1, {"checks": []}, set(), 2)
    assert not in_review.offer_submit and "已提交审核，共 2 个审核任务" in in_review.line
    sent_back = readiness("changes_requested", 1, {"checks": []}, set(), 1)
    assert not sent_back.offer_submit and "已被退回修改" in sent_back.line
    assert readiness("changes_requested", 2, None, set(), 0).offer_submit
    assert not readiness("rejected", 1, None, set(), 0).offer_submit


def test_a_saved_draft_judged_now_is_not_offered_when_its_text_would_be_blocked() -> None:
    saved = readiness("draft", 1, None, set(), 0)
    assert saved.offer_submit
    now = judged_now(saved, BLOCKED, set())
    assert not now.offer_submit and now.blocking == ("个人信息",)
    assert now.line.startswith("第 1 版尚未提交审核；按当前文本检查，个人信息未通过")
    assert judged_now(saved, BLOCKED, {"personal_data"}).offer_submit  # a head's exception
    clean = {"verdict": "pass", "checks": [{"name": "relevance", "verdict": "pass"}]}
    assert judged_now(saved, clean, set()) == saved
