"""Drafts and the review queue in a real browser, with screenshots at 1366 and 390 px: the
drafts list's tabs and search, the edit form's 「预览」 with the gate's findings in Chinese,
the history's diff after an edit, and a head reassigning a task from the queue."""

from __future__ import annotations

from typing import Any

from browser_support import LiveService, shot, sign_in
from playwright.sync_api import expect

TITLE = "社区养老服务站冬季开放安排"
FIRST = "市民政局组织各区社区养老服务站做好冬季开放准备，为辖区老年人提供助餐和日间照料服务。"
PERSONAL = "幸福街道阳光社区3栋2单元501室的张建国，男，78岁，患尿毒症，联系电话13812345678。"


def _draft_id(page: Any) -> int:
    return int(page.url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[1])


def test_edit_preview_history_list_and_reassign(new_page: Any, live: LiveService) -> None:
    page = new_page()
    sign_in(page, live, "zhao_min")
    page.goto(live.url("/console/drafts/new"))
    page.get_by_label("标题").fill(TITLE)
    page.locator("textarea[name=body]").fill(FIRST)
    page.get_by_label("长春民政（微信）").check()
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/console/drafts/*")
    draft_id = _draft_id(page)
    expect(page.locator("#state-line")).to_contain_text("第 1 版尚未提交审核")

    # edit: 「预览」 shows the typed text per platform and the gate's findings, saves nothing
    page.get_by_role("link", name="修改稿件").click()
    page.locator("textarea[name=body]").fill(FIRST + PERSONAL)
    page.get_by_role("button", name="预览").click()
    findings = page.locator("#findings")
    expect(findings).to_contain_text("个人信息")
    expect(findings).to_contain_text("拦截")
    expect(findings).to_contain_text("138****5678")  # the suggestion
    expect(findings).not_to_contain_text("personal_data")
    expect(page.locator("#previews")).to_contain_text("各平台预览（未保存）")
    expect(page.locator("textarea[name=body]")).to_have_value(FIRST + PERSONAL)
    shot(page, "draft-edit-findings")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_url(f"**/console/drafts/{draft_id}")

    # judged as saved: no 提交审核, the masking in place, then submitted
    expect(page.locator("#findings")).to_contain_text("即时检查")
    expect(page.locator("#no-submit")).to_contain_text("不能提交审核")
    expect(page.get_by_role("button", name="提交审核")).to_have_count(0)
    page.locator("#findings").get_by_role("button", name="一键去标识化").click()
    expect(page.locator(".flash")).to_contain_text("保存为第 3 版")
    history = page.locator("#history")
    expect(history).to_contain_text("与第 2 版相比")
    expect(history.locator("tr.del")).to_contain_text(["张建国"])
    expect(history.locator("tr.ins").first).to_contain_text("张*国")
    shot(page, "draft-history")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#state-line")).to_contain_text("已提交审核")
    expect(page.locator("#state-line")).not_to_contain_text("尚未提交审核")

    # the list: my drafts, searched by a word of the body, with the status filter
    page.goto(live.url("/console/drafts"))
    page.get_by_role("link", name="我的稿件").click()
    page.get_by_label("搜索标题或正文").fill("日间照料")
    page.get_by_label("状态").select_option(label="审核中")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TITLE)
    expect(rows.first).to_contain_text("长春民政（微信）")
    shot(page, "drafts-search")

    # the 办公室 head hands the 初审 task to 李娜 from the queue
    head = new_page()
    sign_in(head, live, "wang_qiang")
    head.goto(live.url("/console/queue"))
    row = head.locator("tr", has_text=TITLE).filter(has_text="初审")
    expect(row).to_contain_text("微信公众号 · 长春民政")
    row.get_by_label("转派给").select_option(label="李娜")
    shot(head, "queue-head")
    row.get_by_role("button", name="转派").click()
    expect(head.locator(".flash")).to_contain_text("已完成")

    reviewer = new_page()
    sign_in(reviewer, live, "li_na")
    reviewer.goto(live.url("/console/queue"))
    row = reviewer.locator("tr", has_text=TITLE)
    expect(row).to_contain_text("李娜")
    expect(row.get_by_role("button", name="通过")).to_be_visible()
