"""Settling a publication the platform could not confirm (``needs_check``, or ``pending`` that
stays 平台处理中) — by a person.

After a crash the publisher asks the platform what became of a post; when the platform cannot
say, the row waits in ``needs_check`` and reviewers are told. A reviewer of the owner department
looks at the account and records the truth: it went out (with its link), it did not go out and
must not (failed), or it did not go out and may be sent again (retry). Every choice is audited.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from review.errors import Conflict, NotFound, ValidationFailed
from review.models import Publication, utcnow
from review.publishing import searched
from review.publishing.retraction import authorise
from review.states import PUBLICATION_LABELS
from review.states import PublicationStatus as P
from review.store import audit
from review.store import directory as dir_store
from review.store import publications as pub_store
from review.store import resolutions as store

OUTCOMES = {"published": P.PUBLISHED, "failed": P.FAILED, "retry": P.SCHEDULED}
#: 平台处理中 too (a demo restart, a platform that never answers): a person may record what the
#: account shows — but not retry, since a publish the platform accepted may still come out
SETTLEABLE = (P.NEEDS_CHECK, P.PENDING)


async def settle(
    session: AsyncSession,
    publication_id: int,
    person_key: str,
    outcome: str,
    *,
    note: str,
    remote_id: str | None = None,
    url: str | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> str:
    now = now or utcnow()
    target = OUTCOMES.get(outcome)
    if target is None:
        raise ValidationFailed(f"未知的核对结果「{outcome}」，可选：published、failed、retry")
    # what the row is comes first: a person told "write a longer note" about a row that needs no
    # check, or does not exist, fixes the wrong thing
    pub = await pub_store.get(session, publication_id)
    if pub is None:
        raise NotFound(f"发布记录 {publication_id} 不存在")
    account = await dir_store.account_by_id(session, pub.account_id)
    assert account is not None
    person = await authorise(session, person_key, account, doing="核对发布结果")
    if pub.status not in SETTLEABLE:
        label = PUBLICATION_LABELS.get(P(pub.status), pub.status)
        raise Conflict(f"发布记录 {publication_id} 当前为「{label}」，不需要人工核对")
    if pub.status == P.PENDING and target is not P.PUBLISHED:
        # the platform accepted the job: it may still go out, and a row marked failed would
        # never be looked at again while the post is live
        raise Conflict(
            f"发布记录 {publication_id} 平台已受理、仍在处理中，之后仍可能发出：系统会继续自动查询"
            "平台结果。只有在平台后台看到已发出时才能人工核对（记为 published，附链接或平台编号）"
        )
    if len(note.strip()) < 4:
        raise ValidationFailed(
            "请写明核对依据，至少 4 个字（例如在公众号后台看到/未看到该文章）", field="note"
        )
    if target is P.PUBLISHED and not (remote_id or url):
        raise ValidationFailed("已发布须填写平台编号或文章链接", field="url")
    if url and urlsplit(url).scheme not in ("http", "https"):  # shown as a link to staff
        raise ValidationFailed("文章链接须以 http:// 或 https:// 开头", field="url")
    warning = retry_warning(pub, target, force=force)
    if not await store.settle(
        session,
        publication_id,
        target,
        P(pub.status),
        now=now,
        remote_id=remote_id,
        url=url,
        note=note,
    ):
        raise Conflict(f"发布记录 {publication_id} 已被他人处理，请刷新后查看")
    await audit.append(
        session,
        actor=person.key,
        action="publication.settle",
        subject_type="publication",
        subject_id=publication_id,
        detail={"outcome": outcome, "remote_id": remote_id, "url": url, "note": note}
        | ({"confirmed_warning": warning} if warning else {}),
    )
    label = PUBLICATION_LABELS[target]
    return f"{warning}发布记录 {publication_id} 已核对为「{label}」（{account.name}）。"


def retry_warning(pub: Publication, target: P, *, force: bool) -> str:
    """Sending again after a search that stopped short of the send time may publish twice:
    refused unless the person confirms (``force``, ``--force`` on the CLI), and the
    confirmation then starts with the warning. Empty for any other case."""
    warning = searched.incomplete_warning(pub.receipt_extra) if target is P.SCHEDULED else None
    if not warning:
        return ""
    if not force:
        raise Conflict(f"{warning}如已在平台后台确认未发出，请确认后重发（命令行加 --force）。")
    return warning
