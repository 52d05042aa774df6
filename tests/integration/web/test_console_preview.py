"""The console shows each platform's preview of a draft: on the draft page and on a page of its
own, the WeChat article (cover, images, body) and the Weibo status, and only for readers."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from console_support import sign_in
from queue_support import fake_gate
from sqlalchemy import select

from review import drafts, queue
from review.db import SessionFactory
from review.models import RevisionView
from review.store import directory

TITLE = "养老服务补贴申领指南"
BODY = (
    "市民政局发布养老服务补贴申领流程。\n\n![申领窗口](cover_ccmz.png)\n\n请携带身份证明材料办理。"
)


async def submitted(sf: SessionFactory) -> int:
    async with sf.begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        assert editor is not None
        inp = drafts.DraftInput(TITLE, BODY, ["ccmz_wechat", "ccmz_weibo"], kind="工作动态")
        draft_id = (await drafts.create(s, editor, inp))[0].id
        await queue.submit(s, draft_id, editor, gate=fake_gate(warn={"wording": "疑似错敏词"}))
    return draft_id


async def test_draft_page_shows_every_platforms_preview(
    app_client: TestClient, sf: SessionFactory
) -> None:
    draft_id = await submitted(sf)
    await sign_in(app_client, sf, "li_na")
    page = await (await app_client.get(f"/console/drafts/{draft_id}")).text()
    assert f'href="/console/drafts/{draft_id}/preview"' in page
    # the draft page itself shows the article as WeChat renders it and the Weibo status
    assert '<article class="pv-wechat">' in page and 'alt="申领窗口"' in page
    assert 'style="margin:0 0 1em;line-height:1.75' in page and 'class="pv-link">https://' in page
    r = await app_client.get(f"/console/drafts/{draft_id}/preview")
    html = await r.text()
    assert r.status == 200, html
    assert "微信公众号 · 长春民政" in html and "微博 · 长春民政" in html
    assert "请携带身份证明材料办理。" in html and 'alt="申领窗口"' in html
    assert 'alt="封面"' in html and "提示：疑似错敏词" in html
    link = html.split('class="pv-link">', 1)[1].split("<", 1)[0]  # the Weibo post's link
    assert link.startswith("https://mzj.changchun.gov.cn/") and f"p=p{draft_id}a" in link
    cover = html.split('class="pv-cover" src="', 1)[1].split('"', 1)[0]
    image = await app_client.get(cover)  # the page's own images, signed like the chat link
    assert image.status == 200 and image.content_type == "image/jpeg"  # WeChat's thumb
    async with sf() as s:  # the console reader is recorded as having seen this revision
        assert len((await s.scalars(select(RevisionView))).all()) == 1


async def test_preview_of_a_draft_one_may_not_read_is_missing(
    app_client: TestClient, sf: SessionFactory
) -> None:
    draft_id = await submitted(sf)
    await sign_in(app_client, sf, "wu_fang")  # an editor of another department
    r = await app_client.get(f"/console/drafts/{draft_id}/preview")
    assert r.status == 404 and TITLE not in await r.text()


async def test_preview_needs_a_console_sign_in(app_client: TestClient, sf: SessionFactory) -> None:
    draft_id = await submitted(sf)
    r = await app_client.get(f"/console/drafts/{draft_id}/preview", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/console/login"
