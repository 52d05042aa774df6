"""``newmedia chat --as PERSON "通过 12"``: one chat command through the running service's WeCom
callback, as the person's phone would send it (no text: a prompt)."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "chat", help="send a chat command as a person through the WeCom callback (or a prompt)"
    )
    p.add_argument("--as", dest="as_person", required=True, help="person key or name")
    p.add_argument("--url", help="service base URL (default: service.public_url)")
    p.add_argument("--app", help="WeCom app key (default: the first in settings)")
    p.add_argument("text", nargs="*", help='the command, e.g. "通过 12"; none = interactive')
    p.set_defaults(handler=lazy("chat", "chat"))
