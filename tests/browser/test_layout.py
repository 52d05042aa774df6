"""The console's layout in a real browser: the header at phone width, the audit page's search
by plain form, an error page inside the layout."""

from __future__ import annotations

from typing import Any

from browser_support import MOBILE, LiveService, overflow, sign_in
from playwright.sync_api import expect


def test_header_search_and_errors_at_phone_width(page: Any, live: LiveService) -> None:
    sign_in(page, live, "wang_qiang")
    page.set_viewport_size(MOBILE)
    header = page.locator("header")
    expect(header).to_contain_text("王强（审核人、处室负责人、答复人）")  # roles in Chinese
    nav = page.get_by_role("navigation", name="主导航")
    box = nav.bounding_box()
    assert box is not None and box["height"] < 60  # one row that scrolls, not a tall column
    expect(nav.get_by_role("link", name="工作台")).to_have_attribute("aria-current", "page")

    nav.get_by_role("link", name="审计日志").click()
    page.get_by_label("动作").select_option(label="控制台登录")
    page.get_by_label("起始日期").fill("2026-02-30")  # not a date: said, and left out
    page.get_by_role("button", name="检索").click()
    assert "action=console.sign_in" in page.url
    expect(page.locator("main")).to_contain_text("起始日期「2026-02-30」不是日期")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王强")
    assert overflow(page) <= 0

    page.goto(live.url("/console/tasks/99999/claim"))  # a form's address opened as a page
    expect(page.locator("main h1")).to_contain_text("请求方式不对")
    expect(page.get_by_role("link", name="回到工作台")).to_be_visible()
    assert overflow(page) <= 0
