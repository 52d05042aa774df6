"""``newmedia people list`` and ``newmedia token issue|list|revoke``: who may use the API and
the console."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("people", help="people, roles and chat identities")
    psub = p.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="the people in the settings file")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=lazy("people", "listing"))
    t = sub.add_parser("token", help="API tokens (they also sign in to the console)")
    tsub = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    issue = tsub.add_parser(
        "issue", help="issue a new API token for a person (ends their console sessions)"
    )
    issue.add_argument("person")
    issue.set_defaults(handler=lazy("tokens", "issue"))
    tls = tsub.add_parser(
        "list", help="who has a token, when it was issued, live console sessions (never a token)"
    )
    tls.add_argument("--json", action="store_true")
    tls.set_defaults(handler=lazy("tokens", "listing"))
    revoke = tsub.add_parser(
        "revoke", help="clear a person's API token and end their console sessions"
    )
    revoke.add_argument("person")
    revoke.set_defaults(handler=lazy("tokens", "revoke"))
