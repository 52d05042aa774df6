"""Duty relevance asks who is acting (issue 13): agency detection, joint actions the bureau
leads, other departments, courts, schools, advertorials — and the real-post benchmark's targets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from review.checks import GateInput, Verdict, default_lexicons, normalize, run_gate
from review.checks.agency import AgencyLexicon, detect_actor, mentions, parse_agencies
from review.checks.relevance import check_relevance
from review.checks.types import CheckResult

BENCH = Path(__file__).resolve().parents[4] / "bench" / "data"


def rel(body: str, title: str = "", kind: str = "工作动态") -> CheckResult:
    r = run_gate(GateInput(title, body, kind=kind), limits={}).get("relevance")
    assert r is not None
    return r


def agencies() -> AgencyLexicon:
    return default_lexicons().duties.agencies


# ---- agency detection ----


def test_first_agency_of_the_lead_sentence_acts_and_partners_do_not() -> None:
    body = "近日，区市场监管局联合区民政局对辖区养老机构食堂开展食品安全专项检查。"
    found = mentions(body, agencies())
    assert [(m.text, m.group.kind, m.partner) for m in found] == [
        ("区市场监管局", "other", False),
        ("区民政局", "own", True),
    ]
    actor = detect_actor("", body, agencies())
    assert actor.name == "区市场监管局" and not actor.own_leads and actor.own_partner


def test_explicit_lead_wins_over_the_first_name() -> None:
    body = (
        "市公安局、市城管局参加由市民政局牵头召开的救助管理联席会议，部署寒冬送温暖专项救助行动。"
    )
    actor = detect_actor("", body, agencies())
    assert actor.own_leads and actor.name == "市民政局" and actor.joint


def test_a_later_joint_action_does_not_make_the_bureau_the_actor() -> None:
    body = (
        "区人民法院审结一起赡养纠纷，判决子女每月支付赡养费。此前，区民政局联合区妇联多次上门调解。"
    )
    actor = detect_actor("", body, agencies())
    assert actor.name == "区人民法院" and not actor.own_leads


@pytest.mark.parametrize(
    "body",
    [
        "市民政局与市教育局联合印发通知，要求为困境儿童落实基本生活保障和助学政策。",
        "区民政局和区残联联合开展困难残疾人生活补贴和重度残疾人护理补贴集中核查。",
        "我局与县卫健局、县教育局联合印发《困境儿童关爱保护工作方案》。",
        "县民政局同县总工会联合举办社会工作者职业水平考试考前培训，提升社工专业能力。",
        "市儿童福利院与市妇联联合开展孤残儿童关爱活动，为孤儿送去冬衣。",
        "市住建局和市民政局联合印发通知，推进社区养老服务设施配建，建设社区养老服务中心。",
    ],
)
def test_the_bureau_listed_with_others_before_a_joint_verb_leads(body: str) -> None:
    """「A与B联合」: 联合 belongs to the whole list, so the bureau listed there is not a partner,
    first named or not (a co-issued text is on-duty)."""
    actor = detect_actor("", body, agencies())
    assert actor.own_leads and actor.co_issued and not actor.own_partner, actor.name
    r = rel(body)
    assert r.verdict is not Verdict.BLOCK and "配合单位" not in r.reason, r.reason
    assert "行为主体为" not in r.reason


def test_a_co_issued_on_duty_text_passes_and_says_so() -> None:
    r = rel("区民政局与区教育局联合印发通知，要求为困境儿童和留守儿童落实基本生活保障。")
    assert r.verdict is Verdict.PASS, r.reason
    assert "区民政局" in r.reason and "联合" in r.reason


@pytest.mark.parametrize(
    ("body", "first"),
    [
        ("市教育局与市卫健委联合印发通知，要求为困境儿童落实基本生活保障。", "市教育局"),
        ("区人民法院和区妇联联合发布反家暴典型案例，其中涉及人身安全保护令。", "区人民法院"),
        ("县住建局、县城管局和县应急管理局联合开展老旧小区燃气安全检查。", "县住建局"),
    ],
)
def test_without_the_bureau_the_first_named_of_the_list_leads(body: str, first: str) -> None:
    actor = detect_actor("", body, agencies())
    assert actor.name == first and not actor.own_leads and actor.co_issued
    assert rel(body).verdict is Verdict.BLOCK


def test_a_name_joined_after_a_joint_verb_stays_a_partner() -> None:
    """Control: only names *before* 联合 share the lead; 联合B与C keeps B and C partners."""
    body = "区市场监管局联合区民政局和区消防救援大队对养老机构食堂开展食品安全检查。"
    actor = detect_actor("", body, agencies())
    assert actor.name == "区市场监管局" and not actor.co_issued and actor.own_partner
    assert rel(body).verdict is Verdict.WARN


def test_title_agency_comes_before_the_body() -> None:
    actor = detect_actor("县残联开展全国助残日活动", "市民政局也派员参加。", agencies())
    assert actor.name == "县残联" and actor.where == "title"


def test_bureau_units_and_affiliated_institutions_are_own() -> None:
    for name in (
        "市救助管理站",
        "区婚姻登记处",
        "市社会福利院",
        "市未成年人救助保护中心",
        "市老龄委",
    ):
        actor = detect_actor("", f"{name}开展专项活动。", agencies())
        assert actor.own_leads, name


def test_unknown_agency_kind_in_the_data_file_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        parse_agencies({"agency": [{"name": "x", "kind": "bureau", "names": ["某局"]}]})


# ---- verdicts ----


def test_other_department_acting_on_our_topic_blocks_with_its_name() -> None:
    r = rel("曹妃甸区市场监管局对全区8家养老机构食堂开展食品安全专项检查，督促落实主体责任。")
    assert r.verdict is Verdict.BLOCK
    assert r.reason == "行为主体为区市场监管局，属其职责（属市场监管部门职责），非本局职责"


def test_traditional_script_agency_is_found() -> None:
    body = "區衛健局開展老年健康宣傳周活動，為老年人提供義診。"
    r = rel(body)
    assert r.verdict is Verdict.BLOCK and "行为主体为区卫健局" in r.reason
    ev = r.evidence[0]  # the actor, pointing at what the editor wrote
    assert ev.field == "body" and body[ev.start : ev.end] == ev.text == "區衛健局"


def test_joint_inspection_led_by_the_bureau_passes() -> None:
    """The blocked on-duty post of the issue: the bureau leads, partners' scopes don't count."""
    r = rel(
        "市民政局联合市市场监管局、市消防救援大队、市卫健委对全市养老机构开展安全生产联合检查，"
        "重点检查消防设施、食品安全和特种设备。",
        "市民政局牵头开展养老机构联合检查",
    )
    assert r.verdict is Verdict.PASS, r.reason
    assert r.reason.startswith("养老服务：") and "牵头的联合行动" in r.reason
    assert "市场监管" not in r.reason and "应急" not in r.reason


def test_same_words_without_the_bureau_leading_are_not_joint() -> None:
    """Control for the test above: the bureau's own safety drill has no partner to excuse 消防."""
    r = rel("市民政局开展安全生产月活动，排查办公楼消防隐患。")
    assert r.verdict is Verdict.BLOCK


