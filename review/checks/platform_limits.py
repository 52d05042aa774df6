"""Platform limits: what WeChat and Weibo would refuse, caught before a reviewer's time is spent.

WeChat (draft/add): title ≤ 32 字, author ≤ 16, digest ≤ 128, content < 20,000 characters, a
cover (thumb_media_id) for every article. Weibo (statuses/share): text ≤ 140 characters and a
link on the app's safe domain (else error 10017); the bureau's rule bans ``#话题#``.

Counting choices (conservative, so the gate never passes what the platform refuses):
every character counts 1 (Weibo itself counts two half-width characters as one), and a link counts
at its full length (no t.cn shortening is assumed). The Weibo status is ``【标题】`` + a summary cut to fit + the
link to the full article on the safe domain (channels/weibo/render.py), so only the title and
the link must fit; :func:`weibo_text` gives the plain text the gate inspects for foreign links.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from review.checks.normalize import normalize
from review.checks.types import CheckResult, Evidence, GateInput, GateTarget, Verdict

NAME = "platform_limits"
REPRINT_NAME = "reprint_source"

WECHAT_TITLE_MAX = 32
WECHAT_AUTHOR_MAX = 16
WECHAT_DIGEST_MAX = 128
WECHAT_CONTENT_LIMIT = 20_000  # content must be shorter than this
WEIBO_TEXT_MAX = 140

_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]+)[^)]*\)")
_TAG = re.compile(r"<[^<>]+>")
_URL = re.compile(r"https?://[^\s<>\"'，。；）)】]+")
_TOPIC = re.compile(r"#[^#\s][^#\n]{0,60}#")
_HEADING = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?)", re.M)


def weibo_text(title: str, body: str) -> str:
    """The text the gate assumes a Weibo post will carry (see the module docstring)."""
    text = _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}".strip(), body)
    text = _HEADING.sub("", _TAG.sub("", text))
    text = re.sub(r"\s+", " ", text).strip()
    return f"【{title.strip()}】{text}" if title.strip() else text


def _on_domain(url: str, domain: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    domain = domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)


def _wechat(inp: GateInput, t: GateTarget) -> list[tuple[Verdict, str, Evidence | None]]:
    out: list[tuple[Verdict, str, Evidence | None]] = []
    title = inp.title.strip()
    if not title:
        out.append((Verdict.BLOCK, "缺少标题", None))
    elif len(title) > WECHAT_TITLE_MAX:
        ev = Evidence(inp.title[WECHAT_TITLE_MAX:], WECHAT_TITLE_MAX, len(inp.title), "title")
        out.append((Verdict.BLOCK, f"标题{len(title)}字，超过{WECHAT_TITLE_MAX}字", ev))
    if len(inp.author) > WECHAT_AUTHOR_MAX:
        out.append((Verdict.BLOCK, f"作者{len(inp.author)}字，超过{WECHAT_AUTHOR_MAX}字", None))
    if len(inp.digest) > WECHAT_DIGEST_MAX:
        ev = Evidence(inp.digest[WECHAT_DIGEST_MAX:], WECHAT_DIGEST_MAX, len(inp.digest), "digest")
        out.append((Verdict.BLOCK, f"摘要{len(inp.digest)}字，超过{WECHAT_DIGEST_MAX}字", ev))
    if len(inp.body) >= WECHAT_CONTENT_LIMIT:
        out.append((Verdict.BLOCK, f"正文{len(inp.body)}字符，须少于{WECHAT_CONTENT_LIMIT}", None))
    elif len(inp.body) >= WECHAT_CONTENT_LIMIT * 3 // 4:
        out.append((Verdict.WARN, f"正文{len(inp.body)}字符，排版后可能超过微信上限", None))
    if not inp.has_cover:
        out.append((Verdict.BLOCK, "图文消息须有封面图", None))
    return out


WEIBO_LINK_KEY_CHARS = 30  # the "?p=<publication key>" marker the channel appends to the link


def _weibo(inp: GateInput, t: GateTarget) -> list[tuple[Verdict, str, Evidence | None]]:
    """The post carries 【title】, a summary cut to fit and the link to the article on the safe
    domain; only the title and the link cannot give way, so they must fit in 140 characters."""
    out: list[tuple[Verdict, str, Evidence | None]] = []
    for field, text in (("title", inp.title), ("body", inp.body)):
        for m in _TOPIC.finditer(text):
            ev = Evidence(m.group(), m.start(), m.end(), field)
            out.append((Verdict.BLOCK, f"不得使用话题标签{m.group()}", ev))
    if not t.safe_domain:
        # settings refuse a Weibo account without one, so only a bare `newmedia check` gets here
        out.append((Verdict.WARN, "未指定账号的安全域名，无法核对微博链接", None))
        return out
    link = len(f"https://{t.safe_domain}/") + WEIBO_LINK_KEY_CHARS
    fixed = len(f"【{inp.title.strip()}】") + 1 + link
    if fixed > WEIBO_TEXT_MAX:
        ev = Evidence(inp.title, 0, len(inp.title), "title")
        out.append(
            (
                Verdict.BLOCK,
                f"标题加原文链接约{fixed}字，超过微博{WEIBO_TEXT_MAX}字上限，请缩短标题",
                ev,
            )
        )
    foreign = [
        u for u in _URL.findall(weibo_text(inp.title, inp.body)) if not _on_domain(u, t.safe_domain)
    ]
    if foreign and len(weibo_text(inp.title, inp.body)) + link <= WEIBO_TEXT_MAX:
        out.append((Verdict.WARN, f"正文含非安全域名链接 {foreign[0]}，微博可能拒绝", None))
    return out


def check_platform_limits(inp: GateInput) -> CheckResult:
    if not inp.targets:
        return CheckResult(NAME, Verdict.PASS, "未指定发布账号，未检查平台限制")
    problems: list[str] = []
    evidence: list[Evidence] = []
    worst = Verdict.PASS
    for t in inp.targets:
        label = {"wechat": "微信", "weibo": "微博"}.get(t.platform, t.platform)
        rule = _wechat if t.platform == "wechat" else _weibo if t.platform == "weibo" else None
        if rule is None:
            problems.append(f"{label}（{t.account_key}）：未知平台")
            worst = max(worst, Verdict.WARN, key=lambda v: v.rank)
            continue
        for verdict, text, ev in rule(inp, t):
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
