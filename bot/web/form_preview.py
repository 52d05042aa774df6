"""The edit form's 「预览」: the text as typed, not yet saved, drawn for each target platform by
the same renderers as the chat's and the draft page's previews (``bot.preview``), and judged by
the same gate as a submission (``review.submission.gate_input`` + ``run_gate``), so the editor
sees the findings beside the text before saving. Nothing is stored and nothing is recorded as
seen. Images are served only for a saved revision (the preview route's rule: by index of a
stored revision, never by a path a request names): when the form names other images than the
saved revision, they show once saved, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.ext.asyncio import AsyncSession

from bot.preview import links
from bot.preview.render import draw, media_sources, post_of
from bot.preview.render import findings as gate_findings
from bot.preview.service import Previews, Shown
from bot.services import Services
from bot.web import console_forms
from bot.web.api_common import services
from bot.web.auth import csrf_token, flash
from bot.web.console_forms import form_cover
from review import drafts
from review.checks import run_gate
from review.checks.labels import Finding, findings, verdict_label
from review.drafts import KINDS, DraftInput
from review.errors import DomainError, ValidationFailed
from review.models import Account, Person, Revision
from review.store import directory
from review.submission import gate_input
from review.timefmt import fmt, parse_local

#: an image the unsaved form names: not served (see the module's docstring)
NO_IMAGE = "about:blank"


@dataclass(frozen=True)
class FormPreview:
    shown: list[Shown]
    findings: list[Finding]
    verdict: str
    #: the form names images the saved revision does not have: they appear once saved
    images_later: bool


def _unsaved(inp: DraftInput, saved: Revision | None, draft_id: int) -> Revision:
    """A revision object that is never added to a session: what the form would save."""
    return Revision(
        id=saved.id if saved else 0,
        draft_id=draft_id,
        number=(saved.number + 1) if saved else 1,
        title=inp.title.strip(),
        body=inp.body,
        kind=inp.kind,
        source=inp.source,
        author_name=saved.author_name if saved else inp.author_name,
        digest=saved.digest if saved else inp.digest,
        cover_path=inp.cover_path,
        publish_at=inp.publish_at,
        disclosure=inp.disclosure or (saved.disclosure if saved else None),
    )


async def preview_form(
    svc: Services,
    session: AsyncSession,
    inp: DraftInput,
    accounts: list[Account],
    viewer_id: int,
    *,
    saved: Revision | None = None,
    draft_id: int = 0,
) -> FormPreview:
    previews = Previews(svc)
    revision = _unsaved(inp, saved, draft_id)
    report = run_gate(
        gate_input(revision, accounts, svc.safe_domains), limits=svc.platform_limits
    ).to_json()
    said = gate_findings(report)  # the lines the chat's preview shows with each platform
    shown: list[Shown] = []
    later = False
    for account in accounts:
        src = previews.source(revision, account)
        same = saved is not None and media_sources(post_of(src)) == media_sources(
            post_of(previews.source(saved, account))
        )
        token = previews.token(saved.id, account.platform, viewer_id) if same and saved else ""
        later = later or (not same and bool(media_sources(post_of(src))))
        media_url = f"/preview/{token}/media" if token else NO_IMAGE
        preview = draw(src, media_url, svc.channels.get(account.key))
        url = links.preview_url(previews.public_url, token) if token else ""
        shown.append(Shown(preview, said, None, url, token))
    return FormPreview(shown, findings(report), str(report["verdict"]), later)


def form_input(form: MultiDictProxy[str], accounts: list[str], cover: str | None) -> DraftInput:
    """What a draft form typed, as the domain takes it (create, edit, 「预览」)."""
    when = str(form.get("publish_at") or "").strip()
    return DraftInput(
        title=str(form.get("title", "")),
        body=str(form.get("body", "")),
        accounts=accounts,
        kind=str(form.get("kind") or "工作动态"),
        disclosure=str(form.get("disclosure") or "") or None,  # absent: the draft's is kept
        source=str(form.get("source") or "") or None,
        cover_path=cover,
        publish_at=parse_local(when.replace("T", " ")) if when else None,
        # the form shows the current time: emptied, it is dropped; absent, it is kept
        clear_schedule="publish_at" in form and not when,
    )


async def preview_new(request: web.Request, session: AsyncSession, person: Person) -> web.Response:
    """The new-draft form's 「预览」 (``console.create_draft`` hands it over): as for an edit,
    for the accounts ticked."""
    svc = services(request)
    posted = await console_forms.posted(request)
    fields = dict(posted.fields)
    chosen = [str(v) for v in posted.fields.getall("accounts", [])]
    everyone = await directory.all_accounts(session)
    targets = [a for a in everyone if a.key in chosen]
    ctx: dict[str, Any] = {"accounts": everyone, "kinds": KINDS, "chosen": chosen}
    ctx["disclosures"] = drafts.DISCLOSURES
    try:
        cover = await form_cover(svc, posted)
        if posted.upload and cover:
            fields["cover"] = cover
        inp = await svc.prepare_draft(form_input(posted.fields, chosen, cover))
        if not targets:
            raise ValidationFailed("请至少选择一个发布账号再预览", field="accounts")
    except (DomainError, ValueError) as exc:
        ctx["error"] = exc.message if isinstance(exc, DomainError) else str(exc)
    else:
        shown = await preview_form(svc, session, inp, targets, person.id)
        ctx.update(preview=shown, previews=shown.shown, findings=shown.findings)
        ctx.update(gate_verdict=shown.verdict)
    ctx.update(form=fields, me=person, csrf=await csrf_token(request), fmt=fmt)
    ctx.update(flash=flash(request), verdict_label=verdict_label, maskable=False)
    return aiohttp_jinja2.render_template("console_draft_new.html", request, ctx)
