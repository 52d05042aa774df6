"""Reviewers see what they approve: chat 查看 → the signed preview link → the rendered article,
the WeCom card carrying the same, 待审 naming the platform, and the changes after 退回.

Everything goes through the real path: the reviewer's phone posts to /wecom/review_app, the
link is opened with a plain GET (no console sign-in), the card is what the WeCom sandbox got.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from chat_support import Service, say
from queue_support import fake_gate
from sqlalchemy import select

from bot.chat.ticks import deliver_notifications
from bot.preview import links
from review import drafts, queue
from review.models import ReviewTask, RevisionView, utcnow
from review.store import directory

TITLE = "冬季困难群众救助工作安排"
BODY = (
    "市民政局部署冬季困难群众救助工作。各区要全面排查低保对象和特困人员。\n\n"
    "![走访现场](cover_ccmz.png)\n\n"
    "对生活困难的家庭及时给予临时救助，确保温暖过冬。"
)
ADDED = "同时开通24小时救助热线，方便群众求助。"


async def submit_both(service: Service) -> int:
    """A draft for the bureau's WeChat and Weibo accounts, in review with one warning."""
    async with service.sf.begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        assert editor is not None
        inp = drafts.DraftInput(TITLE, BODY, ["ccmz_wechat", "ccmz_weibo"], kind="工作动态")
        draft_id = (await drafts.create(s, editor, inp))[0].id
        await queue.submit(
            s, draft_id, editor, gate=fake_gate(warn={"wording": "疑似错敏词「某某」"})
        )
    return draft_id


async def open_tasks(service: Service, draft_id: int) -> dict[str, int]:
    """Platform → the draft's open task for it."""
    async with service.sf() as s:
        rows = (
            await s.scalars(
                select(ReviewTask)
                .where(ReviewTask.draft_id == draft_id, ReviewTask.status == "open")
                .order_by(ReviewTask.id)
            )
        ).all()
    out: dict[str, int] = {}
    for task in rows:
        out["wechat" if task.account_id == rows[0].account_id else "weibo"] = task.id
    return out


def link_in(text: str) -> str:
    found = re.search(r"预览（72 小时内有效）：(\S+)", text)
    assert found, text
    return urlsplit(found.group(1)).path


@pytest.mark.pg
async def test_show_gives_platform_excerpt_findings_and_a_link_that_opens(
    service: Service, db_backend: str
) -> None:
    draft_id = await submit_both(service)
    tasks = await open_tasks(service, draft_id)
    queue_text = await say(service, "LiNa", "待审")
    assert f"{tasks['wechat']}【微信】「{TITLE[:15]}" in queue_text, queue_text
    assert f"{tasks['weibo']}【微博】" in queue_text, queue_text

    shown = await say(service, "LiNa", f"查看 {tasks['wechat']}")
    assert "平台：微信公众号（长春民政）" in shown, shown
    assert "正文摘录：市民政局部署冬季困难群众救助工作。各区要全面排查低保对象和特困人员。" in shown
    assert "提示：疑似错敏词「某某」" in shown
    path = link_in(shown)
    page = await service.client.get(path)  # WeCom's browser: no console cookie
    html = await page.text()
    assert page.status == 200, html
    assert TITLE in html and "确保温暖过冬" in html
    # the publisher's renderer drew it: WeChat's inline styles, the body image, the cover
    assert 'style="margin:0 0 1em;line-height:1.75' in html
    assert f'src="{path}/media/1" alt="走访现场"' in html
    assert f'src="{path}/media/0" alt="封面"' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    cover = await service.client.get(f"{path}/media/0")
    # the rendition WeChat receives as the thumb (a JPG ≤ 64 KB), not the original upload
    assert cover.status == 200 and cover.content_type == "image/jpeg"
    data = await cover.read()
    assert data.startswith(b"\xff\xd8") and len(data) <= 64 * 1024
    assert (await service.client.get(f"{path}/media/7")).status == 404

    weibo = await say(service, "LiNa", f"查看 {tasks['weibo']}")
    assert "平台：微博（长春民政）" in weibo
    status = re.search(r"微博正文（(\d+)/140 字）：(.+)", weibo)
    assert status, weibo
    assert int(status.group(1)) == len(status.group(2)) <= 140
    link = status.group(2).split(" ")[-1]  # the article's page, marked with the post's key
    assert link.startswith("https://mzj.changchun.gov.cn/") and f"p=p{draft_id}a" in link
    weibo_page = await (await service.client.get(link_in(weibo))).text()
    assert (
        status.group(2).split(" ")[-1] in weibo_page and f"{status.group(1)}/140 字" in weibo_page
    )


