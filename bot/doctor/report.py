"""The findings in the order an operator fixes them, and the report printed from them (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.doctor.facts import ClockReading, Facts
from bot.doctor.findings import Finding, Status, exit_code, skipped, summary
from bot.doctor.network_rules import clock_findings, platform_findings
from bot.doctor.rules import (
    NOT_LOADED,
    cover_findings,
    database_findings,
    migration_findings,
    production_findings,
    public_url_findings,
    secrets_findings,
    settings_findings,
)


def evaluate(facts: Facts) -> list[Finding]:
    """Settings first: when they do not load, every other check says it was not done."""
    out = settings_findings(facts.settings)
    out += secrets_findings(facts.secrets)
    out += production_findings(facts.secrets)
    out += database_findings(facts.database, unusable=facts.database_unusable)
    out += migration_findings(facts.database)
    out += cover_findings(facts.covers)
    if facts.service is None:
        out += [
            skipped("platform", "平台", NOT_LOADED),
            skipped("clock", "时钟", NOT_LOADED),
        ]
    else:
        out += platform_findings(facts.probes, facts.settings.path, facts.sandbox_in_production)
        readings = [p.clock for p in facts.probes if p.clock is not None]
        if facts.database is not None and facts.database.clock is not None:
            readings.append(facts.database.clock)
        out += clock_findings(_one_per_clock(readings), facts.service.timestamp_window_s)
    out += public_url_findings(facts.service)
    return out


def _one_per_clock(readings: Sequence[ClockReading]) -> list[ClockReading]:
    """Bases on one host share its clock: the first reading of each is kept."""
    kept: dict[str, ClockReading] = {}
    for r in readings:
        kept.setdefault(r.source, r)
    return list(kept.values())


def render_text(findings: Sequence[Finding]) -> str:
    """One line per finding with its mark (✓ ! ✗ –), its further lines indented, and the fix
    under each problem."""
    lines = ["newmedia doctor"]
    for f in findings:
        first, *more = f.detail.splitlines() or [""]
        lines.append(f"{f.status.mark} {f.name}：{first}")
        lines.extend(f"    {line}" for line in more)
        if f.fix and f.status in (Status.FAIL, Status.WARN):
            lines.append(f"    修复：{f.fix}")
    lines.append(summary(findings))
    return "\n".join(lines)


def as_json(findings: Sequence[Finding]) -> dict[str, Any]:
    code = exit_code(findings)
    return {
        "ok": code == 0,
        "exit_code": code,
        "findings": [f.as_json() for f in findings],
    }
