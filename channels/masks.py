"""Masked personal data stays text when Markdown is rendered.

The gate's de-identification writes 张*国, 王* and 138****5678, as 民政 公示 practice does; in
Markdown two such names in one paragraph (``张*国，…；刘*兰``) open and close an emphasis and
readers saw 张<em>国，…；刘</em>兰 — the masks gone. Both renderers (the WeChat article, the Weibo
text) read the body through :func:`literal_masks` first.

What counts as a mask: a single ``*`` right after a Chinese character or a digit, and any run of
three or more. ``**bold**`` keeps working; a single-star italic right after a Chinese character
(rare in Chinese text) is shown with its stars.
"""

from __future__ import annotations

import re

_SINGLE = re.compile(r"(?<=[\u3400-\u9fff0-9])\*(?!\*)")
_RUN = re.compile(r"\*{3,}")


def literal_masks(markdown: str) -> str:
    """``markdown`` with every mask's stars escaped (``\\*``), nothing else changed."""
    escaped = _RUN.sub(lambda m: "\\*" * len(m.group()), markdown)
    return _SINGLE.sub(r"\\*", escaped)
