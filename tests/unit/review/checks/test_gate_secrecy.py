"""Secrecy markers block; ordinary words that contain them do not."""

from __future__ import annotations

import pytest

from review.checks import GateInput, Verdict, run_gate


def sec(body: str, title: str = "工作动态"):
    r = run_gate(GateInput(title, body), limits={}).get("secrecy")
    assert r is not None
    return r


@pytest.mark.parametrize(
    "body",
    [
        "秘密★1年 关于低保资金的通知",
        "本材料为内部资料，不得外传",
        "此件内部传阅",
        "机密 请注意保管",
        "绝密文件",
        "涉密载体管理",
        "密级：秘密",
        "內部資料 請勿外傳",  # traditional script
    ],
)
def test_markers_block(body: str) -> None:
    r = sec(body)
    assert r.verdict is Verdict.BLOCK
    assert r.evidence and body[r.evidence[0].start : r.evidence[0].end] == r.evidence[0].text


@pytest.mark.parametrize(
    "body",
    [
        "揭秘养老机构的日常",
        "局机关开展保密审查和保密教育",
        "本信息系统为非涉密系统",
        "保守国家秘密是每个公民的义务",
        "依法保护商业秘密",
        "长寿的秘密在于好心态",
        "养老机构内部设施全面升级",
    ],
)
def test_ordinary_words_pass(body: str) -> None:
    assert sec(body).verdict is Verdict.PASS, body


def test_draft_markers_warn() -> None:
    r = sec("附件：低保审核确认办法（讨论稿）")
    assert r.verdict is Verdict.WARN
