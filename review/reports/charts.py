"""The reports' charts as SVG text, drawn by matplotlib (pure: data in, SVG out).

Text stays text (``svg.fonttype: none``): the browser draws the Chinese labels with its own
fonts (CI installs fonts-noto-cjk), nothing is turned into paths. The output is the same for
the same data — a fixed ``svg.hashsalt`` for the element ids and no date in the metadata — so
the committed example and the tests can compare it. The non-interactive SVG canvas is used
directly (no pyplot, no global figure), but the style is matplotlib's global ``rcParams``:
``annual_charts`` draws under one lock, so two requests (the console draws in a worker thread)
never mix their settings.
"""

from __future__ import annotations

import io
import math
import re
import threading
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from review.reports.annual import AnnualReport, Weekly

STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "newmedia-report",
    "font.family": "sans-serif",
    "font.sans-serif": [
        "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "DejaVu Sans",
    ],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}  # fmt: skip
SIZE = (8.0, 3.2)
_DRAWING = threading.Lock()


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # measuring Chinese text with a font that lacks it warns; the browser draws it
        warnings.simplefilter("ignore", UserWarning)
        FigureCanvasSVG(fig)  # the non-interactive SVG canvas, not pyplot's
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    # inline in HTML: drop the XML prolog and DOCTYPE, keep the <svg> element
    return text[text.index("<svg") :]


def _gaps(values: Sequence[float | None]) -> list[float]:
    """A week without a value is a gap in the line, not a zero."""
    return [math.nan if v is None else v for v in values]


def _week_labels(weeks: Sequence[date]) -> tuple[list[int], list[str]]:
    ticks = list(range(0, len(weeks), 4))
    return ticks, [f"{weeks[i].month}/{weeks[i].day}" for i in ticks]


def posts_per_week(weekly: Weekly, title: str = "每周发布量（按账号）") -> str:
    with rc_context(STYLE):
        fig = Figure(figsize=SIZE, layout="constrained")
        ax = fig.add_subplot()
        ticks, labels = _week_labels(weekly.weeks)
        x = list(range(len(weekly.weeks)))
        for name, values in weekly.series.items():
            ax.plot(x, _gaps(values), linewidth=1.4, label=name)
        ax.set_xticks(ticks, labels)
        ax.set_xlabel("周（起始日）")
        ax.set_ylabel("篇")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        if weekly.series:
            fig.legend(loc="outside lower center", ncols=4, frameon=False)
        return _svg(fig)


def messages_per_week(received: Weekly, hours: Weekly, title: str = "每周留言与答复用时") -> str:
    with rc_context(STYLE):
        fig = Figure(figsize=SIZE, layout="constrained")
        ax = fig.add_subplot()
        ticks, labels = _week_labels(received.weeks)
        x = list(range(len(received.weeks)))
        for name, values in received.series.items():
            ax.bar(x, _gaps(values), color="#9fb7d9", label=name)
        ax.set_xticks(ticks, labels)
        ax.set_xlabel("周（起始日）")
        ax.set_ylabel("条")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        right = ax.twinx()
        for name, values in hours.series.items():
            right.plot(x, _gaps(values), color="#b5121b", marker="o", markersize=3, label=name)
        right.set_ylabel("工作小时")
        right.set_ylim(bottom=0)
        handles = ax.get_legend_handles_labels()
        more = right.get_legend_handles_labels()
        fig.legend(handles[0] + more[0], handles[1] + more[1], loc="outside lower center",
                   ncols=2, frameon=False)  # fmt: skip
        ax.set_title(title)
        return _svg(fig)


def blocks_by_reason(counts: Mapping[str, int], title: str = "发布前检查拦截（按原因）") -> str:
    with rc_context(STYLE):
        names = list(counts)[::-1]
        fig = Figure(figsize=(8.0, 0.9 + 0.35 * max(len(names), 1)), layout="constrained")
        ax = fig.add_subplot()
        bars = ax.barh(names, [counts[n] for n in names], color="#b5121b")
        ax.bar_label(bars, padding=3)
        ax.set_xlabel("次")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        if not names:
            ax.text(0.5, 0.5, "本年度无拦截", transform=ax.transAxes, ha="center")
        return _svg(fig)


def annual_charts(report: AnnualReport) -> dict[str, str]:
    """Chart key → inline SVG, in the order the report shows them."""
    with _DRAWING:
        return {
            "posts": posts_per_week(report.posts_weekly),
            "messages": messages_per_week(report.messages_weekly, report.answer_hours_weekly),
            "blocks": blocks_by_reason(report.blocks_by_reason),
        }


def texts(svg: str) -> list[str]:
    """The text drawn in an SVG (what a reader sees: titles, labels, legend), for tests."""
    return [
        re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    ]
