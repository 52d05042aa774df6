"""The ``newmedia`` command line: one parser built from every area's ``register(sub)``.

The area modules hold only their arguments; what a command does lives in ``bot.cli.actions``
and is imported when that command runs (``bot.cli.lazy``), so ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import bot.cli.audit as audit
import bot.cli.chat as chat
import bot.cli.check as check
import bot.cli.db as db
import bot.cli.doctor as doctor
import bot.cli.draft as draft
import bot.cli.inbox as inbox
import bot.cli.people as people
import bot.cli.publications as publications
import bot.cli.report as report
import bot.cli.review as review
import bot.cli.sandbox as sandbox
import bot.cli.serve as serve
import bot.cli.wording as wording

#: the areas in the order ``--help`` lists them (``import … as``: the package is still loading)
AREAS = (
    serve,
    db,
    doctor,
    draft,
    audit,
    people,
    check,
    review,
    publications,
    inbox,
    wording,
    sandbox,
    chat,
    report,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newmedia",
        description="市民政局政务新媒体发布机器人：先审后发、谁开设谁管理、留言答复。",
    )
    parser.add_argument(
        "--settings",
        metavar="PATH",
        help="settings file (default: settings.toml or $NEWMEDIA_SETTINGS)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in AREAS:
        area.register(sub)
    return parser


def _hoist_settings(argv: list[str]) -> list[str]:
    """Allow ``--settings PATH`` anywhere on the line, not only before the subcommand."""
    out, front, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--settings" and i + 1 < len(argv):
            front += argv[i : i + 2]
            i += 2
            continue
        if arg.startswith("--settings="):
            front.append(arg)
        else:
            out.append(arg)
        i += 1
    return front + out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_hoist_settings(list(sys.argv[1:] if argv is None else argv)))
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 1
    return int(handler(args))
