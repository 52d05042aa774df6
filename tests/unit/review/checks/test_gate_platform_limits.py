"""Platform limits for WeChat and Weibo, and the reprint whitelist."""

from __future__ import annotations

from review.checks import GateInput, GateTarget, Verdict, run_gate, weibo_text

WX = GateTarget("ccmz_wechat", "wechat")
WB = GateTarget("ccmz_weibo", "weibo", "mzj.changchun.gov.cn")
BODY = "市民政局部署最低生活保障工作。"


def pl(**kw: object):
    base: dict[str, object] = {
        "title": "低保工作会议",
        "body": BODY,
        "has_cover": True,
        "targets": (WX,),
    }
    base.update(kw)
    r = run_gate(GateInput(**base)).get("platform_limits")  # type: ignore[arg-type]
    assert r is not None
    return r


def test_wechat_ok() -> None:
    assert pl().verdict is Verdict.PASS


def test_wechat_title_author_digest_body_cover() -> None:
    r = pl(title="字" * 33)
    assert r.verdict is Verdict.BLOCK and "标题33字" in r.reason
    assert r.evidence[0].field == "title" and r.evidence[0].start == 32
    assert pl(title="字" * 32).verdict is Verdict.PASS
    assert "作者17字" in pl(author="作" * 17).reason
    assert pl(author="作" * 16).verdict is Verdict.PASS
    assert "摘要129字" in pl(digest="摘" * 129).reason
    assert pl(digest="摘" * 128).verdict is Verdict.PASS
    assert pl(body=BODY + "字" * 20_000).verdict is Verdict.BLOCK
    assert "封面" in pl(has_cover=False).reason
    assert "缺少标题" in pl(title="  ").reason


def test_weibo_long_body_is_cut_but_title_and_link_must_fit() -> None:
    # the channel posts 【title】 + a summary cut to fit + the article link on the safe domain
    assert pl(targets=(WB,), body="字" * 5000).verdict is Verdict.PASS
    link = len("https://mzj.changchun.gov.cn/") + 30
    fits = "标" * (140 - link - 1 - 2)
    assert pl(targets=(WB,), title=fits, body="正文").verdict is Verdict.PASS
    r = pl(targets=(WB,), title=fits + "多", body="正文")
    assert r.verdict is Verdict.BLOCK and "141字" in r.reason and "缩短标题" in r.reason


def test_weibo_safe_domain_topics_and_foreign_links() -> None:
    r = pl(targets=(WB,), body="低保标准提高 https://example.com/x")
    assert r.verdict is Verdict.WARN and "example.com" in r.reason
    assert pl(targets=(WB,), body="见 https://www.mzj.changchun.gov.cn/x").verdict is Verdict.PASS
    r = pl(targets=(WB,), body="#民政为民# 低保标准提高 https://mzj.changchun.gov.cn/x")
    assert r.verdict is Verdict.BLOCK and "#民政为民#" in r.reason
    r = pl(targets=(WB,), title="#民政为民#低保", body="正文")
    assert r.verdict is Verdict.BLOCK and r.evidence[0].field == "title"
    assert pl(targets=(GateTarget("wb", "weibo"),), body="x").verdict is Verdict.WARN


def test_weibo_text_renders_markdown_links() -> None:
    assert weibo_text("标题", "详见[通知](https://a.cn/1)") == "【标题】详见通知 https://a.cn/1"


def test_reprint_whitelist() -> None:
    def rp(source: str | None):
        r = run_gate(GateInput("转载", BODY, kind="转载", source=source)).get("reprint_source")
        assert r is not None
        return r

    assert rp("民政部官网").verdict is Verdict.PASS
    assert rp("新华社客户端").verdict is Verdict.PASS
    assert rp("新華社").verdict is Verdict.PASS  # traditional script
    assert rp(None).verdict is Verdict.BLOCK
    r = rp("某自媒体公众号")
    assert r.verdict is Verdict.BLOCK and "白名单" in r.reason
    ok = run_gate(GateInput("工作动态", BODY, source="某自媒体")).get("reprint_source")
    assert ok is not None and ok.verdict is Verdict.PASS


def test_no_targets_means_no_platform_check() -> None:
    assert pl(targets=()).verdict is Verdict.PASS
