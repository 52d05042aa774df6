"""The README's tour in a real browser, as each role does it, with screenshots of every console
page at 1366 and 390 px (docs/screenshots/, linked from the README).

An editor writes a post the gate blocks (a full name and an ID number), applies the suggested
masking and submits; a reviewer previews, claims and approves, the 保密审查 too; the post is on
the sandbox's timeline. A replier answers a citizen with an approved 口径. Refused: a form
without its CSRF token, another department's task, pages opened while signed out."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
from browser_support import LiveService, csrf_of, shot, sign_in
from playwright.sync_api import expect
from sqlalchemy import select, update

from bot import keys
from review.models import Publication, ReviewTask, utcnow

BODY = (
    "市民政局近日走访慰问困难群众。朝阳区居民张建国（身份证号 {id}）"
    "家中老人长期卧床，社区已为其申请临时救助，并安排志愿者每周上门探访。"
)
TITLE = "市民政局走访慰问困难群众"


def resident_id(first17: str) -> str:
    """A resident ID number with a valid check digit (GB 11643), as the gate recognises."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def has_route(live: LiveService, path: str) -> bool:
    return any(r.canonical == path for r in live.app.router.resources())


async def _due_now(live: LiveService, draft_id: int) -> None:
    """The post's time has come (its slot may be hours away): no waiting in a test."""
    async with live.app[keys.SESSIONS].begin() as s:
        await s.execute(
            update(Publication).where(Publication.draft_id == draft_id).values(due_at=utcnow())
        )


async def _open_task(live: LiveService, draft_id: int) -> int:
    async with live.app[keys.SESSIONS]() as s:
        found = await s.scalar(
            select(ReviewTask.id).where(
                ReviewTask.draft_id == draft_id, ReviewTask.status == "open"
            )
        )
        assert found is not None
        return int(found)


async def _citizen_writes(live: LiveService, text: str) -> None:
    """A follower of 长春民政 writes to the account (signed, encrypted), then routing runs."""
    from bot.inbox import ticks as inbox_ticks
    from channels.sandbox.follower import Follower

    settings = live.app[keys.SETTINGS]
    account = settings.accounts["ccmz_wechat"]
    secrets = settings.secrets["ccmz_wechat"]
    async with ClientSession() as http:
        citizen = Follower(
            live.base, "ccmz_wechat", secrets.token, secrets.aes_key, account.app_id,
            "aes", "o_tour_citizen", session=http,
        )  # fmt: skip
        reply = await citizen.send_text(text)
        assert reply.status == 200 and reply.text and "受理编号" in reply.text
    await inbox_ticks.process_new(live.app)


def test_the_tour(new_page: Any, live: LiveService) -> None:
    nobody = new_page()
    for path in ("/console/", "/console/queue", "/console/audit", "/console/inbox"):
        nobody.goto(live.url(path))  # signed out: every console page sends to sign-in
        assert nobody.url == live.url("/console/login"), path
    shot(nobody, "login")

    editor = new_page()
    draft_id = editor_writes_masks_and_submits(editor, live)

    reviewer = new_page()
    reviewer_previews_claims_approves(reviewer, live, "li_na", "初审")
    another_department_is_refused(new_page(), live, draft_id)
    reviewer_previews_claims_approves(new_page(), live, "chen_jing", "保密审查")

    live.run(_due_now(live, draft_id))
    assert live.publish_due() == 1
    timeline = new_page()
    timeline.goto(live.url("/sandbox/"))
    expect(timeline.locator("main")).to_contain_text("市民政局近日走访慰问困难群众")
    expect(timeline.locator("main")).not_to_contain_text("张建国")
    shot(timeline, "sandbox")

    replier = new_page()
    replier_answers_with_a_wording(replier, live)

    every_other_page(reviewer, live)


