"""``Publisher``: the publishing engine (engine.py) over the database — claims in claiming.py,
sending marks and outcomes in recording.py, all as one named ``worker``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime

from channels.base import Channel
from review.db import SessionFactory
from review.models import utcnow
from review.publishing.claiming import Claim, DbClaims
from review.publishing.config import PostOptions, PublishingConfig
from review.publishing.engine import Engine, worker_name
from review.publishing.recording import Recorder
from review.publishing.seams import CallHook, Timer
from review.store import publications as store


class Publisher(Engine):
    """The engine over the database, claiming and recording as ``worker``. Reconciliation
    (reconciliation.py) takes a ``Publisher``: it queries the same database as the same worker."""

    recorder: Recorder
    claims: DbClaims

    def __init__(
        self,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        config: PublishingConfig,
        *,
        options: Mapping[str, PostOptions] | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        claim: Claim = store.claim_due,
        after_call: CallHook | None = None,
        before_call: CallHook | None = None,
        sleep: Timer = asyncio.sleep,
    ) -> None:
        self.sessions = sessions
        self.worker = worker or worker_name()
        recorder = Recorder(sessions, self.worker, clock)
        claims = DbClaims(
            sessions,
            recorder,
            worker=self.worker,
            clock=clock,
            lease_seconds=config.lease_seconds,
            channels=channels,
            claim=claim,
        )
        super().__init__(
            channels,
            config,
            claims,
            recorder,
            dict(options or {}),
            clock,
            after_call,
            before_call,
            sleep,
        )

    async def hand_back_expired(self) -> int:
        """Rows whose lease ran out before any call started go back to ``scheduled`` (every
        worker's, no person involved); run before ``reconcile_expired``, which takes the rest."""
        return await self.claims.hand_back_expired()
