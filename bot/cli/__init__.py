"""``newmedia``: the command line. Each area registers its subcommands from its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli.common import CliError, fail
from bot.settings_load import SettingsError
from review.errors import DomainError

#: modules under bot/cli exposing register(sub); missing ones (areas not built yet) are skipped
AREAS = (
    "serve",
    "db",
    "draft",
    "audit",
    "people",
    "check",
    "review",
    "publications",
    "inbox",
    "sandbox",
    "chat",
    "report",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

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
        try:
            module = importlib.import_module(f"bot.cli.{area}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.cli.{area}":
                continue
            raise
        module.register(sub)
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
    try:
        return int(handler(args))
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (CliError, DomainError) as exc:
        return fail(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `newmedia draft list | head`
        sys.stderr.close()
        return 0
