"""The process's counters: one ``prometheus_client`` registry per application.

The callback fast path counts with one dictionary lookup and one ``inc()`` on a cached child:
no label formatting, no await, no database. Every counter carries ``worker`` (role and pid):
under ``serve --workers N`` each process keeps its own, and a scrape sees the one the kernel
handed the connection to (docs/metrics.md).
"""

from __future__ import annotations

import os
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from bot.workers import worker_of

#: what a platform callback came to (the ``result`` label)
CALLBACK_RESULTS = (
    "accepted",  # a new message stored (or a staff command run)
    "duplicate",  # a retry or concurrent copy of a stored message: same answer, stored once
    "forged",  # bad signature
    "malformed",  # not parseable, over-long identifiers
    "stale",  # timestamp outside the window
    "replay",  # a nonce reused for another body
    "too_large",
    "unknown",  # no such account or app
    "unavailable",  # 503: starting, or the grouped commit failed (the platform retries)
    "ignored",  # nothing to answer (a WeCom event)
)

#: a refused callback's ``CallbackError.kind`` → its result
REFUSED = {
    "forbidden": "forged",
    "bad_request": "malformed",
    "too_large": "too_large",
    "stale": "stale",
    "replay": "replay",
}


class Metrics:
    """The registry and the counters the service increments."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.registry = CollectorRegistry()
        self.callbacks = Counter(
            "newmedia_callbacks",
            "Platform callbacks (POST) by platform and result",
            ["worker", "platform", "result"],
            registry=self.registry,
        )
        self.publish_outcomes = Counter(
            "newmedia_publish_outcomes",
            "Publication outcomes recorded by this process, by channel (account) and outcome",
            ["worker", "channel", "outcome"],
            registry=self.registry,
        )
        self._children: dict[tuple[str, str], Any] = {}

    def callback(self, platform: str, result: str) -> None:
        """One callback answered: a cached child, so the fast path formats nothing."""
        child = self._children.get((platform, result))
        if child is None:
            child = self._children[(platform, result)] = self.callbacks.labels(
                self.worker, platform, result
            )
        child.inc()

    def publish_outcome(self, channel: str, outcome: str) -> None:
        self.publish_outcomes.labels(self.worker, channel, outcome).inc()


METRICS = web.AppKey("metrics", Metrics)


def install(app: web.Application) -> Metrics:
    """This application's metrics, made on first use (each area's ``setup`` may ask first)."""
    found = app.get(METRICS)
    if found is None:
        found = app[METRICS] = Metrics(f"{worker_of(app).role}-{os.getpid()}")
    return found
