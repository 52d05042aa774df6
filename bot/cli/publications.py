"""``newmedia publications``: list; cancel before it goes out; retract; draft a correction
notice; settle a needs_check."""

from __future__ import annotations

import argparse

from bot.cli.arg_types import record_id
from bot.cli.lazy import lazy
from review.states import PublicationStatus


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("publications", help="publications: list, retract, correct")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="each publication's state, attempts, error, remote id, URL")
    ls.add_argument("--state", choices=[s.value for s in PublicationStatus])
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=lazy("publications", "listing"))
    ca = psub.add_parser("cancel", help="stop a scheduled publication (owner department)")
    ca.add_argument("id", type=record_id)
    ca.add_argument("--as", dest="person", required=True, help="person key or name")
    ca.set_defaults(handler=lazy("publications", "cancel"))
    rt = psub.add_parser("retract", help="retract a published post (owner department reviewer)")
    rt.add_argument("id", type=record_id)
    rt.add_argument("--as", dest="person", required=True, help="person key or name")
    rt.add_argument("--reason", required=True)
    rt.set_defaults(handler=lazy("publication_fixes", "retract"))
    co = psub.add_parser("correct", help="draft a correction notice and submit it for review")
    co.add_argument("id", type=record_id)
    co.add_argument("--as", dest="person", required=True, help="person key or name")
    co.add_argument("--correction", help="the corrected statement (optional)")
    co.set_defaults(handler=lazy("publication_fixes", "correct"))
    st = psub.add_parser(
        "settle", help="record what a person found for a needs_check or pending publication"
    )
    st.add_argument("id", type=record_id)
    st.add_argument("outcome", choices=["published", "failed", "retry"])
    st.add_argument("--as", dest="person", required=True, help="person key or name")
    st.add_argument("--note", required=True, help="how it was checked")
    st.add_argument("--remote-id", help="the platform's id (published)")
    st.add_argument(
        "--force",
        action="store_true",
        help="retry even though the last search did not reach the send time (may duplicate)",
    )
    st.add_argument("--url", help="the article's link (published)")
    st.set_defaults(handler=lazy("publications", "settle"))
