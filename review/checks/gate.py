"""Run every check on a draft and combine them: the overall verdict is the worst one.

Pure: after the lexicons are loaded (once per process) nothing here touches disk or network, so the
review queue, the CLI and the benchmark all call the same function.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels.base import PlatformLimits
from review.checks.disclosure import check_disclosure
from review.checks.lexicons import Lexicons, default_lexicons
from review.checks.normalize import normalize
from review.checks.personal_data import check_personal_data
from review.checks.platform_limits import check_platform_limits, check_reprint
from review.checks.relevance import check_relevance
from review.checks.secrecy import check_secrecy
from review.checks.types import CheckResult, GateInput, GateReport, Verdict
from review.checks.wording import check_wording

#: the order checks appear in a report
CHECK_NAMES = (
    "relevance",
    "personal_data",
    "secrecy",
    "wording",
    "platform_limits",
    "reprint_source",
    "disclosure",
)


def _report(checks: list[CheckResult]) -> GateReport:
    return GateReport(Verdict.worst([c.verdict for c in checks]), tuple(checks))


def run_gate(
    inp: GateInput, *, limits: Mapping[str, PlatformLimits], lexicons: Lexicons | None = None
) -> GateReport:
    """All checks on one draft, in :data:`CHECK_NAMES` order. ``limits``: platform → what it
    refuses, declared by the adapters and handed over by the service."""
    lex = lexicons or default_lexicons()
    title = normalize(inp.title)
    body = normalize(inp.body)
    fields = [("title", title), ("body", body)]
    if inp.digest:
        fields.append(("digest", normalize(inp.digest)))
    extra = list(fields)
    if inp.author:
        extra.append(("author", normalize(inp.author)))
    if inp.source:
        extra.append(("source", normalize(inp.source)))
    checks = [
        check_relevance(title, body, inp.kind, lex.duties, lex.tokenizer),
        check_personal_data(extra, inp.kind, lex.personal),
        check_secrecy(extra, lex.secrecy),
        check_wording(fields, lex.wording),
        check_platform_limits(inp, limits),
        check_reprint(inp, lex.reprint_whitelist),
        check_disclosure(inp),
    ]
    return _report(checks)


def check_reply_text(text: str, *, lexicons: Lexicons | None = None) -> GateReport:
    """For answers to citizens: only personal data and wording (a reply need not be on-duty)."""
    lex = lexicons or default_lexicons()
    fields = [("body", normalize(text))]
    return _report(
        [check_personal_data(fields, "答复", lex.personal), check_wording(fields, lex.wording)]
    )
