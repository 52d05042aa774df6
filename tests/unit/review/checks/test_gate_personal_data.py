"""Personal data: each number kind, its masked form, and what must *not* count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric

from review.checks import (
    GateInput,
    Verdict,
    check_reply_text,
    default_lexicons,
    mask_text,
    run_gate,
)
from review.checks.personal_data import find_numbers

ID = "220102199003071235"  # valid GB 11643 check digit
ID_X = "11010519491231002X"
CARD = "6222021234567890128"  # Luhn-valid, 19 digits


def pd(body: str, kind: str = "工作动态", title: str = "通知"):
    result = run_gate(GateInput(title, body, kind=kind), limits={}).get("personal_data")
    assert result is not None
    return result


def kinds(text: str) -> list[str]:
    return [h.kind for h in find_numbers(text, default_lexicons().personal)]


@pytest.mark.parametrize(
    "body",
    [
        f"申请人身份证号{ID}。",  # right after Chinese characters
        f"身份证：{ID_X}",
        f"身份证：{ID_X.lower()}",  # final x in lower case
        "身份证号２２０１０２１９９００３０７１２３５",  # full-width digits
        "身份证 220102 19900307 1235",
    ],
)
def test_resident_id_blocks_with_mask(body: str) -> None:
    r = pd(body)
    assert r.verdict is Verdict.BLOCK
    assert "身份证号" in r.reason
    assert r.suggestion is not None and (
        "220102********1235" in r.suggestion or "110105********002X" in r.suggestion
    )
    ev = r.evidence[0]
    assert body[ev.start : ev.end] == ev.text  # span indexes the original text


def test_id_with_wrong_check_digit_only_warns() -> None:
    r = pd("身份证号220102199003071234")
    assert r.verdict is Verdict.WARN
    assert "校验位" in r.reason


@pytest.mark.parametrize(
    ("body", "masked"),
    [
        ("联系电话13812345678", "138****5678"),
        ("电话：+86 138 1234 5678", "138****5678"),
        ("手机138-1234-5678", "138****5678"),
        ("手机 0086-13912345678", "139****5678"),
    ],
)
def test_mobile_numbers(body: str, masked: str) -> None:
    r = pd(body)
    assert r.verdict is Verdict.BLOCK and "手机号" in r.reason
    assert r.suggestion and masked in r.suggestion


def test_bank_cards_luhn() -> None:
    assert pd(f"收款卡号{CARD}").verdict is Verdict.BLOCK
    assert "银行卡号" in pd("卡号 6217 0000 1234 5670").reason
    assert pd("卡号6222021234567890127").verdict is Verdict.PASS  # Luhn fails


def test_landline_personal_blocks_but_labelled_service_line_warns() -> None:
    assert pd("王某家中电话0431-85551234").verdict is Verdict.BLOCK
    r = pd("咨询电话：0431-85551234")
    assert r.verdict is Verdict.WARN


@pytest.mark.parametrize(
    "body",
    [
        "请拨打12345政务服务便民热线或12349民政服务热线",
        "市救助管理站求助电话0431-88889999",  # listed in public_numbers.txt
        "根据长民发〔2026〕12号文件，自2026年1月1日起执行",
        "订单号：2026011212345678901",
        "订单编号 622202123456789012 8",
        "身份证号220102********1235，手机138****5678",  # already masked
        "2026-01-12、20260112、2026年1月12日",
        "全市共有低保对象52318人，发放资金12345678.90元",
        "400-123-4567",
    ],
)
def test_not_personal_data(body: str) -> None:
    assert pd(body).verdict is Verdict.PASS, body


def test_name_list_is_named_in_reason() -> None:
    body = f"张伟 {ID}\n李娜 13812345678\n欧阳明 13987654321"
    r = pd(body)
    assert r.verdict is Verdict.BLOCK
    assert "名单" in r.reason and "张伟" in r.reason
    assert len(r.evidence) == 3


def test_disciplinary_notice_block_is_overridable() -> None:
    r = pd(f"失信人员 张伟 身份证号{ID}", kind="惩戒性公示")
    assert r.verdict is Verdict.BLOCK and r.overridable
    assert not pd(f"张伟 身份证号{ID}").overridable


def test_mask_text_and_reply_check() -> None:
    assert mask_text(f"卡号{CARD}，电话13812345678", default_lexicons().personal) == (
        "卡号622202*********0128，电话138****5678"
    )
    report = check_reply_text(f"您好，已为您办理，身份证{ID}")
    assert report.verdict is Verdict.BLOCK
    assert [c.name for c in report.checks] == ["personal_data", "wording"]


def test_id_wins_over_bank_card_and_mobile() -> None:
    assert kinds(f"号{ID}，") == ["身份证号"]


_regions = st.sampled_from(["110105", "220102", "440305", "310101"])
_dates = st.dates().filter(lambda d: 1900 <= d.year <= 2025).map(lambda d: d.strftime("%Y%m%d"))


@settings(max_examples=200, deadline=None)
@given(_regions, _dates, st.integers(0, 999), st.sampled_from(["", "姓名王五，", "证件号："]))
def test_any_valid_id_is_found_and_masking_hides_it(
    region: str, date: str, seq: int, prefix: str
) -> None:
    body17 = f"{region}{date}{seq:03d}"
    number = body17 + ric.calc_check_digit(body17 + "0")
    text = f"{prefix}{number}。"
    lex = default_lexicons().personal
    assert kinds(text) == ["身份证号"]
    masked = mask_text(text, lex)
    assert len(masked) == len(text)
    assert number[-4:] in masked and number[6:14] not in masked
    assert find_numbers(masked, lex) == []


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["622202", "621700", "436742"]),
    st.integers(10**8, 10**9 - 1),
    st.integers(0, 2),
)
def test_any_luhn_card_is_masked_to_first6_last4(bin6: str, mid: int, extra: int) -> None:
    partial = bin6 + str(mid) + "0" * extra
    card = partial + luhn.calc_check_digit(partial)
    lex = default_lexicons().personal
    masked = mask_text(f"卡号{card}", lex)
    assert masked == f"卡号{card[:6]}{'*' * (len(card) - 10)}{card[-4:]}"
    assert find_numbers(masked, lex) == []


@settings(max_examples=200, deadline=None)
@given(st.sampled_from("3456789"), st.integers(0, 9), st.integers(0, 10**8 - 1))
def test_any_mobile_is_masked(second: str, third: int, rest: int) -> None:
    mobile = f"1{second}{third}{rest:08d}"
    lex = default_lexicons().personal
    masked = mask_text(f"电话{mobile}", lex)
    assert masked == f"电话{mobile[:3]}****{mobile[-4:]}"
