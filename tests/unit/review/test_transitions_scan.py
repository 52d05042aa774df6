"""No hand-written status change in the stores: a status is set only by
``review.store.transitions.transition``, which checks the pair against the table.

Read from the source (the syntax tree, not the text): ``.values(status=…)``, a ``"status"`` key
in a dict literal, ``x["status"] = …``, ``x.status = …``, ``.update(status=…)`` or
``dict(status=…)`` anywhere in review/store/ but transitions.py. The delivery status of an outbox
row (a staff notification, a reply to a citizen) is not one of the state machines in
review/states.py, so an UPDATE of those tables may set it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import review.store

STORE = Path(review.store.__file__).parent
#: tables whose ``status`` is a delivery status, not a state machine of review/states.py
OUTBOX = {"Notification", "MessageReply"}


def _root_of(call: ast.Call) -> str | None:
    """The model an ``update(Model).where(…).values(…)`` chain updates, if it is one."""
    node: ast.expr = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "update"
        and node.args
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def _is_status(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == "status"


def hand_written(source: str) -> list[int]:
    """Line numbers where ``source`` sets a status by hand."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = node.func.id if isinstance(node.func, ast.Name) else name
            sets_status = any(k.arg == "status" for k in node.keywords) or any(
                isinstance(a, ast.Dict) and any(_is_status(k) for k in a.keys) for a in node.args
            )
            if name == "values" and sets_status and _root_of(node) not in OUTBOX:
                lines.append(node.lineno)
            elif name in ("update", "dict") and any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict) and any(_is_status(k) for k in node.keys):
            lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    lines.append(node.lineno)
                if isinstance(target, ast.Subscript) and _is_status(target.slice):
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_no_store_module_sets_a_status_by_hand() -> None:
    modules = sorted(p for p in STORE.glob("*.py") if p.name != "transitions.py")
    assert len(modules) > 10  # the scan reads the real package
    found = {
        p.name: hand_written(p.read_text(encoding="utf-8"))
        for p in modules
        if hand_written(p.read_text(encoding="utf-8"))
    }
    assert found == {}, f"set the status through review.store.transitions.transition: {found}"


def test_the_scan_catches_each_way_of_writing_one() -> None:
    samples = [
        "update(Publication).where(Publication.id == 1).values(status=P.FAILED)",
        "update(t).where(t.c.id == 1).values({'status': 'failed'})",
        "values = {'status': target, 'updated_at': now}",
        "values.update(status=target)",
        "values['status'] = target",
        "pub.status = P.CANCELLED",
        "extra = dict(status='closed')",
    ]
    for sample in samples:
        assert hand_written(sample) == [1], sample


def test_the_scan_lets_the_outbox_and_plain_reads_through() -> None:
    allowed = [
        "update(Notification).where(Notification.id == 1).values(status='sent')",
        "update(MessageReply).where(MessageReply.id == 1).values(status=status)",
        "select(Publication).where(Publication.status == P.PENDING)",
        "transition(Publication, P.RETRACTED, P.PUBLISHED).values(retracted_at=now)",
        "Publication(status=P.SCHEDULED, due_at=now)",
        "COLS = ('id', 'status', 'text')",
    ]
    for sample in allowed:
        assert hand_written(sample) == [], sample
