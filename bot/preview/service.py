"""Previews from the database: a task's or a token's revision, drawn, with the gate's findings
and the changes since the revision the viewer saw last (recorded as seen in the same breath).

Each call is one short transaction the caller opens; nothing here calls a platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.platforms.media import media_policy
from bot.platforms.registry import post_options, sandbox_loader
from bot.preview import links
from bot.preview.diff import Diff, compare
from bot.preview.render import Preview, Source, draw, findings, media_sources, post_of
from bot.services import Services
from review.errors import NotFound
from review.media_files import publish_loader
from review.media_renditions import ARTICLE_IMAGE, THUMB
from review.models import Account, ReviewTask, Revision
from review.store import drafts as drstore
from review.store import revision_views as views


@dataclass(frozen=True)
class Shown:
    """A preview as a reviewer receives it: drawn, judged by the gate, compared, linked."""

    preview: Preview
    findings: tuple[str, ...]
    diff: Diff | None
    url: str
    token: str
    #: the gate has judged this revision (false: saved, not yet checked — say so, never 无问题)
    checked: bool = True


class Previews:
    """Built per use from the one ``Services``: the link key, each account's post options and
    the publisher's image loaders (the media folder only; a sandbox account's generated cover)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        settings = services.settings
        self.key = links.link_key(settings.secret_key)
        self.public_url = settings.file.service.public_url
        self.options = post_options(settings)
        # the renditions the platform receives (a JPG thumb ≤ 64 KB, article images within
        # uploadimg's limits): a reviewer's phone loads what readers will see, not the original
        policy = media_policy(settings)
        self._files = publish_loader(policy, profile=ARTICLE_IMAGE)
        self._covers = publish_loader(policy, profile=THUMB)
        self._sandbox_covers = sandbox_loader(self._covers, profile=THUMB)

    def token(self, revision_id: int, platform: str, viewer_id: int) -> str:
        return links.sign(self.key, revision_id, platform, viewer_id, self.services.clock())

    def source(self, revision: Revision, account: Account) -> Source:
        opts = self.options.get(account.key)
        return Source(
            revision_id=revision.id,
            draft_id=revision.draft_id,
            number=revision.number,
            title=revision.title,
            body=revision.body,
            kind=revision.kind,
            author=revision.author_name,
            digest=revision.digest,
            source=revision.source,
            cover_path=revision.cover_path,
            account_id=account.id,
            account_key=account.key,
            account_name=account.name,
            platform=account.platform,
            link_url=opts.link_url if opts else None,
            default_cover=opts.default_cover if opts else None,
        )

    async def show(
        self,
        s: AsyncSession,
        revision: Revision,
        account: Account,
        viewer_id: int,
        token: str = "",
    ) -> Shown:
        """Draw ``revision`` for ``account``; with a viewer (id > 0), compare it with the one
        they saw last and record this one as seen. ``token``: the link being opened."""
        token = token or self.token(revision.id, account.platform, viewer_id)
        url = links.preview_url(self.public_url, token)
        channel = self.services.channels.get(account.key)
        preview = draw(self.source(revision, account), f"/preview/{token}/media", channel)
        run = await drstore.latest_gate_run(s, revision.id)
        diff = None
        if viewer_id > 0:
            old = await views.last_seen(s, viewer_id, revision)
            if old is not None:
                diff = compare(
                    old.number, old.title, old.body, revision.number, revision.title, revision.body
                )
            await views.record(s, viewer_id, revision)
        said = findings(run.report if run else None)
        return Shown(preview, said, diff, url, token, checked=run is not None)

    async def for_draft(self, s: AsyncSession, revision: Revision, viewer_id: int) -> list[Shown]:
        """Every target account's preview of ``revision`` (the console's draft pages)."""
        accounts = await drstore.target_accounts(s, revision.draft_id)
        return [await self.show(s, revision, account, viewer_id) for account in accounts]

    async def for_task(self, s: AsyncSession, task_id: int, viewer_id: int) -> Shown:
        task = await s.get(ReviewTask, task_id)
        if task is None:
            raise NotFound(f"任务 {task_id} 不存在")
        revision = await drstore.revision_by_id(s, task.revision_id)
        account = await s.get(Account, task.account_id)
        if revision is None or account is None:
            raise NotFound(f"任务 {task_id} 的稿件版本不存在")
        return await self.show(s, revision, account, viewer_id)

    async def for_grant(self, s: AsyncSession, grant: links.Grant) -> tuple[Revision, Account]:
        revision = await drstore.revision_by_id(s, grant.revision_id)
        account = None
        if revision is not None:
            account = await views.target_of(s, revision.draft_id, grant.platform)
        if revision is None or account is None:
            raise links.LinkRefused("这条预览对应的稿件已不存在。", expired=True)
        return revision, account

    def verify(self, token: str) -> links.Grant:
        return links.verify(self.key, token, self.services.clock())

    async def image(self, revision: Revision, account: Account, index: int) -> tuple[bytes, str]:
        """Image ``index`` of the preview (cover first), read only from the media folder
        through the publisher's own loader; ``IndexError`` for an index the draft lacks."""
        post = post_of(self.source(revision, account))
        sources = media_sources(post)
        if not 0 <= index < len(sources):
            raise IndexError(index)
        sandbox = getattr(self.services.settings.accounts.get(account.key), "sandbox", False)
        load = self._files
        if index == 0 and post.cover_path:
            load = self._sandbox_covers if sandbox else self._covers
        _name, content, content_type = await load(sources[index])
        return content, content_type
