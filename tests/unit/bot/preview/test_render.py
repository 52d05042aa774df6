"""Previews are drawn by the adapters' own renderers: the WeChat article HTML the publisher
sends (images pointed at the preview) and the Weibo status with its count and link."""

from __future__ import annotations

from dataclasses import replace

from bot.preview.render import Source, draw, excerpt, findings, media_sources, post_of
from channels.wechat.render import render_article
from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel

SRC = Source(
    revision_id=5,
    draft_id=3,
    number=2,
    title="冬季救助工作安排",
    body="市民政局部署救助工作。\n\n![现场](photos/a.png)\n\n确保温暖过冬。",
    kind="工作动态",
    author="赵敏",
    digest="",
    source="市民政局",
    cover_path="covers/c.png",
    account_id=9,
    account_key="ccmz_wechat",
    account_name="长春民政",
    platform="wechat",
    link_url="https://example.cn/art/{draft}.html",
)


def test_wechat_preview_is_the_publishers_article_with_preview_image_urls() -> None:
    p = draw(SRC, "/preview/T/media")
    images = {"photos/a.png": "/preview/T/media/1"}
    assert p.html == render_article(post_of(SRC), images)
    assert media_sources(post_of(SRC)) == ["covers/c.png", "photos/a.png"]
    assert p.has_cover and p.problem == ""


def test_wechat_preview_without_a_cover_says_the_platform_refuses_it() -> None:
    p = draw(replace(SRC, cover_path=None), "/m")
    assert not p.has_cover and "封面" in p.problem


def test_weibo_preview_is_what_the_accounts_channel_posts_with_count_and_link() -> None:
    src = replace(SRC, platform="weibo", account_key="ccmz_weibo")
    channel = WeiboChannel(WeiboAPI("ccmz_weibo", "t", rip="127.0.0.1"), safe_domain="example.cn")
    p = draw(src, "/m", channel)
    assert p.text == channel.status_text(post_of(src)) and p.problem == ""
    assert p.count == len(p.text) <= 140
    assert p.link and p.text.endswith(" " + p.link) and "p=p3a9r2" in p.link


def test_weibo_preview_says_why_when_the_channel_refuses_or_is_missing() -> None:
    src = replace(SRC, platform="weibo", title="长" * 150)
    channel = WeiboChannel(WeiboAPI("ccmz_weibo", "t", rip="127.0.0.1"), safe_domain="example.cn")
    refused = draw(src, "/m", channel)
    assert refused.text == "" and "标题" in refused.problem
    missing = draw(src, "/m", None)
    assert missing.text == "" and "未接通" in missing.problem


def test_weibo_preview_uses_the_accounts_channel_when_there_is_one() -> None:
    status = "【题】正文 https://x.example.cn/a?p=1"

    class Channel:
        def status_text(self, post: object) -> str:
            return status

    p = draw(replace(SRC, platform="weibo"), "/m", Channel())
    assert p.text == status and p.link == "https://x.example.cn/a?p=1"
    assert p.count == len(status)


def test_excerpt_is_plain_text_cut_at_300() -> None:
    body = "**加粗**的开头。" + "字" * 400
    text = excerpt(body)
    assert text.startswith("加粗的开头。") and len(text) == 301 and text.endswith("…")


def test_findings_list_blocks_overrides_and_warnings_not_passes() -> None:
    report = {
        "checks": [
            {"name": "relevance", "verdict": "pass", "reason": "相关"},
            {"name": "wording", "verdict": "warn", "reason": "疑似错敏词"},
            {"name": "secrecy", "verdict": "block", "reason": "涉密标识"},
        ],
        "overridden": ["secrecy"],
    }
    assert findings(report) == ("提示：疑似错敏词", "拦截：涉密标识（负责人已批准例外）")
    assert findings(None) == ()