async def test_forged_and_expired_links_are_refused(service: Service) -> None:
    draft_id = await submit_both(service)
    tasks = await open_tasks(service, draft_id)
    path = link_in(await say(service, "LiNa", f"查看 {tasks['wechat']}"))
    token = path.rsplit("/", 1)[-1]
    rev, platform, viewer, expires, mac = token.split(".")
    for forged in (
        f"{int(rev) + 1}.{platform}.{viewer}.{expires}.{mac}",  # another revision
        f"{rev}.weibo.{viewer}.{expires}.{mac}",  # another platform
        f"{rev}.{platform}.{viewer}.{int(expires) + 86400}.{mac}",  # a longer life
        f"{rev}.{platform}.{viewer}.{expires}.{'A' * 22}",
        "garbage",
    ):
        r = await service.client.get(f"/preview/{forged}")
        text = await r.text()
        assert r.status == 403 and "预览链接无效" in text, (forged, r.status)
        assert service.settings.secret_key not in text
        assert (await service.client.get(f"/preview/{forged}/media/0")).status == 403
    key = links.link_key(service.settings.secret_key)
    old = links.sign(key, int(rev), platform, int(viewer), utcnow() - links.TTL - timedelta(1))
    r = await service.client.get(f"/preview/{old}")
    assert r.status == 410 and "预览链接已过期" in await r.text()


async def test_card_carries_the_summary_and_the_link(service: Service) -> None:
    draft_id = await submit_both(service)
    tasks = await open_tasks(service, draft_id)
    await deliver_notifications(service.app)
    cards = {c.body["task_id"].split("-")[1]: c.body for c in service.cards("LiNa")}
    card = cards[str(tasks["wechat"])]
    fields = {f["keyname"]: f for f in card["horizontal_content_list"]}
    assert fields["平台"]["value"] == "微信公众号（长春民政）"
    assert fields["检查结果"]["value"] == "1 条"
    url = fields["预览"]["url"]
    assert card["card_action"] == {"type": 1, "url": url}
    assert "市民政局部署冬季困难群众救助工作" in card["sub_title_text"]
    assert url.startswith(service.settings.file.service.public_url + "/preview/")
    page = await service.client.get(urlsplit(url).path)
    assert page.status == 200 and "确保温暖过冬" in await page.text()
    texts = [t for t in service.texts("LiNa") if f"查看 {tasks['weibo']}" in t]
    assert texts and "平台：微博（长春民政）" in texts[-1] and "/preview/" in texts[-1]
    async with service.sf() as s:  # the card names nobody: opening it records no viewer
        assert (await s.scalars(select(RevisionView))).all() == []


async def test_returned_draft_shows_the_changes_since_the_reviewers_last_look(
    service: Service,
) -> None:
    draft_id = await submit_both(service)
    tasks = await open_tasks(service, draft_id)
    first = await say(service, "LiNa", f"查看 {tasks['wechat']}")
    assert "与你上次看过" not in first
    await say(service, "LiNa", f"认领 {tasks['wechat']}")
    assert "已退回" in await say(service, "LiNa", f"退回 {tasks['wechat']} 请补充求助渠道")
    async with service.sf.begin() as s:
        editor = await directory.person_by_key(s, "zhao_min")
        assert editor is not None
        new_body = BODY.replace("确保温暖过冬。", "确保温暖过冬。" + ADDED)
        inp = drafts.DraftInput(TITLE, new_body, ["ccmz_wechat", "ccmz_weibo"], kind="工作动态")
        await drafts.edit(s, editor, draft_id, inp)
        await queue.submit(s, draft_id, editor, gate=fake_gate())
    again = await open_tasks(service, draft_id)
    shown = await say(service, "LiNa", f"查看 {again['wechat']}")
    assert "与你上次看过的第 1 版相比：新增 1 句，删去 0 句。" in shown, shown
    assert f"+ {ADDED}" in shown
    assert "检查结果：未发现问题" in shown
    page = await (await service.client.get(link_in(shown))).text()
    assert "与你上次看过的第 1 版相比" in page and f"＋ {ADDED}" in page
    # 王强 never looked at version 1: nothing to compare with
    async with service.sf.begin() as s:
        rows = (await s.scalars(select(RevisionView).order_by(RevisionView.id))).all()
    assert len(rows) == 2 and rows[0].revision_id != rows[1].revision_id
