"""Reading the gate's word lists (shipped or the bureau's) with errors staff can act on.

Every problem is a :class:`LexiconError` in Chinese naming the file, the line (or the table and
its number) and what is wrong, so an editor who broke a list knows where to look.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\]\]")
_TOML_LINE = re.compile(r"line (\d+)")

BUILTIN = "内置"
BUREAU = "本局"


class LexiconError(ValueError):
    """A data file the bureau edited is malformed; the message says where, in Chinese."""


@dataclass(frozen=True)
class ListFile:
    """One list file: its name for messages, its label in findings, where its tables start."""

    name: str
    #: 「错敏词表（本局）」: how a finding names the list
    label: str
    headers: dict[str, list[int]] = field(default_factory=dict)

    def where(self, table: str, number: int) -> str:
        lines = self.headers.get(table, [])
        at = f"第 {lines[number - 1]} 行，" if number <= len(lines) else ""
        return f"{self.name} {at}第 {number} 条 [[{table}]]"

    def error(self, table: str, number: int, problem: str) -> LexiconError:
        return LexiconError(f"{self.where(table, number)}：{problem}")


def read_toml(path: Path, label: str) -> tuple[dict[str, Any], ListFile]:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        at = f"第 {found.group(1)} 行" if found else ""
        raise LexiconError(
            f"{path.name} {at}格式有误，不是有效的 TOML（{exc}）；"
            "常见原因：文字没有用英文双引号括起、列表缺少方括号或逗号"
        ) from exc
    headers: dict[str, list[int]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            headers.setdefault(m.group(1), []).append(n)
    return data, ListFile(path.name, label, headers)


def read_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of non-empty lines with ``#`` comments removed."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append((n, line))
    return out


def tables(data: dict[str, Any], f: ListFile, name: str) -> list[dict[str, Any]]:
    raw = data.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise LexiconError(f"{f.name}：{name} 每条须写成 [[{name}]]（两层方括号）")
    return raw


def only_keys(raw: dict[str, Any], allowed: set[str], f: ListFile, table: str, i: int) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise f.error(
            table, i, f"不认识的项 {'、'.join(unknown)}（可用：{'、'.join(sorted(allowed))}）"
        )


def text_of(
    raw: dict[str, Any], key: str, f: ListFile, table: str, i: int, *, required: bool
) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise f.error(table, i, f"{key} 应为文字（用英文双引号括起）")
    value = value.strip()
    if required and not value:
        raise f.error(table, i, f"缺少 {key}")
    return value


def strings_of(raw: dict[str, Any], key: str, f: ListFile, table: str, i: int) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise f.error(table, i, f'{key} 应为文字列表，例如 ["甲", "乙"]')
    return tuple(v.strip() for v in value if v.strip())


_NUMBER_CHARS = re.compile(r"^[0-9+\-–()（） ]+$")
#: a mainland mobile (with or without +86): a person's number, never a unit's public one
_MOBILE = re.compile(r"^(?:0{0,2}86)?1[3-9]\d{9}$")


def read_numbers(path: Path) -> frozenset[str]:
    """Public phone numbers, one a line, as digits only (``0431-8888 8888  # 说明``). A mobile
    is refused: a number listed here is never taken for personal data, and a mobile is one."""
    out = set()
    for n, line in read_lines(path):
        digits = "".join(c for c in line if c.isdigit())
        # the line itself is not repeated: errors are logged, and logs carry no numbers
        if not _NUMBER_CHARS.match(line) or not 3 <= len(digits) <= 15:
            raise LexiconError(
                f"{path.name} 第 {n} 行不是电话号码"
                "（每行一个号码，只能有数字、“-”、括号和空格，说明写在“#”后面）"
            )
        if _MOBILE.match(digits):
            raise LexiconError(
                f"{path.name} 第 {n} 行是手机号码：个人手机不能列为公开号码"
                "（只写单位对外公布的固定电话或热线，请删去这一行）"
            )
        out.add(digits)
    return frozenset(out)
