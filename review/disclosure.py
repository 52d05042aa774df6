"""The disclosure attribute (公开属性) each draft carries, decided at the source when it is
written (政府信息公开条例: 主动公开 / 依申请公开 / 不予公开), and the one rule on it: an item
marked 不予公开 never goes out — the gate refuses it (``review.checks.disclosure``) and the
publisher cancels it should it ever reach the queue (``review.publishing.claiming``). Pure."""

from __future__ import annotations

PROACTIVE = "主动公开"
ON_REQUEST = "依申请公开"
WITHHELD = "不予公开"
#: in the order editors are offered them; the first is the default
DISCLOSURES = (PROACTIVE, ON_REQUEST, WITHHELD)
DEFAULT = PROACTIVE
#: why a 不予公开 item is refused, said by the gate, the publisher and the CLI
WITHHELD_REASON = "稿件公开属性为「不予公开」，不得在政务新媒体发布"


def problem(value: str) -> str | None:
    """Why ``value`` is not a disclosure attribute (None: it is one)."""
    if value in DISCLOSURES:
        return None
    return f"未知的公开属性「{value}」，可选：{'、'.join(DISCLOSURES)}"


def withheld(value: str | None) -> bool:
    return value == WITHHELD