def test_bureau_as_partner_only_warns() -> None:
    r = rel("市市场监管局联合市民政局对养老机构食堂开展食品安全检查。")
    assert r.verdict is Verdict.WARN and "配合单位" in r.reason and "市市场监管局" in r.reason


def test_court_case_blocks() -> None:
    r = rel("重阳节前，某区人民法院审结一起赡养纠纷，判决三名子女每月支付赡养费并常回家看看。")
    assert r.verdict is Verdict.BLOCK
    assert "法院" in r.reason and "司法机关" in r.reason


def test_school_activity_blocks() -> None:
    r = rel("实验小学开展关爱留守儿童主题班会，老师为留守学生送上学习用品。")
    assert r.verdict is Verdict.BLOCK and "学校活动" in r.reason


def test_veteran_cadres_office_blocks() -> None:
    r = rel("县委老干部局组织离退休干部开展重阳节游园活动，共叙敬老情。")
    assert r.verdict is Verdict.BLOCK and "老干部" in r.reason


def test_advertorial_borrowing_duty_words_blocks() -> None:
    r = rel(
        "清明将至，陪家人去陵园选墓：树葬8800元起，立碑墓价格3万到5万元，"
        "业务员带看墓位，性价比很高。"
    )
    assert r.verdict is Verdict.BLOCK and r.reason.startswith("商业推广（")


