"""The console's drafts: the list (mine / department / all, status, search, paging), the edit
form's 「预览」, the gate's findings in Chinese with 「一键去标识化」, no 提交审核 on a blocked
draft, the state line after submission, and the revision history's diff."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from console_support import origin, sign_in
from PIL import Image
from sqlalchemy import func, select

from bot.app import create_app
from bot.config.load import Settings
from review import drafts
from review.db import SessionFactory
from review.models import Revision
from review.store import directory

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.pg  # the list's SQL (LIKE, scope) on both databases

CARE = "市民政局组织各区对特殊困难老年人开展冬季探访关爱，重点了解居家养老服务需求。"
PERSONAL = (
    "经审核，同意给予低保户张建国临时救助。张建国，男，68岁，住幸福街道阳光社区3栋2单元501室，"
    "患尿毒症，救助金额5000元。联系电话13812345678。"
)


def visible(page: str) -> str:
    """The text a reader sees: no styles, no tags, entities decoded."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/console/drafts/(\d+)">', page)]


async def _new(client: TestClient, csrf: str, title: str, body: str, **extra: str) -> int:
    form = {"csrf": csrf, "title": title, "kind": "工作动态", "accounts": "ccmz_wechat",
            "body": body, **extra}  # fmt: skip
    r = await client.post("/console/drafts", data=form, allow_redirects=False)
    assert r.status == 303, await r.text()
    return int(r.headers["Location"].rsplit("/", 1)[1])


async def _seed(sf: SessionFactory, key: str, account: str, n: int, title: str) -> None:
    async with sf.begin() as s:
        author = await directory.person_by_key(s, key)
        assert author is not None
        for i in range(n):
            inp = drafts.DraftInput(title=f"{title}{i}", body=CARE, accounts=[account])
            await drafts.create(s, author, inp)


async def test_tabs_status_search_and_scope(app_client: TestClient, sf: SessionFactory) -> None:
    client = app_client
    await _seed(sf, "wu_fang", "ccyl_wechat", 1, "养老处稿件")  # 养老服务处: not the 办公室's
    csrf = await sign_in(client, sf, "zhao_min")
    mine = await _new(client, csrf, "冬季探访关爱服务", CARE)
    other = await _new(client, csrf, "社区养老服务站开放", "社区养老服务站本周起对辖区老年人开放。")
    r = await client.post(f"/console/drafts/{mine}/submit", data={"csrf": csrf})
    assert r.status == 200

    page = await (await client.get("/console/drafts?whose=mine")).text()
    assert listed(page) == [other, mine] and "养老处稿件" not in page
    page = await (await client.get("/console/drafts?whose=all")).text()
    assert "养老处稿件" not in page, "another department's draft is outside the scope"
    page = await (await client.get("/console/drafts?whose=mine&status=in_review")).text()
    assert listed(page) == [mine]
    page = await (await client.get("/console/drafts?whose=mine&q=服务站本周")).text()
    assert listed(page) == [other], "the body is searched"
    page = await (await client.get("/console/drafts?whose=mine&q=%25")).text()
    assert listed(page) == [], "a % is a character, not a wildcard"

    client.session.cookie_jar.clear()
    await sign_in(client, sf, "li_na")  # 办公室, not the author
    page = await (await client.get("/console/drafts?whose=mine")).text()
    assert listed(page) == []
    page = await (await client.get("/console/drafts?whose=department")).text()
    assert listed(page) == [other, mine]
    page = await (await client.get("/console/drafts")).text()
    assert listed(page) == [other, mine], "a reviewer writes none: the department's by default"
    assert "本部门" in page and 'aria-current="page" class="tab current">本部门' in page


async def test_paging_with_links(app_client: TestClient, sf: SessionFactory) -> None:
    await _seed(sf, "zhao_min", "ccmz_wechat", 23, "分页稿件")
    await sign_in(app_client, sf, "zhao_min")
    first = await (await app_client.get("/console/drafts?whose=mine")).text()
    assert len(listed(first)) == 20 and "共 23 篇" in first and "第 1/2 页" in first
    link = re.search(r'<a href="([^"]+)" rel="next">下一页</a>', first)
    assert link, "a plain link to the next page"
    second = await (await app_client.get(html.unescape(link.group(1)))).text()
    assert len(listed(second)) == 3 and "上一页" in second
    assert not set(listed(first)) & set(listed(second))


