"""``newmedia submit`` and ``newmedia review …``: the review queue from the command line."""

from __future__ import annotations

import argparse

from bot.cli.arg_types import record_id
from bot.cli.lazy import lazy

#: the decisions on one task: (command, function in bot.cli.actions.review, help)
DECISIONS = (
    ("claim", "claim", "open (claim) a task; only the claimant decides it"),
    ("release", "release", "give a claimed task back to the department"),
    ("approve", "approve", "approve the exact revision (its content hash is pinned)"),
    ("reject", "reject", "reject the draft (--note reason required)"),
    ("revise", "revise", "send back to the editor for changes (--note required)"),
    ("reassign", "reassign", "department head: hand the task to a reviewer (--to)"),
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("submit", help="run the gate on a draft and send it to review")
    s.add_argument("id", type=record_id)
    s.add_argument("--as", dest="as_person", help="person key or name (default $NEWMEDIA_AS)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=lazy("review", "submit"))

    p = sub.add_parser("review", help="the review queue: claim, approve, reject, send back")
    rsub = p.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    q = rsub.add_parser("queue", help="tasks waiting for me and tasks I hold")
    q.add_argument("--as", dest="as_person")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=lazy("review", "queue_for"))
    show = rsub.add_parser("show", help="one task")
    show.add_argument("id", type=record_id)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=lazy("review", "show"))
    for name, function, help_text in DECISIONS:
        a = rsub.add_parser(name, help=help_text)
        a.add_argument("id", type=record_id)
        a.add_argument("--as", dest="as_person")
        a.add_argument("--note")
        a.add_argument("--json", action="store_true")
        if name == "reassign":
            a.add_argument("--to", required=True, help="person key or name")
        a.set_defaults(handler=lazy("review", function))
    o = rsub.add_parser("override", help="department head: audited exception to one blocking check")
    o.add_argument("draft", type=record_id)
    o.add_argument("--check", required=True, help="e.g. personal_data")
    o.add_argument("--reason", required=True, help="written justification (≥ 10 字)")
    o.add_argument("--as", dest="as_person")
    o.set_defaults(handler=lazy("review", "override"))
    sw = rsub.add_parser("sweep", help="return expired claims now and send expiry warnings")
    sw.set_defaults(handler=lazy("review", "sweep"))
