"""``draft mask``: apply the personal-data check's masking to a draft as a new revision.

The one-step action behind the gate's suggestion (张建国 → 张*国, the address cut to the
community). It is an edit like any other — the same :func:`review.queue.edit` path, so it is
audited as ``draft.edit``, keeps targets and schedule, and restarts review when the draft was
already under or past it — plus an audit line saying that it was the masking and how much
changed (never *what*: the audit log carries no personal data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import PlatformLimits
from review import drafts, queue
from review.checks.deid_masking import Masking, mask_fields
from review.checks.lexicons import default_lexicons
from review.models import Draft, Person, Revision, utcnow
from review.store import audit
from review.store import drafts as store


@dataclass(frozen=True)
class MaskOutcome:
    draft: Draft
    revision: Revision | None  # None: nothing to mask, no revision made
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)
    review_restarted: bool


async def mask_draft(
    session: AsyncSession,
    person: Person,
    draft_id: int,
    *,
    safe_domains: Mapping[str, str | None],
    limits: Mapping[str, PlatformLimits],
) -> MaskOutcome:
    """Mask the current revision's title, digest and body; save it as the next revision."""
    draft, rev = await drafts.load(session, draft_id)
    masked: dict[str, Masking] = mask_fields(
        {"title": rev.title, "digest": rev.digest, "body": rev.body},
        default_lexicons().personal,
    )
    changes = tuple((f, a, b) for f, m in masked.items() for a, b in m.changes)
    if not changes:
        return MaskOutcome(draft, None, (), False)

    def new(name: str, old: str) -> str:
        return masked[name].text if name in masked else old

    accounts = [a.key for a in await store.target_accounts(session, draft_id)]
    keep_at = rev.publish_at if rev.publish_at and rev.publish_at > utcnow() else None
    inp = drafts.DraftInput(
        title=new("title", rev.title),
        body=new("body", rev.body),
        accounts=accounts,
        kind=rev.kind,
        source=rev.source,
        author_name=rev.author_name,
        digest=new("digest", rev.digest),
        cover_path=rev.cover_path,
        publish_at=keep_at,
    )
    draft, new_rev, restarted = await queue.edit(
        session, person, draft_id, inp, safe_domains=safe_domains, limits=limits
    )
    await audit.append(
        session,
        actor=person.key,
        action="draft.mask",
        subject_type="draft",
        subject_id=draft.id,
        detail={"revision": new_rev.number, "from_revision": rev.number, "changes": len(changes)},
    )
    return MaskOutcome(draft, new_rev, changes, restarted)
