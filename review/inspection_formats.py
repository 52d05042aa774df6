"""The self-inspection report as text (the terminal), JSON (``Report.to_json``) and HTML (a
Jinja page in ``templates/reports/``; its body, ``_inspection_body.html``, can sit in another
page, e.g. the console's reports page)."""

from __future__ import annotations

from markupsafe import Markup

import templates
from review.inspection import Report
from review.inspection_items import Item
from review.inspection_rules import LEVEL_LABELS, STATUS_LABELS, THRESHOLDS, Threshold
from review.timefmt import fmt

_ENV = templates.environment("reports", autoescape=True)
_ENV.filters["fmt"] = fmt
_MARKS = {"pass": "✓", "at_risk": "!", "fail": "✗"}


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, "情况")


def amount(t: Threshold) -> str:
    return "—" if t.value is None else f"{t.value} {t.unit}"


def _item_lines(item: Item) -> list[str]:
    head = f"  {_MARKS[item.status]} [{level_label(item.level)}·{STATUS_LABELS[item.status]}]"
    lines = [f"{head} {item.name}：{item.summary}"]
    lines.append(f"      指标：{item.indicator}")
    lines += [f"      阈值：{t.meaning}（{t.source}）" for t in item.thresholds]
    for ev in item.evidence:
        at = f" {fmt(ev.at)}" if ev.at else ""
        lines.append(f"      - {ev.ref}「{ev.title}」{at} {ev.note}".rstrip())
    return lines


def text(report: Report) -> str:
    lines = [
        f"政务新媒体自查报告（{fmt(report.since)} — {fmt(report.as_of)}，北京时间）",
        f"单项否决不通过 {report.vetoes} 项，扣分 {report.deductions} 项，有风险 {report.at_risk} 项",
        "",
    ]
    for account in report.accounts:
        lines.append(f"【{account.name}】{account.key}（平台发布记录同步：{account.synced}）")
        for item in account.items:
            lines += _item_lines(item)
        lines.append("")
    if report.general:
        lines.append("【全局】")
        for item in report.general:
            lines += _item_lines(item)
        lines.append("")
    lines.append("阈值及来源：")
    lines += [f"  - {t.meaning}：{amount(t)}（{t.source}）" for t in THRESHOLDS]
    return "\n".join(lines).rstrip() + "\n"


def body_html(report: Report) -> str:
    return _ENV.get_template("_inspection_body.html").render(
        report=report,
        statuses=STATUS_LABELS,
        level_label=level_label,
        thresholds=THRESHOLDS,
        amount=amount,
    )


def html(report: Report) -> str:
    return _ENV.get_template("inspection.html").render(
        report=report,
        body=Markup(body_html(report)),  # noqa: S704 — our own escaped page
    )
