"""What is read at scrape time: the database snapshot (database.py), the ticks' lag and last
success (bot/jobs.py), the connection pool, and which process answered.

A ``prometheus_client`` collector is synchronous: the route refreshes the snapshot first (an
await), then the collector only reads what is already in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from aiohttp import web
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool

from bot import keys
from bot.metrics.database import CachedSnapshot
from bot.workers import worker_of


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


class ServiceCollector(Collector):
    def __init__(self, app: web.Application, snapshot: CachedSnapshot) -> None:
        self._app = app
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        yield from self._process()
        yield from self._database()
        yield from self._ticks()
        yield from self._pool()

    def _process(self) -> Iterator[Metric]:
        worker = worker_of(self._app)
        info = _gauge("newmedia_worker", "The process that answered this scrape", ["role", "pid"])
        info.add_metric([worker.role, str(os.getpid())], 1)
        yield info

    def _database(self) -> Iterator[Metric]:
        snap = self._snapshot.current
        up = _gauge("newmedia_database_up", "1 when the database gauges below were read")
        up.add_metric([], 1 if snap.ok else 0)
        yield up
        if not snap.ok:
            return
        pubs = _gauge(
            "newmedia_publications",
            "Publications by channel (account) and status",
            ["channel", "status"],
        )
        # a gauge, not a counter: the sum over the rows can drop (a claim handed back before
        # its call takes its attempt back: review/store/publications.py ``release``)
        attempts = _gauge(
            "newmedia_publication_attempts",
            "Attempts recorded on the publications in the database, by channel (all replicas)",
            ["channel"],
        )
        by_channel: dict[str, int] = {}
        for (channel, status), (count, tries) in sorted(snap.publications.items()):
            pubs.add_metric([channel, status], count)
            by_channel[channel] = by_channel.get(channel, 0) + tries
        for channel, tries in sorted(by_channel.items()):
            attempts.add_metric([channel], tries)
        yield pubs
        yield attempts
        drafts = _gauge(
            "newmedia_drafts_awaiting_review", "Drafts submitted or in review", ["status"]
        )
        for status, count in sorted(snap.drafts.items()):
            drafts.add_metric([status], count)
        yield drafts
        notes = _gauge(
            "newmedia_notifications_undelivered",
            "Staff notifications not delivered yet",
            ["status"],
        )
        for status, count in sorted(snap.notifications.items()):
            notes.add_metric([status], count)
        yield notes
        overdue = _gauge(
            "newmedia_citizen_messages_overdue", "Open citizens' messages past their deadline"
        )
        overdue.add_metric([], snap.overdue_messages)
        yield overdue
        closing = _gauge(
            "newmedia_reply_windows_closing",
            "Open citizens' messages whose reply window closes within [metrics] window_closing_hours",
        )
        closing.add_metric([], snap.windows_closing)
        yield closing
        took = _gauge("newmedia_database_gauges_read_seconds", "How long the last read took")
        took.add_metric([], snap.read_seconds)
        yield took

    def _ticks(self) -> Iterator[Metric]:
        jobs = self._app.get(keys.JOBS)
        if jobs is None:  # a secondary worker, or ticks off: it runs none
            return
        every = _gauge("newmedia_tick_interval_seconds", "How often each tick runs", ["tick"])
        lag = _gauge(
            "newmedia_tick_start_lag_seconds",
            "How late the tick's last run started against its schedule",
            ["tick"],
        )
        ok = _gauge(
            "newmedia_tick_last_success_timestamp_seconds",
            "When the tick last finished without an error (Unix time)",
            ["tick"],
        )
        failing = _gauge("newmedia_tick_failing", "1 when the tick's last run failed", ["tick"])
        for spec in jobs.ticks:
            every.add_metric([spec.name], spec.seconds)
            if spec.name in jobs.start_lag:
                lag.add_metric([spec.name], jobs.start_lag[spec.name])
            if spec.name in jobs.last_ok:
                ok.add_metric([spec.name], jobs.last_ok[spec.name].timestamp())
            failing.add_metric([spec.name], 1 if spec.name in jobs.last_error else 0)
        yield from (every, lag, ok, failing)

    def _pool(self) -> Iterator[Metric]:
        engine = self._app.get(keys.ENGINE)
        pool = engine.sync_engine.pool if engine is not None else None
        if not isinstance(pool, QueuePool):  # in-memory SQLite: no pool to speak of
            return
        for name, doc, value in (
            ("newmedia_db_pool_size", "Connections the pool keeps", pool.size()),
            ("newmedia_db_pool_checked_out", "Connections in use now", pool.checkedout()),
            (
                "newmedia_db_pool_overflow",
                "Connections open beyond the size",
                max(0, pool.overflow()),
            ),
        ):
            g = _gauge(name, doc)
            g.add_metric([], value)
            yield g
