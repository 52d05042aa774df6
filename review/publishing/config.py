"""What the publishing engine is told by whoever runs it: plain frozen values, no settings types.

The service translates its validated settings into these (bot/publishing/wiring.py); tests and
the benchmark build them directly. The defaults are the service's defaults, but for
``prepare_ahead_seconds`` (0 here: an engine built directly publishes only what is due).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishingConfig:
    """How hard the engine works and how long it holds a claimed row."""

    #: a ceiling on the rows one claim takes: of the rows already due only the free call slots
    #: (``concurrency_per_account`` × accounts with a channel, refilled when half are free);
    #: of the rows not yet due (``prepare_ahead_seconds``) up to this many more
    batch_size: int = 200
    #: platform calls running at once for one account
    concurrency_per_account: int = 8
    #: how long a claim lasts without a heartbeat before a reconciler may take the row over
    lease_seconds: float = 120
    #: rows due within this many seconds are claimed and prepared (private steps) now; their
    #: public call waits for the due time (engine.py ``_until_due``). 0: only rows already due
    prepare_ahead_seconds: float = 0.0
    #: rows held at most while rows not yet due are claimed (prepared, waiting for their due
    #: time without a call slot, or being sent)
    prepare_ahead_rows: int = 1000
    max_attempts: int = 5
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 1800.0


@dataclass(frozen=True)
class PostOptions:
    """Per-account choices the settings make about every post."""

    push_to_followers: bool = False
    link_url: str | None = None
    default_cover: str | None = None
