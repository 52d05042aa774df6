"""Plain-dict views of domain rows for the JSON API, the CLI and the console."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from review.models import Draft, Revision
from review.states import PUBLICATION_LABELS, DraftStatus, PublicationStatus, draft_state
from review.store import directory
from review.store import drafts as store
from review.store.scheduling import publications_of
from review.timefmt import fmt


async def draft_view(
    session: AsyncSession, draft: Draft, rev: Revision | None = None, *, full: bool = False
) -> dict[str, Any]:
    rev = rev or await store.current_revision(session, draft)
    author = await directory.person_by_id(session, draft.author_id)
    accounts = await store.target_accounts(session, draft.id)
    gate = await store.latest_gate_run(session, rev.id)
    pubs = await publications_of(session, draft.id)
    state, state_label = draft_state(
        DraftStatus(draft.status), (PublicationStatus(p.status) for p in pubs)
    )
    view: dict[str, Any] = {
        "id": draft.id,
        "status": draft.status,
        # what staff read: a scheduled draft's label follows its publications (已发布, 已撤回 …)
        "state": state,
        "status_label": state_label,
        "revision": rev.number,
        "title": rev.title,
        "kind": rev.kind,
        "disclosure": rev.disclosure,
        "interprets": rev.interprets_draft_id,
        "source": rev.source,
        "accounts": [a.key for a in accounts],
        "account_names": [
            f"{a.name}（{'微信' if a.platform == 'wechat' else '微博'}）" for a in accounts
        ],
        "publish_at": rev.publish_at.isoformat() if rev.publish_at else None,
        "publish_at_local": fmt(rev.publish_at) if rev.publish_at else "按账号发布时段",
        "author": author.key if author else None,
        "author_name": author.name if author else None,
        "content_hash": rev.content_hash,
        "gate": gate.verdict if gate else None,
        "created_at": draft.created_at.isoformat(),
        "updated_at": draft.updated_at.isoformat(),
    }
    if full:
        view["body"] = rev.body
        view["digest"] = rev.digest
        view["author_line"] = rev.author_name
        view["cover_path"] = rev.cover_path
        view["gate_report"] = gate.report if gate else None
        names = {a.id: a.name for a in accounts}
        view["publications"] = [
            {
                "id": p.id,
                "account": names.get(p.account_id, str(p.account_id)),
                "status": p.status,
                "status_label": PUBLICATION_LABELS[PublicationStatus(p.status)],
                "due_at": p.due_at.isoformat(),
                "due_local": fmt(p.due_at),
            }
            for p in pubs
        ]
        view["revisions"] = [
            {
                "number": r.number,
                "title": r.title,
                "content_hash": r.content_hash,
                "created_at": r.created_at.isoformat(),
            }
            for r in await store.revisions(session, draft.id)
        ]
    return view
