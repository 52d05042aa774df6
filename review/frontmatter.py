"""Draft files: Markdown with optional TOML front matter between ``+++`` lines.

Shared by ``newmedia check`` and ``newmedia draft``. Errors name the line and are in Chinese,
because the person who fixes them is an editor, not a programmer.
"""

from __future__ import annotations

import difflib
import re
import tomllib

from review.disclosure import DISCLOSURES
from review.draft_rules import KINDS

FENCE = "+++"
#: every key a draft file may set; anything else is a typo an editor must hear about
KEYS = (
    "title", "kind", "source", "author", "digest", "cover", "accounts", "at", "disclosure",
    "interprets",
)  # fmt: skip
_STR_KEYS = ("title", "kind", "source", "author", "digest", "disclosure")
_TOML_LINE = re.compile(r"line (\d+)")
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")


class FrontMatterError(ValueError):
    """The draft file cannot be read; ``line`` is 1-based in the whole file."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"第 {line} 行：{message}")
        self.message = message
        self.line = line


def _key_line(block: list[str], key: str, first: int) -> int:
    for i, raw in enumerate(block):
        if re.match(rf"\s*{re.escape(key)}\s*=", raw):
            return first + i
    return first


def closest_key(key: str) -> str | None:
    """The known key ``key`` was probably meant to be: a near spelling (``titel`` → title), or a
    known key that is one of its words (``publish_at`` → at)."""
    near = difflib.get_close_matches(key.lower(), KEYS, n=1, cutoff=0.6)
    if near:
        return near[0]
    words = re.split(r"[_\-\s]+", key.lower())
    return next((k for k in KEYS if k in words or k.rstrip("s") in words), None)


def _refuse_unknown(meta: dict[str, object], block: list[str]) -> None:
    for key in meta:
        if key in KEYS:
            continue
        guess = closest_key(key)
        hint = f"，是不是想写 {guess}？" if guess else ""
        raise FrontMatterError(
            f"未知的字段「{key}」{hint}（可用：{'、'.join(KEYS)}）", _key_line(block, key, 2)
        )


def parse_draft_file(text: str) -> tuple[dict[str, object], str]:
    """Split a draft file into (front matter, Markdown body).

    Without a ``title`` key, the first ``# `` heading becomes the title and leaves the body.
    ``cover`` may be a path (string) or true/false. An unknown key is refused with the known key
    it was probably meant to be: a dropped ``publish_at`` would silently lose the schedule.
    """
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    meta: dict[str, object] = {}
    body_start = 0
    if lines and lines[0].strip() == FENCE:
        close = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
        if close is None:
            raise FrontMatterError("front matter 以 +++ 开头，但没有结束的 +++ 行", 1)
        block = [ln.rstrip("\r\n") for ln in lines[1:close]]
        try:
            meta = tomllib.loads("\n".join(block))
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_LINE.search(str(exc))
            line = int(m.group(1)) + 1 if m else max(close, 2)  # "at end of document"
            raise FrontMatterError(f"front matter 的 TOML 格式有误（{exc}）", line) from exc
        _refuse_unknown(meta, block)
        for key in _STR_KEYS:
            if key in meta and not isinstance(meta[key], str):
                raise FrontMatterError(
                    f"{key} 应为文字（用英文双引号括起）", _key_line(block, key, 2)
                )
        if "cover" in meta and not isinstance(meta["cover"], str | bool):
            raise FrontMatterError("cover 应为图片路径或 true/false", _key_line(block, "cover", 2))
        if "kind" in meta and meta["kind"] not in KINDS:
            raise FrontMatterError(
                f"kind “{meta['kind']}” 不是可用的稿件类型（{'、'.join(KINDS)}）",
                _key_line(block, "kind", 2),
            )
        if "disclosure" in meta and meta["disclosure"] not in DISCLOSURES:
            raise FrontMatterError(
                f"disclosure “{meta['disclosure']}” 不是可用的公开属性（{'、'.join(DISCLOSURES)}）",
                _key_line(block, "disclosure", 2),
            )
        if "interprets" in meta and (
            isinstance(meta["interprets"], bool) or not isinstance(meta["interprets"], int)
        ):
            raise FrontMatterError(
                "interprets 应为所解读的规范性文件的稿件编号（数字，例如 interprets = 12）",
                _key_line(block, "interprets", 2),
            )
        body_start = close + 1
    body_lines = lines[body_start:]
    if "title" not in meta:
        for i, raw in enumerate(body_lines):
            m = _HEADING.match(raw.rstrip("\r\n"))
            if m:
                meta["title"] = m.group(1).strip()
                del body_lines[i]
                break
    return meta, "".join(body_lines).strip("\n")
