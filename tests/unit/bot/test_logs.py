from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter, redact, setup_logging


def test_redact_masks_personal_numbers_and_secrets() -> None:
    line = (
        "citizen 220102199003071234 phone 13812345678 card 6222021234567890123 "
        "access_token=abc.DEF-123 secret: s3cr3t"
    )
    out = redact(line)
    for leaked in (
        "220102199003071234",
        "13812345678",
        "6222021234567890123",
        "abc.DEF-123",
        "s3cr3t",
    ):
        assert leaked not in out
    assert "[身份证号]" in out and "[手机号]" in out and "[卡号]" in out


def test_redact_keeps_ordinary_numbers() -> None:
    assert (
        redact("publication 12 took 35 ms, 2026-12-01") == "publication 12 took 35 ms, 2026-12-01"
    )


def test_json_formatter_emits_one_redacted_object() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "sent to %s", ("13812345678",), None)
    record.account = "ccmz_wechat"
    data = json.loads(JsonFormatter().format(record))
    assert data["msg"] == "sent to [手机号]" and data["account"] == "ccmz_wechat"
    assert data["level"] == "INFO"


def test_alembic_announces_its_migrations_not_its_plugins() -> None:
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    try:
        setup_logging("INFO")
        assert not logging.getLogger("alembic.runtime.plugins").isEnabledFor(logging.INFO)
        assert logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], level = before
        root.setLevel(level)
