"""A finding of ``newmedia doctor`` and what the findings add up to (the exit code).

Exit codes: 0 every check passed; 1 at least one failed; 3 warnings only. Not 2: that is
argparse's usage error and every command's "bad input or settings", so a monitoring script
reading 2 as "warning" would take a mistyped command for a working installation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_WARN = 3


class Status(Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    #: not checked: an earlier failure (settings that do not load) leaves nothing to check
    SKIP = "skip"

    @property
    def mark(self) -> str:
        return {"ok": "✓", "warn": "!", "fail": "✗", "skip": "–"}[self.value]


@dataclass(frozen=True)
class Finding:
    """One line of the report: ``check`` groups it (settings, database …), ``name`` says what
    was looked at, ``detail`` what was found, ``fix`` what to do (empty when nothing)."""

    check: str
    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "check": self.check,
            "name": self.name,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
        }


def ok(check: str, name: str, detail: str) -> Finding:
    return Finding(check, name, Status.OK, detail)


def warn(check: str, name: str, detail: str, fix: str) -> Finding:
    return Finding(check, name, Status.WARN, detail, fix)


def fail(check: str, name: str, detail: str, fix: str) -> Finding:
    return Finding(check, name, Status.FAIL, detail, fix)


def skipped(check: str, name: str, why: str) -> Finding:
    return Finding(check, name, Status.SKIP, why)


def exit_code(findings: Iterable[Finding]) -> int:
    statuses = {f.status for f in findings}
    if Status.FAIL in statuses:
        return EXIT_FAIL
    if Status.WARN in statuses:
        return EXIT_WARN
    return EXIT_OK


def summary(findings: Sequence[Finding]) -> str:
    """The report's last line, in Chinese."""
    failed = sum(f.status is Status.FAIL for f in findings)
    warned = sum(f.status is Status.WARN for f in findings)
    if not failed and not warned:
        return f"全部 {len(findings)} 项检查通过。"
    parts = [f"{failed} 项错误" if failed else "", f"{warned} 项警告" if warned else ""]
    return (
        "发现 "
        + "、".join(p for p in parts if p)
        + "：请按上面的「修复」逐项处理后再运行 newmedia doctor。"
    )
