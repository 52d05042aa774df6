"""The WeCom fake's per-corp state: what each reviewer received, and the cards' copies.

``dump`` / ``restore`` turn it into the JSON document the state file keeps (persistence.py). A
card is one message object in several places (each recipient's inbox and the card's copies,
which ``update_template_card`` changes in place), so the copies are stored as places in the
inboxes and rebuilt as the same objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from channels.sandbox.config import WeComCorp


@dataclass
class WeComMessage:
    msgid: str
    userid: str
    msgtype: str
    body: dict[str, Any]  # the msgtype's own object ("text", "markdown", "template_card")
    at: float
    replaced_name: str = ""  # a card's buttons after update_template_card


@dataclass
class WeComState:
    corp: WeComCorp
    inbox: dict[str, list[WeComMessage]] = field(default_factory=dict)  # userid → received
    cards: dict[str, list[WeComMessage]] = field(default_factory=dict)  # task_id → copies
    response_codes: dict[str, str] = field(default_factory=dict)  # code → task_id (unused)


def dump(state: WeComState) -> dict[str, Any]:
    place = {id(m): [userid, i] for userid, ms in state.inbox.items() for i, m in enumerate(ms)}
    return {
        "inbox": {userid: [asdict(m) for m in ms] for userid, ms in state.inbox.items()},
        "cards": {task: [place[id(m)] for m in ms] for task, ms in state.cards.items()},
        "response_codes": state.response_codes,
    }


def restore(state: WeComState, doc: dict[str, Any]) -> None:
    """Fill a fresh corp state from its stored document."""
    state.inbox = {u: [WeComMessage(**m) for m in ms] for u, ms in doc["inbox"].items()}
    state.cards = {
        task: [state.inbox[userid][i] for userid, i in places]
        for task, places in doc["cards"].items()
    }
    state.response_codes = dict(doc["response_codes"])