def editor_writes_masks_and_submits(page: Any, live: LiveService) -> int:
    sign_in(page, live, "zhao_min")
    shot(page, "home")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="写稿").click()
    page.get_by_label("标题").fill(TITLE)
    page.locator("textarea[name=body]").fill(BODY.format(id=resident_id("22010419800315123")))
    page.get_by_label("长春民政（微博）").check()
    page.get_by_role("button", name="预览").click()  # the gate and each platform, unsaved
    expect(page.locator("#findings")).to_contain_text("个人信息")
    shot(page, "draft-new")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/console/drafts/*")
    draft_id = int(page.url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[1])
    # judged as saved (a submission would be blocked): the findings at once, no 提交审核

    findings = page.locator("#findings")
    expect(findings).to_contain_text("个人信息")
    expect(findings).to_contain_text("身份证号")
    expect(page.get_by_role("button", name="提交审核")).to_have_count(0)  # blocked: not offered
    expect(page.locator("#no-submit")).to_contain_text("不能提交审核")
    shot(page, "draft-blocked")

    # a form whose CSRF token is missing (as a forged post would be) is refused, in the layout
    mask = findings.locator("form", has=page.get_by_role("button", name="一键去标识化"))
    mask.locator('input[name="csrf"]').evaluate("input => input.remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        mask.get_by_role("button", name="一键去标识化").click()
    assert posted.value.status == 403
    expect(page.locator("main")).to_contain_text("表单已过期")
    expect(page.get_by_role("link", name="回到工作台")).to_be_visible()
    shot(page, "error-403-csrf")
    page.goto(live.url("/console/drafts/99999"))
    expect(page.locator("main h1")).to_contain_text("页面不存在")
    shot(page, "error-404")

    page.goto(live.url(f"/console/drafts/{draft_id}"))
    page.locator("#findings").get_by_role("button", name="一键去标识化").click()
    expect(page.locator(".flash")).to_contain_text("张*国")
    body = page.locator(".card", has=page.get_by_role("heading", name="正文", exact=True))
    expect(body).to_contain_text("张*国")
    expect(body).not_to_contain_text("张建国")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".flash")).to_contain_text("已提交审核")
    expect(page.locator("#state-line")).not_to_contain_text("尚未提交审核")
    shot(page, "draft-submitted")

    page.goto(live.url("/console/drafts"))
    expect(page.locator("main")).to_contain_text(TITLE)
    shot(page, "drafts-list")
    return draft_id


def reviewer_previews_claims_approves(page: Any, live: LiveService, key: str, stage: str) -> None:
    sign_in(page, live, key)
    page.goto(live.url("/console/queue"))
    row = page.locator("tr", has_text=TITLE).filter(has_text=stage)
    expect(row).to_have_count(1)
    if key == "li_na":
        shot(page, "queue")
        row.get_by_role("link", name="预览各平台效果").click()
        expect(page.locator("#previews")).to_contain_text("微博")
        shot(page, "draft-preview")
        page.get_by_role("link", name="单独打开预览页").click()
        expect(page.locator("main")).to_contain_text("长春民政")
        shot(page, "preview")
        page.goto(live.url("/console/queue"))
    row.get_by_role("button", name="认领").click()
    row = page.locator("tr", has_text=TITLE).filter(has_text=stage)
    row.get_by_role("button", name="通过").click()
    expect(page.locator(".flash")).to_be_visible()


def another_department_is_refused(page: Any, live: LiveService, draft_id: int) -> None:
    """孙丽 (养老服务处) posts the claim of the 保密办's task herself, with her own form token."""
    sign_in(page, live, "sun_li")
    task_id = live.run(_open_task(live, draft_id))
    answer = page.request.post(
        live.url(f"/console/tasks/{task_id}/claim"),
        form={"csrf": csrf_of(page)},
        max_redirects=0,
    )
    assert answer.status == 404, answer.status  # need-to-know: as if there were no such task
    assert 'aria-label="主导航"' in answer.text()  # the refusal is a page of the console
    assert live.run(_open_task(live, draft_id)) == task_id  # still open: nobody claimed it


def replier_answers_with_a_wording(page: Any, live: LiveService) -> None:
    live.run(_citizen_writes(live, "我母亲今年81岁，想问问高龄津贴怎么申请，要带哪些材料？"))
    sign_in(page, live, "sun_li")  # 养老服务处 answers 养老 messages
    page.goto(live.url("/console/inbox"))
    shot(page, "inbox")
    page.locator("main a[href^='/console/inbox/']").first.click()
    page.get_by_label("查找口径（关键词）").fill("高龄津贴")
    page.get_by_role("button", name="查找口径").click()
    page.get_by_role("button", name="插入答复").first.click()
    answer = page.locator("textarea[name=text]")
    assert "80 周岁" in answer.input_value()  # the approved 办事指南 text, inserted
    shot(page, "message")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("main")).to_contain_text("已发送")
    shot(page, "message-answered")


def every_other_page(page: Any, live: LiveService) -> None:
    """The pages not met above, as 李娜 sees them, each with its heading in Chinese."""
    for path, name, heading in (
        ("/console/wordings", "wordings", "口径"),
        ("/console/publications", "publications", "发布记录"),
        ("/console/calendar", "calendar", "发布日历"),
        ("/console/accounts", "accounts", "账号"),
        ("/console/reports", "reports", "报告"),
        ("/console/audit", "audit", "审计"),
    ):
        assert has_route(live, path), path
        answer = page.goto(live.url(path))
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        expect(page.locator("main :is(h1, h2, h3)").first).to_contain_text(heading)
        shot(page, name)
