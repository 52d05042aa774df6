"""Normalise draft text before matching, keeping a map back to the original offsets.

Editors paste from Word, web pages and traditional-script sources: full-width digits, HTML tags,
Markdown links and 繁体 would otherwise hide an ID number or a duty term. Every check matches on
the normalised text and reports spans in the *original* text, so evidence points at what the
editor actually wrote.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from dataclasses import dataclass

from opencc import OpenCC

# Things removed entirely (tags, comments, Markdown link targets) or reduced to their text.
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
_MD_LINK = re.compile(r"!?\[([^\]\n]{0,300})\]\(([^)\s]{0,500})(?:\s+\"[^\"\n]*\")?\)")
_MD_LINE_MARK = re.compile(
    r"^(?:[ \t]{0,3}(?:#{1,6}|>|[-+*]|\d{1,3}[.)])[ \t]+|[ \t]*```\w*)", re.M
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});")


@dataclass(frozen=True)
class Normalized:
    """``text`` is the normalised text; ``origin[i]`` is the original index of ``text[i]``."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` back to the original text."""
        if start >= end or not self.origin:
            pos = self.origin[start] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


@functools.cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


_HALFWIDTH = {0x3000: " ", **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}
_unchanged: set[str] = set()  # characters t2s leaves alone, learnt as texts arrive
_unchanged_lock = threading.Lock()


def _needs_t2s(text: str) -> bool:
    """True when some character of ``text`` has a simplified form (most texts have none)."""
    new = set(text) - _unchanged
    if not new:
        return False
    convert = _converter().convert
    same = {c for c in new if convert(c) == c}
    with _unchanged_lock:
        _unchanged.update(same)
    return len(same) < len(new)


def _strip_markup(text: str) -> tuple[str, list[int]]:
    """Drop HTML tags/comments and Markdown syntax; decode entities. Returns text + origin map."""
    drop = bytearray(len(text))  # 1 = removed
    replace: dict[int, tuple[int, str]] = {}  # start -> (end, replacement) for entities

    def mark(a: int, b: int) -> None:
        drop[a:b] = b"\x01" * (b - a)

    for pattern in (_HTML_COMMENT, _HTML_TAG, _MD_LINE_MARK):
        for m in pattern.finditer(text):
            mark(m.start(), m.end())
    for m in _MD_LINK.finditer(text):
        mark(m.start(), m.start(1))  # "[" or "!["
        mark(m.end(1), m.end())  # "](url)"
    for m in _ENTITY.finditer(text):
        if not drop[m.start()]:
            replace[m.start()] = (m.end(), html.unescape(m.group()))
    out: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        if i in replace:
            end, rep = replace[i]
            out.extend(rep)
            origin.extend([i] * len(rep))
            i = end
            continue
        if not drop[i]:
            out.append(text[i])
            origin.append(i)
        i += 1
    return "".join(out), origin


def normalize(text: str) -> Normalized:
    """Full-width → half-width, markup stripped, traditional → simplified, offsets kept."""
    if "<" in text or "&" in text or "[" in text or "#" in text or ">" in text or "`" in text:
        stripped, origin = _strip_markup(text)
    elif text.isascii():
        return Normalized(text, tuple(range(len(text))), text)
    else:
        stripped, origin = text, list(range(len(text)))
    half = stripped.translate(_HALFWIDTH)
    if not _needs_t2s(half):
        return Normalized(half, tuple(origin), text)
    simple = _converter().convert(half)
    if len(simple) != len(half):
        # a phrase rule changed the length: convert char by char so the map stays aligned
        simple = "".join(_converter().convert(c)[:1] or c for c in half)
    return Normalized(simple, tuple(origin), text)


def plain_text(text: str) -> str:
    """The normalised text alone (for counting and display)."""
    return normalize(text).text
