"""The lease rule (pure): free, mine, or run out — and nothing else — may be taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from review.leases import LEASE_PERIODS, Lease, lease_length, may_take, taken, token_lease

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def held_by(holder: str, seconds_left: float) -> Lease:
    return Lease("token:ccmz_wechat", holder, NOW + timedelta(seconds=seconds_left))


def test_a_free_lease_is_taken() -> None:
    assert may_take(None, "a", NOW)


def test_another_holders_running_lease_is_refused() -> None:
    assert not may_take(held_by("b", 1), "a", NOW)
    assert not may_take(held_by("b", 0), "a", NOW)  # runs out *after* its expiry instant


def test_a_lease_that_ran_out_is_taken_over() -> None:
    assert may_take(held_by("b", -0.001), "a", NOW)


def test_the_holder_renews_its_own_lease_running_or_not() -> None:
    assert may_take(held_by("a", 100), "a", NOW)
    assert may_take(held_by("a", -100), "a", NOW)


def test_a_lease_outlives_several_renewal_periods() -> None:
    assert LEASE_PERIODS >= 2  # a holder late by one round keeps it
    assert lease_length(60) == timedelta(seconds=60 * LEASE_PERIODS)
    lease = taken("token:x", "a", NOW, 60)
    assert lease == Lease("token:x", "a", NOW + timedelta(seconds=60 * LEASE_PERIODS))
    # one period later, someone else is still refused; after the length, it is theirs
    assert not may_take(lease, "b", NOW + timedelta(seconds=60))
    assert may_take(lease, "b", lease.expires_at + timedelta(microseconds=1))


def test_token_lease_names_the_account() -> None:
    assert token_lease("ccmz_wechat") == "token:ccmz_wechat"