async def test_edit_preview_shows_the_typed_text_and_saves_nothing(
    app_client: TestClient, sf: SessionFactory
) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    draft_id = await _new(app_client, csrf, "冬季探访关爱服务", CARE)
    typed = CARE + "探访对象包括独居、空巢老年人。"
    form = {"csrf": csrf, "title": "冬季探访关爱服务全面启动", "kind": "工作动态",
            "body": typed, "action": "preview"}  # fmt: skip
    r = await app_client.post(f"/console/drafts/{draft_id}/edit", data=form)
    page = await r.text()
    assert r.status == 200 and "各平台预览（未保存）" in page
    assert "微信公众号 · 长春民政" in page and "<h1>冬季探访关爱服务全面启动</h1>" in page
    assert "独居、空巢老年人" in page and 'value="冬季探访关爱服务全面启动"' in page
    assert "职能相关性" in visible(page), "the gate ran on the typed text"
    saved = await (await app_client.get(f"/console/drafts/{draft_id}")).text()
    assert "第 1 版 · 工作动态" in saved and "独居" not in saved, "a preview saves nothing"

    # the new-draft form previews too, keeping the accounts ticked
    form = {"csrf": csrf, "title": "临时救助审批结果公示", "kind": "通知公告",
            "accounts": "ccmz_weibo", "body": PERSONAL, "action": "preview"}  # fmt: skip
    page = await (await app_client.post("/console/drafts", data=form)).text()
    assert "微博 · 长春民政" in page and 'value="ccmz_weibo" checked' in page
    assert "个人信息" in visible(page) and "张*国" in page, "the masking suggestion"


async def test_blocked_draft_findings_in_chinese_masking_then_submit(
    app_client: TestClient, sf: SessionFactory
) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    draft_id = await _new(app_client, csrf, "临时救助审批结果公示", PERSONAL, kind="通知公告")
    page = await (await app_client.get(f"/console/drafts/{draft_id}")).text()
    saved = visible(page)
    # saved, never submitted: judged on the page as a submission would be, never called clean
    assert "即时检查" in saved and "个人信息" in saved and "拦截" in saved
    assert "未发现问题" not in saved and "尚未检查" not in saved
    assert f'action="/console/drafts/{draft_id}/mask"' in page, "the masking is offered at once"
    assert f'action="/console/drafts/{draft_id}/submit"' not in page, "no 提交审核 when blocked"
    page = await (
        await app_client.post(f"/console/drafts/{draft_id}/submit", data={"csrf": csrf})
    ).text()
    text = visible(page)
    for code in ("personal_data", "relevance", "block", "warn", "pass"):
        assert code not in text, f"{code} shown in English"
    assert "个人信息" in text and "拦截" in text and "提示" in text and "错敏词" in text
    assert "建议" in text and "138****5678" in text, "each finding with its suggestion"
    assert f'action="/console/drafts/{draft_id}/submit"' not in page, "no 提交审核 when blocked"
    assert "不能提交审核：个人信息未通过自动检查" in text
    assert "尚未提交审核" not in text and "未生成审核任务" in text

    assert f'action="/console/drafts/{draft_id}/mask"' in page
    page = await (
        await app_client.post(f"/console/drafts/{draft_id}/mask", data={"csrf": csrf})
    ).text()
    assert "已去标识化，保存为第 2 版" in page and "张*国" in page
    assert f'action="/console/drafts/{draft_id}/submit"' in page, "the new revision may go"
    page = await (
        await app_client.post(f"/console/drafts/{draft_id}/submit", data={"csrf": csrf})
    ).text()
    text = visible(page)
    assert "进度： 第 2 版已提交审核，共 1 个审核任务" in text
    assert "尚未提交审核" not in text and "#" in text


