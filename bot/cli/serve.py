"""``newmedia serve``: the service, its ticks and (in demo mode) the sandbox platforms."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="start the service (web, callbacks, scheduler, sandbox)")
    p.add_argument("--host", help="bind address (default from settings)")
    p.add_argument("--port", type=int, help="port (default from settings)")
    p.add_argument(
        "--workers",
        type=int,
        help="serving processes on the port, about one per core (default from settings: 1)",
    )
    # set by the primary when it starts a secondary worker; not for people
    p.add_argument("--secondary-of", type=int, help=argparse.SUPPRESS)
    p.add_argument("--sandbox-api", help=argparse.SUPPRESS)
    p.set_defaults(handler=lazy("serve", "run"))