def test_bureau_publishing_its_own_fees_is_not_an_advertorial() -> None:
    r = rel("市民政局公布惠民殡葬服务项目和收费标准，遗体接运、火化等基本殡葬服务免费，价格公开。")
    assert r.verdict is Verdict.PASS, r.reason


def test_reprint_of_another_departments_post_only_warns() -> None:
    r = rel("市退役军人事务局走访慰问优抚对象。", kind="转载")
    assert r.verdict is Verdict.WARN and "转载" in r.reason


# ---- the real-post benchmark (bench/data, split before tuning: every third case held out) ----


def _rows(name: str) -> list[dict[str, str]]:
    text = (BENCH / name).read_text(encoding="utf-8")
    return [json.loads(x) for x in text.splitlines() if x]


def test_benchmark_data_shape() -> None:
    dev, held = _rows("relevance_dev.jsonl"), _rows("relevance_heldout.jsonl")
    rows = dev + held
    assert len(rows) >= 120 and len(held) >= 40
    assert len({r["id"] for r in rows}) == len(rows)
    labels = Counter(r["label"] for r in rows)
    assert set(labels) == {"on", "off"} and abs(labels["on"] - labels["off"]) <= len(rows) // 10
    assert all(r["source"].startswith("http") and r["actor"] and r["text"] for r in rows)
    # the fixed split: the 3rd, 6th, 9th… case is held out
    assert all(int(r["id"][1:]) % 3 == 0 for r in held)
    assert not any(int(r["id"][1:]) % 3 == 0 for r in dev)


@pytest.mark.parametrize("name", ["relevance_dev.jsonl", "relevance_heldout.jsonl"])
def test_benchmark_targets(name: str) -> None:
    lex = default_lexicons()
    counts: dict[str, Counter[str]] = {"on": Counter(), "off": Counter()}
    for row in _rows(name):
        r = check_relevance(
            normalize(row["title"]), normalize(row["text"]), "工作动态", lex.duties, lex.tokenizer
        )
        assert r.reason and "\n" not in r.reason
        counts[row["label"]][str(r.verdict)] += 1
    on, off = counts["on"], counts["off"]
    assert off["pass"] / sum(off.values()) <= 0.05, off
    assert on["block"] / sum(on.values()) <= 0.02, on
    assert off["block"] / sum(off.values()) >= 0.80, off


# ---- through the real path: ``newmedia check`` on a draft file ----


def test_cli_check_names_the_actor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from bot.cli import check

    monkeypatch.chdir(tmp_path)  # no settings.toml: default targets
    monkeypatch.delenv("NEWMEDIA_SETTINGS", raising=False)

    def run(text: str) -> tuple[int, str]:
        f = tmp_path / "d.md"
        f.write_text(text, encoding="utf-8")
        parser = argparse.ArgumentParser(prog="newmedia")
        parser.add_argument("--settings")
        check.register(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["check", str(f)])
        return int(args.handler(args)), capsys.readouterr().out

    code, out = run(
        '+++\ntitle = "养老机构食品安全检查"\n+++\n\n'
        "近日，区市场监管局对辖区养老机构食堂开展食品安全专项检查。\n"
    )
    assert code == check.EXIT_BLOCK
    assert "[拦截] 职能相关性：行为主体为区市场监管局" in out and "“区市场监管局”" in out
    _, out = run(
        '+++\ntitle = "养老机构联合检查"\n+++\n\n'
        "市民政局联合市市场监管局、市消防救援大队对全市养老机构开展安全检查。\n"
    )
    assert "[通过] 职能相关性：养老服务" in out and "牵头的联合行动" in out