async def test_state_line_after_submission(app_client: TestClient, sf: SessionFactory) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    draft_id = await _new(app_client, csrf, "冬季探访关爱服务", CARE)
    before = visible(await (await app_client.get(f"/console/drafts/{draft_id}")).text())
    assert "第 1 版尚未提交审核" in before
    r = await app_client.post(f"/console/drafts/{draft_id}/submit", data={"csrf": csrf})
    text = visible(await r.text())
    assert "已提交审核" in text and "尚未提交审核" not in text
    assert "初审（办公室）" in text and "微信公众号 · 长春民政" in text


async def test_history_diff_between_revisions_escaped(
    app_client: TestClient, sf: SessionFactory
) -> None:
    csrf = await sign_in(app_client, sf, "zhao_min")
    draft_id = await _new(app_client, csrf, "冬季探访关爱服务", CARE)
    edited = "市民政局组织各区开展冬季探访关爱。新增<script>alert(1)</script>一句。"
    form = {"csrf": csrf, "title": "冬季探访关爱服务启动", "kind": "政策解读", "body": edited,
            "action": "save"}  # fmt: skip
    r = await app_client.post(f"/console/drafts/{draft_id}/edit", data=form)
    page = await r.text()
    assert "已保存为第 2 版" in page
    history = page[page.index('id="history"') :]
    assert "与第 1 版相比：标题已改，新增 2 句，删去 1 句；类型：工作动态 → 政策解读" in visible(
        history
    )
    assert '<tr class="del"><td>－ 删去</td><td>' + CARE in history
    assert (
        '<tr class="ins"><td>＋ 新增</td><td>新增&lt;script&gt;alert(1)&lt;/script&gt;一句。'
        in history
    )
    assert "<script>alert" not in page
    assert "<td>－ 标题</td><td>冬季探访关爱服务</td>" in history


@pytest.fixture
async def own_media(
    settings: Settings, sf: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient[Any, Any]]:
    """The service with a media folder of its own (uploads land in it, not in the repo's)."""
    shutil.copytree(ROOT / "media", tmp_path / "media", ignore=shutil.ignore_patterns("uploads"))
    monkeypatch.setenv("NEWMEDIA_MEDIA_ROOT", str(tmp_path / "media"))
    async with TestClient(TestServer(create_app(settings, run_jobs=False))) as c:
        yield c


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (120, 80), (180, 25, 29)).save(out, format="PNG")
    return out.getvalue()


async def test_a_cover_uploaded_with_preview_is_kept_for_saving(
    own_media: TestClient[Any, Any], sf: SessionFactory
) -> None:
    client = own_media
    csrf = await sign_in(client, sf, "zhao_min")
    draft_id = await _new(client, csrf, "冬季探访关爱服务", CARE)
    form = FormData()
    for key, value in (("csrf", csrf), ("title", "冬季探访关爱服务"), ("kind", "工作动态"),
                       ("cover", ""), ("action", "preview")):  # fmt: skip
        form.add_field(key, value)
    form.add_field("file", _png(), filename="cover.png", content_type="image/png")
    form.add_field("body", CARE)
    r = await client.post(f"/console/drafts/{draft_id}/edit", data=form, headers=origin(client))
    page = await r.text()
    stored = re.search(r'name="cover" value="(uploads/[^"]+)"', page)
    assert r.status == 200 and stored, "the upload is in the media folder, its path in the form"
    assert "新的封面或正文图片保存后在预览中显示" in page
    async with sf() as s:
        assert await s.scalar(select(func.count()).select_from(Revision)) == 1, "nothing saved"

    save = {"csrf": csrf, "title": "冬季探访关爱服务", "kind": "工作动态", "body": CARE,
            "cover": stored.group(1), "action": "save"}  # fmt: skip
    r = await client.post(f"/console/drafts/{draft_id}/edit", data=save, allow_redirects=False)
    assert r.status == 303
    async with sf() as s:
        latest = await s.scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
    assert latest is not None and latest.number == 2 and latest.cover_path == stored.group(1)
