"""Structured logs (one JSON object a line) that never carry secrets or personal data.

Callers log ids and kinds, never message text or identifiers of citizens; as a second line of
defence the formatter masks anything that looks like an ID card, phone or bank number and the
values of secret-looking fields.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

_MASKS = [
    (
        re.compile(r"(?<!\d)\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)"),
        "[身份证号]",
    ),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "[手机号]"),
    (re.compile(r"(?<!\d)\d{16,19}(?!\d)"), "[卡号]"),
    (
        re.compile(
            r"(?i)((?:secret|token|access_token|aes_key|password)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"
        ),
        r"\1***",
    ),
]


def redact(text: str) -> str:
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


#: the request being served (bot/web/request_ids.py sets it; tasks it spawns inherit it)
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Every record logged while a request is served carries its ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = REQUEST_ID.get()
        if found is not None and not hasattr(record, "request_id"):
            record.request_id = found
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key in ("account", "kind", "request_id", "status", "ms"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__
            out["trace"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())  # on the handler: it sees every logger's records
    if os.environ.get("NEWMEDIA_LOG_FORMAT", "json") == "plain":
        handler.setFormatter(PlainFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # alembic.runtime.plugins: seven "setup plugin" lines at every upgrade (the migrations it
    # runs, "Running upgrade 0006 -> 0007", come from alembic.runtime.migration and stay)
    for noisy in ("aiohttp.access", "apscheduler", "jieba", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
