"""The disclosure attribute at the gate: 不予公开 is blocked and cannot be overridden; the
default leaves the approved hashes of older drafts as they were."""

from __future__ import annotations

from review.checks import run_gate
from review.checks.types import GateInput, Verdict
from review.drafts import DraftInput, content_hash
from review.frontmatter import FrontMatterError, parse_draft_file

TITLE, BODY = "最低生活保障标准调整", "城乡低保标准提高，临时救助及时跟进。"


def test_withheld_is_blocked_in_chinese_and_not_overridable() -> None:
    report = run_gate(GateInput(TITLE, BODY, disclosure="不予公开"), limits={})
    check = report.get("disclosure")
    assert check is not None and check.verdict is Verdict.BLOCK
    assert "不予公开" in check.reason and not check.overridable
    assert report.verdict is Verdict.BLOCK


def test_on_request_warns_and_proactive_passes() -> None:
    warn = run_gate(GateInput(TITLE, BODY, disclosure="依申请公开"), limits={}).get("disclosure")
    assert warn is not None and warn.verdict is Verdict.WARN and "依申请公开" in warn.reason
    ok = run_gate(GateInput(TITLE, BODY), limits={}).get("disclosure")
    assert ok is not None and ok.verdict is Verdict.PASS


def test_default_attribute_keeps_the_hash_and_another_changes_it() -> None:
    base = DraftInput(TITLE, BODY, accounts=["ccmz_wechat"])
    assert content_hash(base) == content_hash(
        DraftInput(**{**base.__dict__, "disclosure": "主动公开"})
    )
    withheld = DraftInput(**{**base.__dict__, "disclosure": "不予公开"})
    assert content_hash(withheld) != content_hash(base)


def test_front_matter_takes_the_attribute_and_refuses_an_unknown_one() -> None:
    meta, _ = parse_draft_file('+++\ntitle = "通知"\ndisclosure = "依申请公开"\n+++\n正文')
    assert meta["disclosure"] == "依申请公开"
    try:
        parse_draft_file('+++\ntitle = "通知"\ndisclosure = "内部"\n+++\n正文')
    except FrontMatterError as exc:
        assert exc.line == 3 and "不是可用的公开属性" in exc.message
    else:
        raise AssertionError("an unknown attribute was taken")
    meta, _ = parse_draft_file('+++\ntitle = "解读"\nkind = "政策解读"\ninterprets = 12\n+++\n正文')
    assert meta["interprets"] == 12
