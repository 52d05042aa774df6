"""What a command prints: a table sized for Chinese text, or JSON (every listing has ``--json``)."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime


def _default(obj: object) -> object:
    if isinstance(obj, datetime):
        return obj.isoformat()
    raise TypeError(type(obj).__name__)


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_default) + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(rows: Iterable[Mapping[str, object]], columns: Sequence[tuple[str, str]]) -> None:
    """Columns are (key, header); widths account for double-width Chinese characters."""
    data = [[("" if r.get(k) is None else str(r.get(k))) for k, _ in columns] for r in rows]
    headers = [h for _, h in columns]
    widths = [max([_width(h)] + [_width(row[i]) for row in data]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    print(line(headers))
    for row in data:
        print(line(row))
    if not data:
        print("（无）")
