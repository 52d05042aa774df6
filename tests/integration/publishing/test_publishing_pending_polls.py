"""Polling a post the platform is still processing: each row less and less often, and a row whose
polls fail is logged when it starts failing and when it answers again, not at every tick."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from publishing_support import FakeChannel, seed
from sqlalchemy import select, update

from channels.base import Post, Receipt, ReceiptState, Rejected
from review.db import SessionFactory
from review.models import Publication, utcnow
from review.publishing.config import PublishingConfig
from review.publishing.poll_backoff import POLL_FAILED
from review.publishing.publisher import Publisher
from review.publishing.reconciliation import PENDING_GIVE_UP, poll_pending
from review.states import PublicationStatus as P

pytestmark = pytest.mark.pg


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Platform(FakeChannel):
    """Answers the status query with the scripted answers in order (an exception is raised)."""

    answers: list[Receipt | Exception] = field(default_factory=list)

    async def check(self, post: Post, receipt: Receipt | None) -> Receipt:
        self.checks += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


LOST = Rejected("微信拒绝请求：invalid publish_id（freepublish/get）", code=40097)
STILL = Receipt(ReceiptState.PENDING, remote_id="p1", extra={"publish_id": "p1"})
LIVE = Receipt(ReceiptState.PUBLISHED, remote_id="a1", url="https://mp/s/a1")


async def pending_row(sf: SessionFactory, since: datetime) -> int:
    pub_id = (await seed(sf, 1)).publication_ids[0]
    async with sf.begin() as s:
        await s.execute(
            update(Publication)
            .where(Publication.id == pub_id)
            .values(status=P.PENDING, receipt_extra={"publish_id": "p1"}, updated_at=since)
        )
    return pub_id


async def row(sf: SessionFactory) -> Publication:
    async with sf() as s:
        return (await s.scalars(select(Publication))).one()


def poll_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "newmedia.publisher" and "poll of publication" in r.getMessage()
    ]


async def test_a_failing_row_backs_off_and_is_logged_twice(
    sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    start = clock.now
    await pending_row(sf, start)
    platform = Platform("ccmz_wechat", answers=[LOST, LOST, LOST, LIVE])
    publisher = Publisher(sf, {"ccmz_wechat": platform}, PublishingConfig(), clock=clock)
    caplog.set_level(logging.INFO, logger="newmedia.publisher")

    clock.now = start + timedelta(seconds=1)
    assert await poll_pending(publisher) == 0  # asked: fails → next in 2 s (the first interval)
    failing = await row(sf)
    assert failing.last_error is not None and failing.last_error.startswith(POLL_FAILED)
    assert failing.updated_at == start  # still pending since then: the give-up clock holds
    assert await poll_pending(publisher) == 0  # at the same tick: not asked again
    clock.now = start + timedelta(seconds=3)
    assert await poll_pending(publisher) == 0  # asked, fails again → waited 3 s, next at 6 s
    for second in (4, 5):
        clock.now = start + timedelta(seconds=second)
        assert await poll_pending(publisher) == 0
    assert platform.checks == 2
    clock.now = start + timedelta(seconds=6)
    await poll_pending(publisher)  # fails a third time → next at 12 s
    clock.now = start + timedelta(seconds=12)
    assert await poll_pending(publisher) == 1  # answers: published
    assert platform.checks == 4
    assert (await row(sf)).status == "published"
    lines = poll_lines(caplog)
    assert len(lines) == 2, lines
    assert "starts failing" in lines[0] and "answers again" in lines[1]
    assert all(r.levelno == logging.WARNING for r in caplog.records if "poll of" in r.message)


async def test_a_row_still_processing_is_asked_less_often_up_to_the_cap(
    sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    start = clock.now
    await pending_row(sf, start)
    platform = Platform("ccmz_wechat", answers=[STILL] * 100)
    publisher = Publisher(sf, {"ccmz_wechat": platform}, PublishingConfig(), clock=clock)
    asked_at: list[int] = []
    for second in range(0, 1200, 2):  # a tick every 2 s for 20 minutes
        clock.now = start + timedelta(seconds=second)
        before = platform.checks
        await poll_pending(publisher)
        if platform.checks > before:
            asked_at.append(second)
    gaps = [b - a for a, b in itertools.pairwise(asked_at)]
    assert asked_at[:5] == [0, 2, 4, 8, 16]
    assert max(gaps) == 300 and gaps[-1] == 300  # the cap: five minutes
    assert len(asked_at) < 15  # instead of 600 asks
    assert poll_lines(caplog) == []  # a row that answers "still publishing" is not news


async def test_a_row_failing_past_the_give_up_goes_to_a_person_once(
    sf: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    start = clock.now
    await pending_row(sf, start)
    platform = Platform("ccmz_wechat", answers=[LOST, LOST])
    publisher = Publisher(sf, {"ccmz_wechat": platform}, PublishingConfig(), clock=clock)
    clock.now = start + timedelta(seconds=1)
    await poll_pending(publisher)
    clock.now = start + PENDING_GIVE_UP + timedelta(seconds=1)
    await poll_pending(publisher)
    settled = await row(sf)
    assert settled.status == "needs_check"
    assert "长时间无法查询发布结果" in (settled.last_error or "")
    lines = poll_lines(caplog)
    assert len(lines) == 2 and "given up" in lines[1], lines
