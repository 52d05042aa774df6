"""Platform limits for WeChat and Weibo (as their adapters declare them), and the reprint
whitelist."""

from __future__ import annotations

from channels.base import PlatformLimits
from channels.wechat import limits as wechat
from channels.weibo import limits as weibo
from review.checks import GateInput, GateTarget, Verdict, run_gate

#: what the service hands the gate (``Services.platform_limits``)
LIMITS = {"wechat": wechat.LIMITS, "weibo": weibo.LIMITS}

WX = GateTarget("ccmz_wechat", "wechat")
WB = GateTarget("ccmz_weibo", "weibo", "mzj.changchun.gov.cn")
BODY = "市民政局部署最低生活保障工作。"


def pl(limits: dict[str, PlatformLimits] = LIMITS, **kw: object):
    base: dict[str, object] = {
        "title": "低保工作会议",
        "body": BODY,
        "has_cover": True,
        "targets": (WX,),
    }
    base.update(kw)
    r = run_gate(GateInput(**base), limits=limits).get("platform_limits")  # type: ignore[arg-type]
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
    # the site root plus what the adapter declares for the article page and the key marker
    link = len("https://mzj.changchun.gov.cn/") + weibo.LIMITS.link_marker_chars
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


def test_weibo_links_are_looked_for_in_the_text_the_status_carries() -> None:
    # a Markdown link keeps only its text in the status (channels/weibo/render.py): no warning
    assert pl(targets=(WB,), body="详见[通知](https://example.com/x)").verdict is Verdict.PASS
    r = pl(targets=(WB,), body="详见 https://example.com/x")
    assert r.verdict is Verdict.WARN and "微博可能拒绝" in r.reason
    # the digest, when there is one, is the status's summary (as render_status sends it)
    r = pl(targets=(WB,), body="正文", digest="详见 https://example.com/x")
    assert r.verdict is Verdict.WARN and "微博可能拒绝" in r.reason


def test_a_platform_without_declared_limits_is_reported_not_passed() -> None:
    r = pl(limits={"weibo": weibo.LIMITS})
    assert r.verdict is Verdict.WARN and r.reason == "微信（ccmz_wechat）：未知平台"


def test_the_numbers_come_from_the_adapter() -> None:
    tighter = {"wechat": PlatformLimits(title_max=10)}
    r = pl(limits=tighter, title="字" * 11)
    assert r.verdict is Verdict.BLOCK and r.reason == "微信（ccmz_wechat）：标题11字，超过10字"
    assert pl(limits=tighter, has_cover=False).verdict is Verdict.PASS  # no cover demanded


def test_reprint_whitelist() -> None:
    def rp(source: str | None):
        r = run_gate(GateInput("转载", BODY, kind="转载", source=source), limits=LIMITS).get(
            "reprint_source"
        )
        assert r is not None
        return r

    assert rp("民政部官网").verdict is Verdict.PASS
    assert rp("新华社客户端").verdict is Verdict.PASS
    assert rp("新華社").verdict is Verdict.PASS  # traditional script
    assert rp(None).verdict is Verdict.BLOCK
    r = rp("某自媒体公众号")
    assert r.verdict is Verdict.BLOCK and "白名单" in r.reason
    ok = run_gate(GateInput("工作动态", BODY, source="某自媒体"), limits=LIMITS).get(
        "reprint_source"
    )
    assert ok is not None and ok.verdict is Verdict.PASS


def test_no_targets_means_no_platform_check() -> None:
    assert pl(targets=()).verdict is Verdict.PASS
