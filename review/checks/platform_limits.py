"""Platform limits: what WeChat and Weibo would refuse, caught before a reviewer's time is spent.

The numbers are not here: each platform adapter declares its ``channels.base.PlatformLimits``
once (``channels/<platform>/limits.py``, where the channel enforces them too) and the service
hands them over as platform → limits; a target whose platform has none is reported, never passed
silently. Counting is conservative, so the gate never passes what the platform refuses: every
character counts 1 (Weibo itself counts two half-width characters as one), and a link counts at
its full length (no t.cn shortening is assumed). A status carries ``【标题】`` + a summary cut to
fit + the link to the article on the safe domain, so only the title and the link must fit; the
adapter's ``status_text`` gives the text the platform would receive, inspected for foreign links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from channels.base import PlatformLimits
from review.checks.normalize import normalize
from review.checks.types import CheckResult, Evidence, GateInput, GateTarget, Verdict

NAME = "platform_limits"
REPRINT_NAME = "reprint_source"
LABELS = {"wechat": "微信", "weibo": "微博"}

_URL = re.compile(r"https?://[^\s<>\"'，。；）)】]+")
_TOPIC = re.compile(r"#[^#\s][^#\n]{0,60}#")

Finding = tuple[Verdict, str, Evidence | None]


def _on_domain(url: str, domain: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    domain = domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)


def _article(inp: GateInput, lim: PlatformLimits, label: str) -> list[Finding]:
    """Title, author, digest, content and cover of an article (WeChat's draft/add)."""
    out: list[Finding] = []
    title = inp.title.strip()
    if lim.title_required and not title:
        out.append((Verdict.BLOCK, "缺少标题", None))
    elif lim.title_max is not None and len(title) > lim.title_max:
        ev = Evidence(inp.title[lim.title_max :], lim.title_max, len(inp.title), "title")
        out.append((Verdict.BLOCK, f"标题{len(title)}字，超过{lim.title_max}字", ev))
    if lim.author_max is not None and len(inp.author) > lim.author_max:
        out.append((Verdict.BLOCK, f"作者{len(inp.author)}字，超过{lim.author_max}字", None))
    if lim.digest_max is not None and len(inp.digest) > lim.digest_max:
        ev = Evidence(inp.digest[lim.digest_max :], lim.digest_max, len(inp.digest), "digest")
        out.append((Verdict.BLOCK, f"摘要{len(inp.digest)}字，超过{lim.digest_max}字", ev))
    if lim.content_below is not None:
        if len(inp.body) >= lim.content_below:
            text = f"正文{len(inp.body)}字符，须少于{lim.content_below}"
            out.append((Verdict.BLOCK, text, None))
        elif len(inp.body) >= lim.content_below * 3 // 4:
            text = f"正文{len(inp.body)}字符，排版后可能超过{label}上限"
            out.append((Verdict.WARN, text, None))
    if lim.cover_required and not inp.has_cover:
        out.append((Verdict.BLOCK, "图文消息须有封面图", None))
    return out


def _status(inp: GateInput, t: GateTarget, lim: PlatformLimits, label: str) -> list[Finding]:
    """A short status (Weibo): topics, then the title and the article link, which cannot give
    way to the limit as the summary does."""
    out: list[Finding] = []
    if lim.topics_banned:
        for field, text in (("title", inp.title), ("body", inp.body)):
            for m in _TOPIC.finditer(text):
                ev = Evidence(m.group(), m.start(), m.end(), field)
                out.append((Verdict.BLOCK, f"不得使用话题标签{m.group()}", ev))
    if lim.status_max is None:
        return out
    if not t.safe_domain:
        # settings refuse a Weibo account without one, so only a bare `newmedia check` gets here
        out.append((Verdict.WARN, f"未指定账号的安全域名，无法核对{label}链接", None))
        return out
    link = len(f"https://{t.safe_domain}/") + lim.link_marker_chars
    fixed = len(f"【{inp.title.strip()}】") + 1 + link
    if fixed > lim.status_max:
        ev = Evidence(inp.title, 0, len(inp.title), "title")
        text = f"标题加原文链接约{fixed}字，超过{label}{lim.status_max}字上限，请缩短标题"
        out.append((Verdict.BLOCK, text, ev))
    if lim.status_text is not None:
        status = lim.status_text(inp.title, inp.body, inp.digest)
        foreign = [u for u in _URL.findall(status) if not _on_domain(u, t.safe_domain)]
        if foreign and len(status) + link <= lim.status_max:
            out.append((Verdict.WARN, f"正文含非安全域名链接 {foreign[0]}，{label}可能拒绝", None))
    return out


def check_platform_limits(inp: GateInput, limits: Mapping[str, PlatformLimits]) -> CheckResult:
    """Each target against its platform's ``limits`` (platform → limits, from the adapters)."""
    if not inp.targets:
        return CheckResult(NAME, Verdict.PASS, "未指定发布账号，未检查平台限制")
    problems: list[str] = []
    evidence: list[Evidence] = []
    worst = Verdict.PASS
    for t in inp.targets:
        label = LABELS.get(t.platform, t.platform)
        lim = limits.get(t.platform)
        if lim is None:
            problems.append(f"{label}（{t.account_key}）：未知平台")
            worst = max(worst, Verdict.WARN, key=lambda v: v.rank)
            continue
        for verdict, text, ev in _article(inp, lim, label) + _status(inp, t, lim, label):
            problems.append(f"{label}（{t.account_key}）：{text}")
            worst = max(worst, verdict, key=lambda v: v.rank)
            if ev is not None and ev not in evidence:
                evidence.append(ev)
    if not problems:
        names = "、".join(t.account_key for t in inp.targets)
        return CheckResult(NAME, Verdict.PASS, f"符合平台限制（{names}）")
    return CheckResult(NAME, worst, "；".join(problems), tuple(evidence))


def check_reprint(inp: GateInput, whitelist: frozenset[str]) -> CheckResult:
    if inp.kind != "转载":
        return CheckResult(REPRINT_NAME, Verdict.PASS, "非转载稿件")
    source = (inp.source or "").strip()
    if not source:
        return CheckResult(
            REPRINT_NAME, Verdict.BLOCK, "转载稿件须注明来源", suggestion="在 source 中填写来源"
        )
    ev = (Evidence(source, 0, len(source), "source"),)
    plain = normalize(source).text
    match = next((w for w in sorted(whitelist, key=len, reverse=True) if w in plain), None)
    if match is None:
        return CheckResult(
            REPRINT_NAME,
            Verdict.BLOCK,
            f"来源“{source}”不在转载白名单内",
            ev,
            "只转载白名单中的权威来源（review/checks/reprint_whitelist.txt）",
        )
    return CheckResult(REPRINT_NAME, Verdict.PASS, f"来源在白名单内：{match}", ev)
