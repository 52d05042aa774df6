"""Argument types the command areas share. A record's number is written as staff write it in
chat — ``10`` or ``#10`` (full-width too) — and anything else is refused in Chinese, not with
argparse's 「invalid int value」."""

from __future__ import annotations

import argparse
import re

_ID = re.compile(r"[#＃]?(\d{1,9})")


def record_id(text: str) -> int:
    """``type=`` for a message, draft, publication or 口径 number."""
    match = _ID.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"「{text[:20]}」不是编号：请写数字，如 10 或 #10")
    return int(match[1])
