"""Following a project in the browser: 環境課's member of staff follows 市民課's sheet,
情報推進課 revises it, and the follower finds it under 「お知らせ」 (axe-core clean)."""

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import AxeAudit

SHEET_URL = "/sheets/second/1-2-1-01/"


def test_a_follower_is_told_of_a_sheet_revision(page, login):
    audit = AxeAudit()
    login("demo-staff-b", next_url=SHEET_URL)
    page.get_by_role("button", name="この事業をフォローする").click()
    expect(page.locator(".messages")).to_contain_text("をフォローしました。")
    expect(page.get_by_role("button", name="フォローをやめる")).to_be_visible()
    page.goto("/follows/")
    expect(page.get_by_role("link", name=re.compile("1-2-1-01 住民票等のコンビニエンスストア交付"))).to_be_visible()
    audit.check(page, "フォロー中の事業")
    page.get_by_role("button", name="ログアウト").click()

    login("demo-joho", next_url=f"{SHEET_URL}edit/")
    page.get_by_label("実施根拠").fill("住民基本台帳法")
    page.get_by_role("button", name="下書き保存").click()
    expect(page.get_by_text("第2版", exact=False).first).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()

    login("demo-staff-b", next_url="/plans/")
    menu = page.get_by_role("navigation", name="メインメニュー")
    expect(menu.get_by_role("link", name=re.compile("お知らせ"))).to_contain_text("1")
    menu.get_by_role("link", name=re.compile("お知らせ")).click()
    expect(page.get_by_role("status").first).to_contain_text("未読 1 件")
    row = page.get_by_role("row", name=re.compile("シートが更新されました"))
    expect(row).to_contain_text("シートが更新されました(第2版)")
    expect(row).not_to_contain_text("住民基本台帳法")  # what changed stays on the sheet's page
    audit.check(page, "お知らせ")
    row.get_by_role("button", name="開いて既読にする").click()
    expect(page).to_have_url(re.compile(re.escape(SHEET_URL) + "#history$"))
    expect(page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="お知らせ",
                                                                          exact=True)).to_be_visible()
    audit.assert_clean()
