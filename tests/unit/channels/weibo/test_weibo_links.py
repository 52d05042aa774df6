"""Weibo links to the article's own page: the template, the site root refused, the gate's count."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sandbox_env import Env

from bot.config.schema import Account
from channels.base import Post, Rejected
from channels.weibo.channel import WeiboChannel
from channels.weibo.limits import LIMITS, MAX_CHARS
from channels.weibo.links import (
    ARTICLE_PATH_MAX,
    DRAFT_DIGITS,
    article_link,
    draft_of,
    template_problem,
)
from review.checks import GateInput, GateTarget, Verdict
from review.checks.platform_limits import check_platform_limits
from review.scheduling import idempotency_key

DOMAIN = "mzj.example.gov.cn"
TEMPLATE = f"https://{DOMAIN}/art/{{draft}}.html"


def post(link: str | None = TEMPLATE, key: str | None = None, **changes: object) -> Post:
    fields: dict[str, object] = {
        "publication_id": 7,
        "account_key": "weibo-main",
        "title": "我市启动冬季困难群众走访慰问",
        "body_markdown": "市民政局部署开展走访慰问，" * 30,
        "link_url": link,
        "idempotency_key": key or idempotency_key(42, 3, 2),
    }
    fields.update(changes)
    return Post(**fields)  # type: ignore[arg-type]


def test_the_draft_number_comes_from_the_publication_key() -> None:
    assert draft_of(idempotency_key(42, 3, 2)) == 42
    assert draft_of("nm-1-2") is None
    assert article_link(post(), DOMAIN) == f"https://{DOMAIN}/art/42.html"
    # the publisher fills the number in itself (build_post); a ready link is used as it is
    assert article_link(post(f"https://{DOMAIN}/art/9.html", "k"), DOMAIN).endswith("/art/9.html")


@pytest.mark.parametrize(
    ("link", "why"),
    [
        (None, "article_url_template"),
        (f"https://{DOMAIN}/", "网站首页"),
        (f"https://{DOMAIN}", "网站首页"),
        ("https://evil.example.com/art/{draft}.html", "安全域名"),
    ],
)
def test_no_link_a_site_root_or_a_foreign_page_is_refused(link: str | None, why: str) -> None:
    with pytest.raises(Rejected) as refused:
        article_link(post(link), DOMAIN)
    assert why in refused.value.args[0]


def test_templates_are_checked_when_settings_load() -> None:
    assert template_problem(TEMPLATE, DOMAIN) is None
    assert "{draft}" in (template_problem(f"https://{DOMAIN}/news.html", DOMAIN) or "")
    assert "安全域名" in (template_problem("https://other.cn/{draft}", DOMAIN) or "")
    assert "https://" in (template_problem("mzj.example.gov.cn/{draft}", DOMAIN) or "")
    assert "一个占位符" in (template_problem(f"https://{DOMAIN}/{{draft}}/{{year}}", DOMAIN) or "")
    long = f"https://{DOMAIN}/" + "x" * ARTICLE_PATH_MAX + "/{draft}"
    assert "过长" in (template_problem(long, DOMAIN) or "")
    base = {
        "key": "wb",
        "platform": "weibo",
        "name": "微博",
        "owner": "office",
        "safe_domain": DOMAIN,
        "review_chain": [{"name": "初审", "department": "office"}],
    }
    assert Account.model_validate(base | {"article_url_template": TEMPLATE})
    with pytest.raises(ValidationError, match="article_url_template"):
        Account.model_validate(base)
    with pytest.raises(ValidationError, match="网站根地址之后最多"):
        Account.model_validate(base | {"article_url_template": long})


async def test_a_long_body_is_cut_and_links_to_its_page(env: Env, weibo: WeiboChannel) -> None:
    receipt = await weibo.publish(post(key=idempotency_key(42, 3, 2)))
    [status] = env.sandbox.weibo.state("weibo-main").statuses
    assert status.text.endswith(f" https://{DOMAIN}/art/42.html?p=p42a3r2")
    assert len(status.text) <= MAX_CHARS and "…" in status.text
    assert receipt.remote_id


def test_a_short_body_is_carried_whole(weibo: WeiboChannel) -> None:
    text = weibo.status_text(post(body_markdown="今冬救助热线12345全天开通。"))
    assert "今冬救助热线12345全天开通。" in text and "…" not in text


def test_the_gates_count_holds_for_the_longest_page_and_key(weibo: WeiboChannel) -> None:
    """The gate counts the link before the draft has its page: the longest title it passes
    still fits once the page (draft number at its longest) and the key marker are added."""
    template = f"https://{DOMAIN}/" + "a" * (ARTICLE_PATH_MAX - DRAFT_DIGITS) + "{draft}"
    assert template_problem(template, DOMAIN) is None
    target = GateTarget("wb", "weibo", DOMAIN)
    limits = {"weibo": LIMITS}
    title = "标"
    assert weibo.safe_domain == DOMAIN
    while True:
        longer = title + "标"
        inp = GateInput(title=longer, body="正文", targets=(target,))
        if check_platform_limits(inp, limits).verdict is Verdict.BLOCK:
            break
        title = longer
    draft = 10**DRAFT_DIGITS - 1
    text = weibo.status_text(post(template, idempotency_key(draft, 99, 99), title=title))
    assert len(text) <= MAX_CHARS
