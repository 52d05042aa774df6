"""``newmedia audit verify|list``: the hash-chained audit log."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="the append-only audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ver = asub.add_parser("verify", help="check the hash chain: every break; exit 1 if any")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(handler=lazy("audit", "verify"))
    ls = asub.add_parser("list", help="recent events")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--subject", help="e.g. draft:12")
    ls.add_argument("--action", help="e.g. draft.create")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=lazy("audit", "listing"))
