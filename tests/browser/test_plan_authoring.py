"""計画の管理 in the browser: 情報推進課 makes a three-level plan, builds its tree
with htmx (each change saved at once), lists a project again (再掲), undoes a
change, and finds the tree, the codes and the projects' sheets on the plan's pages.

Screenshots (desktop and 390 px) go to /tmp/author-*.png for a person to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

PLAN = "昭島市DX推進計画"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def status(page):
    return page.locator("#editor-status")


def row(page, code):
    """The tree row of an item, by its code (Ⅰ-1-1)."""
    return page.locator(f"li.editor-item:has(> .editor-row .code-label:text-is('{code}')) > .editor-row")


def edit_link(scope, what):
    """「編集」 and, for screen readers, what it edits: 編集(Ⅰ-1)."""
    return scope.get_by_role("link", name=re.compile(rf"^編集\s*\({re.escape(what)}\)$"))


def open_panel(page, code):
    edit_link(page, code).click()
    panel = page.get_by_role("region", name=re.compile(rf" {re.escape(code)} の編集$"))
    expect(panel).to_be_visible()
    return panel


def add_child(page, code, group, title):
    panel = open_panel(page, code)
    form = panel.get_by_role("group", name=group)
    form.get_by_label("名称").fill(title)
    form.get_by_role("button").click()
    expect(status(page)).to_contain_text(f"「{title}」を追加")


def assert_accessible(page):
    """axe-core finds no serious violation (the rules of tests/browser/test_accessibility.py)."""
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_ict_office_builds_a_three_level_plan_and_finds_it_on_the_plan_pages(page, login, live_server):
    login("demo-joho", next_url="/plans/manage/")
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("heading", level=1, name="計画の管理")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("link", name="計画の編集")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="新しい計画を作成").click()

    # The plan and its three levels (the form offers the second plan's, renamed here).
    page.get_by_label("計画コード").fill("dx")
    page.get_by_label("計画名").fill(PLAN)
    page.get_by_label("計画期間(開始年度)").fill("令和6年度")
    page.get_by_label("計画期間(終了年度)").fill("令和10年度")
    page.get_by_label("基本理念", exact=True).fill("つながる昭島")
    page.get_by_label("第1階層の階層名").fill("基本目標")
    page.get_by_label("第2階層の階層名").fill("施策")
    page.get_by_label("第3階層の階層名").fill("取組")
    page.screenshot(path="/tmp/author-new-plan.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="計画を作成").click()

    expect(page.get_by_role("heading", level=1, name=re.compile(PLAN))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("策定中")
    expect(page.get_by_role("status").first).to_contain_text("計画「昭島市DX推進計画」を作成しました")

    # Two 基本目標, a 施策 under each, a 取組 under each 施策.
    for title in ("市民サービスの向上", "行政運営の効率化"):
        page.get_by_label("基本目標を追加(最上位)").fill(title)
        page.get_by_role("button", name="追加", exact=True).click()
        expect(status(page)).to_contain_text(f"「{title}」を追加")
    expect(page.get_by_text("計画「昭島市DX推進計画」を作成しました")).to_have_count(0)  # old news now
    add_child(page, "Ⅰ", "この下に施策を追加", "オンライン手続の推進")
    add_child(page, "Ⅱ", "この下に施策を追加", "業務のデジタル化")
    add_child(page, "Ⅰ-1", "この下に取組を追加", "電子申請の拡大")
    add_child(page, "Ⅱ-1", "この下に取組を追加", "窓口と庁内の連携")

    # Two projects under Ⅰ-1-1: one 〔予定事業〕, one with its start year.
    panel = open_panel(page, "Ⅰ-1-1")
    form = panel.get_by_role("group", name="この取組に事業を追加")
    form.get_by_label("事業名").fill("電子申請システムの導入")
    form.get_by_label("予定事業(〔予定事業〕と表示)").check()
    form.get_by_role("button", name="事業を追加").click()
    expect(status(page)).to_contain_text("事業「電子申請システムの導入」(1-1-1-01)を追加")
    form = page.get_by_role("group", name="この取組に事業を追加")
    form.get_by_label("事業名").fill("窓口キャッシュレス決済")
    form.get_by_label("開始年度(計画書に付記する場合)").fill("令和5年度")
    form.get_by_role("button", name="事業を追加").click()
    expect(status(page)).to_contain_text("(1-1-1-02)を追加")

    # The first project listed again under Ⅱ-1-1 (再掲).
    projects = page.get_by_role("list", name="Ⅰ-1-1 の事業")
    edit_link(projects, "電子申請システムの導入").click()
    panel = page.get_by_role("region", name="事業 1-1-1-01 の編集")
    panel.get_by_label("再掲する項目").select_option(label="Ⅱ-1-1 窓口と庁内の連携")
    panel.get_by_role("button", name="再掲する").click()
    expect(status(page)).to_contain_text("を Ⅱ-1-1 に再掲")
    reposted = page.get_by_role("list", name="Ⅱ-1-1 の事業").get_by_role("listitem")
    expect(reposted).to_contain_text("電子申請システムの導入")
    expect(reposted).to_contain_text("(再掲)")
    expect(reposted).to_contain_text("1-1-1-01")
    page.screenshot(path="/tmp/author-editor-desktop.png", full_page=True)
    assert_accessible(page)

    # A refused change says why and changes nothing.
    panel = open_panel(page, "Ⅰ-1-1")
    panel.get_by_role("button", name="Ⅰ-1-1 を削除").click()
    expect(status(page)).to_contain_text("事業が掲載されているため削除できません")
    expect(row(page, "Ⅰ-1-1")).to_have_count(1)

    # Reorder the goals, then undo it.
    page.get_by_role("button", name="Ⅱ を上へ").click()
    expect(status(page)).to_contain_text("Ⅱ「行政運営の効率化」の順番を変更(Ⅰ へ)")
    expect(row(page, "Ⅰ")).to_contain_text("行政運営の効率化")
    page.get_by_role("button", name="元に戻す").click()
    expect(status(page)).to_contain_text("元に戻しました")
    expect(row(page, "Ⅰ")).to_contain_text("市民サービスの向上")
    page.get_by_text("変更履歴").click()
    expect(page.get_by_role("table").filter(has_text="変更者")).to_contain_text("(元に戻しました)")

    page.set_viewport_size(PHONE)
    open_panel(page, "Ⅱ-1-1")
    page.screenshot(path="/tmp/author-editor-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    edit_link(page.get_by_role("list", name="Ⅱ-1-1 の事業"), "電子申請システムの導入").click()
    panel = page.get_by_role("region", name="事業 1-1-1-01 の編集")
    expect(panel.get_by_role("list", name="事業 1-1-1-01 の掲載先").get_by_role("listitem")).to_have_count(2)
    panel.screenshot(path="/tmp/author-project-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)

    # The plan's own page: levels, codes, 〔予定事業〕, the start year and (再掲).
    page.goto("/plans/dx/")
    expect(page.get_by_role("heading", level=1, name=PLAN)).to_be_visible()
    tree = page.get_by_role("list", name="情報化施策体系", exact=True)
    expect(tree.get_by_role("heading", level=2, name=re.compile(r"^基本目標Ⅰ 市民サービスの向上"))).to_be_visible()
    expect(tree.get_by_role("heading", level=3, name=re.compile(r"Ⅰ-1\s*オンライン手続の推進"))).to_be_visible()
    expect(tree.get_by_role("heading", level=4, name=re.compile(r"Ⅱ-1-1\s*窓口と庁内の連携"))).to_be_visible()
    home = page.get_by_role("list", name="Ⅰ-1-1 の主な事業や取り組み", exact=True)
    expect(home).to_contain_text("〔予定事業〕")
    expect(home).to_contain_text("令和5年度〜")
    expect(home.get_by_text("(再掲)")).to_have_count(0)
    again = page.get_by_role("list", name="Ⅱ-1-1 の主な事業や取り組み", exact=True)
    expect(again.get_by_role("listitem").filter(has_text="電子申請システムの導入")).to_contain_text("(再掲)")
    page.set_viewport_size(PHONE)
    page.screenshot(path="/tmp/author-plan-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path="/tmp/author-plan-desktop.png", full_page=True)

    # Each project's sheet opens.
    for code, name in (("1-1-1-01", "電子申請システムの導入"), ("1-1-1-02", "窓口キャッシュレス決済")):
        response = page.goto(f"/sheets/dx/{code}/")
        assert response.status == 200
        expect(page.get_by_role("heading", level=1, name="情報化事業シート")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(name)
        expect(page.get_by_role("main")).to_contain_text(code)
    page.screenshot(path="/tmp/author-sheet.png", full_page=True)

    # Adopted: the editor now warns that codes people use may change.
    page.goto("/plans/manage/dx/")
    page.get_by_role("link", name="計画の情報と階層を編集").click()
    page.get_by_label("策定中(情報推進課にだけ表示する)").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("note")).to_contain_text("全職員に公開されています")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("策定中")


def test_department_staff_cannot_open_the_editor_nor_see_the_plan_in_preparation(page, login, seeded):
    from accounts.models import User
    from plans import structure
    from projects import authoring

    authoring.create_plan(User.objects.get(username="demo-joho"), levels=[structure.LevelSpec("目標")],
                          code="draft", name="策定中の計画", start_year=2026, end_year=2030)
    login("demo-staff-a")
    expect(page.get_by_role("link", name="計画の編集")).to_have_count(0)
    assert page.goto("/plans/manage/").status == 403
    assert page.goto("/plans/draft/").status == 404
    page.goto("/plans/")
    expect(page.get_by_label("表示する計画").locator("option", has_text="策定中の計画")).to_have_count(0)


# ─── The try-out's findings: phones, messages in sight, codes of an adopted plan ───

OVERFLOW = """(root) => {
    // Elements that stick out of `root` (a panel's border) on either side.
    const box = root.getBoundingClientRect();
    return [...root.querySelectorAll("*")].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 1 && r.height > 1 && el.tagName !== "OPTION" && getComputedStyle(el).position !== "absolute"
            && (r.right > box.right + 0.5 || r.left < box.left - 0.5);
    }).map((el) => el.tagName + "." + el.className).slice(0, 5);
}"""


def assert_fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_the_plan_forms_and_the_panels_fit_the_screen(page, login):
    from plans.models import Placement

    repost = Placement.objects.filter(project__plan__code="second", is_home=False).select_related("item").first()
    login("demo-joho", next_url="/plans/manage/")
    page.set_viewport_size(PHONE)

    page.goto("/plans/manage/new/")
    expect(page.get_by_label("第3階層の番号の表記")).to_be_visible()
    assert_fits_the_phone(page)
    page.screenshot(path="/tmp/author-new-plan-phone.png", full_page=True)

    page.goto("/plans/manage/second/settings/")
    expect(page.get_by_label("第1階層の階層名")).to_have_value("目標")
    assert_fits_the_phone(page)
    page.screenshot(path="/tmp/author-settings-phone.png", full_page=True)

    page.goto(f"/plans/manage/second/?open=project-{repost.project_id}-{repost.item_id}")
    panel = page.get_by_role("region", name=re.compile(r"^事業 .* の編集$"))
    expect(panel.get_by_role("list", name=re.compile("の掲載先$")).get_by_text("(再掲)").first).to_be_visible()
    assert_fits_the_phone(page)
    assert panel.evaluate(OVERFLOW) == []
    panel.screenshot(path="/tmp/author-project-panel-phone.png")
    open_panel(page, repost.item.code)
    assert_fits_the_phone(page)


def test_an_adopted_plan_asks_before_its_codes_change_and_says_so_where_the_user_is(page, login):
    """The second plan is in use: ↑ on Ⅰ-1-2 asks first, and nothing changes when the
    answer is no. Messages of changes deep in the tree show there, in sight."""
    login("demo-joho", next_url="/plans/manage/second/")
    page.set_viewport_size(DESKTOP)
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Ⅰ-1-2 を上へ").click()
    expect(row(page, "Ⅰ-1-2")).to_be_visible()
    assert asked and "策定済みの計画です。Ⅰ-1-2 を上へ移すと Ⅰ-1-1 と番号が入れ替わり" in asked[0]
    expect(page.locator("[data-message]")).to_have_count(0)  # nothing was sent

    # Deep in the tree: the answer shows under the moved row, not 400 px above.
    deep = page.locator("li.editor-item--1").last.locator("li.editor-item--2").last
    deep_code = deep.locator("> .editor-row .code-label").inner_text()
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name=f"{deep_code} を上へ").click()
    message = page.locator("[data-message]")
    expect(message).to_contain_text("保存しました:")
    expect(message).to_be_in_viewport()
    expect(status(page)).to_contain_text("保存しました:")  # read out by the live region

    # A refusal deep in the tree: in the panel, in sight.
    panel = open_panel(page, deep_code)
    panel.get_by_role("button", name=f"{deep_code} を削除").click()
    expect(panel.locator("[data-message]")).to_contain_text("削除できません")
    expect(panel.locator("[data-message]")).to_be_in_viewport()
    page.screenshot(path="/tmp/author-message-in-place.png")
