"""Markdown → WeChat-safe HTML: inline styles only, no scripts/classes, links as text + URL."""

from __future__ import annotations

import re

import pytest

from channels.base import Post, Rejected
from channels.wechat.render import image_sources, render_article, render_body

MD = """# 一级标题

## 二级标题

正文 **加粗** [民政部](https://www.mca.gov.cn/a) <script>alert(1)</script> <https://x.gov.cn/b>

- 甲
- 乙

1. 一
2. 二

> 引用

| 项目 | 金额 |
|---|--:|
| 低保 | 900 |

```python
print("<b>")
```

![图](img/a.png) `code` [往期](https://mp.weixin.qq.com/s/abc) ![图](img/a.png)
"""


def test_inline_styles_only_and_nothing_executable() -> None:
    html = render_body(MD, {"img/a.png": "http://mmbiz.qpic.cn/a.png"})
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "class=" not in html
    for tag in ("h1", "h2", "ul", "ol", "li", "blockquote", "table", "th", "td", "pre", "code"):
        assert re.search(rf"<{tag} style=\"[^\"]+\"", html), tag
    assert 'style="border:1px solid #ccc;padding:6px;text-align:right' in html
    assert "&lt;b&gt;" in html


def test_external_links_become_text_and_url() -> None:
    html = render_body(MD, {"img/a.png": "u"})
    assert "民政部<span" in html and "（https://www.mca.gov.cn/a）" in html
    assert 'href="https://www.mca.gov.cn' not in html
    assert html.count("https://x.gov.cn/b") == 1  # autolink not printed twice
    assert '<a href="https://mp.weixin.qq.com/s/abc"' in html


def test_images_are_collected_once_and_rewritten() -> None:
    assert image_sources(MD) == ["img/a.png"]
    html = render_body(MD, {"img/a.png": "http://mmbiz.qpic.cn/a.png"})
    assert html.count('src="http://mmbiz.qpic.cn/a.png"') == 2
    with pytest.raises(Rejected):
        render_body(MD, {})


def test_article_has_source_and_marker() -> None:
    post = Post(1, "wechat-main", "标题", "正文", source="市民政局", idempotency_key="k-1")
    html = render_article(post, {})
    assert "来源：市民政局" in html and "<!--nm:k-1-->" in html


def test_content_limit() -> None:
    post = Post(1, "wechat-main", "标题", "字" * 20_000)
    with pytest.raises(Rejected) as info:
        render_article(post, {})
    assert info.value.code == "limit_content"
