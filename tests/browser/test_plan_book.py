"""計画書の本文 in a browser, as 情報推進課 uses it on a desk and on a phone (390 px):
add a chapter, be refused for HTML with the text kept, save, preview, reorder.
Screenshots go to /tmp/book-*.png for a person to look at."""

from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
WIDE = """() => [...document.querySelectorAll('body *')].filter(el => !el.closest('.table-scroll')
    && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(el => `${el.tagName}.${el.className}`).slice(0, 5)"""


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.evaluate(WIDE)


def test_the_ict_office_writes_a_chapter_on_a_phone(page, login):
    login("demo-joho", next_url="/plans/manage/first/book/")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("heading", name="章の一覧")).to_be_visible()
    page.get_by_label("章番号").fill("第1章")
    page.get_by_label("章の題名").fill("第二期昭島市情報化推進計画の総論")
    page.get_by_role("button", name="章を追加して本文を書く").click()
    expect(page.locator(".messages")).to_contain_text("計画書の章「第1章 第二期昭島市情報化推進計画の総論」を追加")

    body = page.get_by_label("本文")
    body.fill("# 1. 計画策定における基本的な考え方\n<script>alert(1)</script>")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="2 行目")).to_contain_text("HTML やスクリプトは書けません")
    expect(page.get_by_label("本文")).to_have_value("# 1. 計画策定における基本的な考え方\n<script>alert(1)</script>")
    page.screenshot(path="/tmp/book-refused-phone.png", full_page=True)
    assert_fits(page)

    page.get_by_label("本文").fill("# 1. 計画策定における基本的な考え方\n本計画の策定にあたっては、2 つの大きな柱を軸にします。\n\n"
                                 "- ① 評価\n- ② 実行性\n\n: 表 1-1 一覧\n| № | 組織名等 |\n|---|---|\n| 1 | 情報化戦略本部 |\n\n"
                                 "{{施策体系図}}")
    page.get_by_role("button", name="プレビュー(保存しない)").click()
    preview = page.get_by_role("region", name="プレビュー(入力中の内容。まだ保存していません)")
    expect(preview.get_by_role("heading", name="1. 計画策定における基本的な考え方")).to_be_visible()
    expect(preview.locator("svg.plan-diagram")).to_have_count(1)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("の本文を変更")
    page.screenshot(path="/tmp/book-chapter-phone.png", full_page=True)
    assert_fits(page)

    page.goto("/plans/manage/first/book/")
    page.get_by_label("章の題名").fill("第二期昭島市情報化推進計画を策定するにあたり")
    page.get_by_role("button", name="章を追加して本文を書く").click()
    page.goto("/plans/manage/first/book/")
    page.get_by_role("button", name="「第二期昭島市情報化推進計画を策定するにあたり」を上へ").click()
    expect(page.locator(".chapter-row").first).to_contain_text("第二期昭島市情報化推進計画を策定するにあたり")
    page.screenshot(path="/tmp/book-list-phone.png", full_page=True)
    assert_fits(page)

    page.goto("/plans/second/")
    expect(page.locator("svg.plan-diagram")).to_have_count(1)
    assert_fits(page)
