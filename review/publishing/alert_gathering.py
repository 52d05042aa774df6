"""Filing held publishing alerts under their account's episode; announcing new episodes once.

Run by the notification delivery tick just before it delivers (bot/chat/ticks.py), in one short
transaction: read the held facts and each account's latest episode, let the pure rule
(``alert_groups.group``) decide, then write. With two replicas running it at once, both derive
the same next episode number from the same stored episode, so the unique ``dedup_key`` keeps
one notification per account per episode; a fact is filed only while still held, so once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from review.db import SessionFactory
from review.models import Account
from review.publishing import alert_groups as rule
from review.store import publication_alerts as store

log = logging.getLogger("newmedia.notify")


@dataclass(frozen=True)
class Plan:
    """What the rule decided from one read: the groups, and the accounts they belong to."""

    groups: list[rule.Group]
    accounts: dict[int, Account]


async def plan(session: AsyncSession, now: datetime, policy: rule.Policy = rule.POLICY) -> Plan:
    """Read the held facts, each account's latest episode and its on-time posts; group them."""
    problems = await store.held(session)
    if not problems:
        return Plan([], {})
    ids = sorted({p.account_id for p in problems})
    latest = await store.latest_episodes(session, ids)
    since = min([*(e.last_at for e in latest.values()), *(p.at for p in problems)])
    clean = await store.clean_publishes(session, ids, max(since, now - policy.quiet * 2))
    groups = rule.group(problems, latest, clean, now, policy)
    return Plan(groups, await store.accounts(session, ids) if groups else {})


async def write(session: AsyncSession, decided: Plan, now: datetime) -> int:
    """Open each new episode (one row, whoever comes first) and file the facts; returns how
    many facts this call filed."""
    filed = 0
    for g in decided.groups:
        account = decided.accounts.get(g.account_id)
        if account is None:  # a fact without a known account: file it, say so
            log.warning("publishing alert(s) for unknown account %d", g.account_id)
            key = rule.episode_key(f"#{g.account_id}", g.seq)
        else:
            key = rule.episode_key(account.key, g.seq)
            if g.new:
                await store.open_episode(
                    session,
                    account=account,
                    seq=g.seq,
                    key=key,
                    text=rule.describe(g, account.name, account.key),
                    payload={
                        "account": account.key,
                        "publication_ids": [p.publication_id for p in g.problems],
                    },
                    at=now,
                )
        filed += await store.file_under(session, [p.note_id for p in g.problems], key)
    return filed


async def gather(sessions: SessionFactory, now: datetime, policy: rule.Policy = rule.POLICY) -> int:
    """Plan and write in one short transaction; returns how many facts were filed."""
    async with sessions.begin() as session:
        filed = await write(session, await plan(session, now, policy), now)
    if filed:
        log.info("filed %d publishing alert(s) under their episodes", filed)
    return filed
