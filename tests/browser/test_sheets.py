"""The 情報化事業シート in the browser: edit with history, section scoping, a stale save,
and bad input.

Selectors are the ones a person (or a screen reader) uses: roles, accessible names,
labels and visible text. Assertions are Playwright's `expect`, which waits.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo"

PLAN = "second"
# 住民票等のコンビニエンスストア交付システム導入 (Ⅰ-2-1, first project there): given to
# 市民部市民課 in these tests; seed sheets of department projects have no section.
SHIMIN_CODE = "1-2-1-01"
SHEET_URL = f"/sheets/{PLAN}/{SHIMIN_CODE}/"
EDIT_URL = f"{SHEET_URL}edit/"

SAVED = "情報化事業シートを保存しました。"
INVALID = "入力内容に誤りがあります。各項目のメッセージを確認してください。"
STALE = re.compile(r"このシートは、あなたが開いた後に更新されました\(更新者:情報 花子\)。保存はされていません。")


def url(live_server, path):
    return f"{live_server.url}{path}"


@pytest.fixture
def shimin_sheet(seeded):
    """The sheet of SHIMIN_CODE, given to 市民課 (demo-staff-a's and demo-kacho's section)."""
    from accounts.models import Section
    from projects.models import ProjectSheet

    sheet = ProjectSheet.objects.select_related("project").get(
        project__plan__code=PLAN, project__code=SHIMIN_CODE
    )
    sheet.section = Section.objects.get(code="shimin")
    sheet.save()
    return sheet


def sign_in(page, username):
    """Sign in through the login form on `page` (any browser context)."""
    page.goto("/accounts/login/?next=/plans/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    return page


def messages(page):
    return page.get_by_role("status")


def sheet_row(page, label):
    """The value cell of a row of the sheet layout (「実施根拠」, 「実施内容」 ...)."""
    return (
        page.get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=label, exact=True))
        .get_by_role("cell")
    )


def indicator_cells(page, name):
    """The cells (種類, 単位, then one per plan year 28年度…32年度) of an indicator's row."""
    header = page.get_by_role("rowheader", name=re.compile(rf"^{re.escape(name)}"))
    return header.locator("xpath=..").get_by_role("cell")


def history_entry(page, who, version):
    """The 履歴 entry of one save: 「<date> <name> — 第N版」."""
    return page.get_by_role("region").filter(
        has=page.get_by_role(
            "heading", level=3, name=re.compile(rf"{re.escape(who)}\s*— 第{version}版")
        )
    )


def change_row(entry, subject, label):
    """A row 対象 / 項目 / 変更前 / 変更後 of a change set."""
    return entry.get_by_role("row").filter(
        has=entry.page.get_by_role("cell", name=subject, exact=True)
    ).filter(has=entry.page.get_by_role("cell", name=label, exact=True))


def expect_change(entry, subject, label, before, after):
    row = change_row(entry, subject, label)
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(2)).to_have_text(before)
    expect(cells.nth(3)).to_have_text(after)


def sheet_state(code=SHIMIN_CODE):
    from projects.models import ProjectSheet

    sheet = ProjectSheet.objects.get(project__plan__code=PLAN, project__code=code)
    return {
        "version": sheet.version,
        "status": sheet.status,
        "legal_basis": sheet.legal_basis,
        "activities": sheet.activities,
        "start_year": sheet.start_year,
        "end_year": sheet.end_year,
        "indicators": list(sheet.indicators.values_list("name", flat=True)),
        "history": sheet.history.count(),
    }


# 1. ------------------------------------------------------------------------------------


def test_staff_member_adds_an_indicator_and_sees_each_target_change_in_history(
    page, live_server, shimin_sheet
):
    name = shimin_sheet.project.name
    indicator = "コンビニ交付の件数"
    sign_in(page, "demo-staff-a")

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="自課の事業").click()
    expect(page).to_have_url(url(live_server, "/sheets/"))
    expect(page.get_by_role("heading", level=1, name="自課の事業")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_contain_text("市民課")
    expect(row).to_contain_text("下書き")
    row.get_by_role("link", name=name, exact=True).click()

    expect(page).to_have_url(url(live_server, SHEET_URL))
    expect(page.get_by_role("heading", level=1, name="情報化事業シート")).to_be_visible()
    page.get_by_role("link", name="編集する").click()

    expect(page).to_have_url(url(live_server, EDIT_URL))
    expect(page.get_by_role("heading", level=1, name="情報化事業シートの編集")).to_be_visible()
    new = page.get_by_role("group", name="新しい指標を追加")
    new.get_by_label("指標名").fill(indicator)
    new.get_by_label("単位").fill("件")
    new.get_by_label("29年度の目標値", exact=True).fill("1200")
    page.get_by_role("button", name="下書き保存").click()

    expect(page).to_have_url(url(live_server, SHEET_URL))
    expect(messages(page)).to_have_text(SAVED)
    expect(page.get_by_text("状態:下書き / 第2版")).to_be_visible()
    cells = indicator_cells(page, indicator)
    expect(cells).to_have_count(2 + 5)  # 種類, 単位 and 28年度…32年度
    expect(cells.nth(0)).to_have_text("活動指標")
    expect(cells.nth(1)).to_have_text("件")
    expect(cells.nth(2)).to_have_text("")  # 28年度: not set
    expect(cells.nth(3)).to_have_text("1,200")  # 29年度, with a thousands separator

    history = page.get_by_role("heading", level=2, name="履歴")
    expect(history).to_be_visible()
    first = history_entry(page, "市民 一郎", 2)
    expect(first).to_have_count(1)
    subject = f"指標「{indicator}」の目標値(29年度)"
    expect_change(first, subject, "目標値", "", "1,200")
    expect_change(first, f"指標「{indicator}」", "指標名", "", indicator)
    expect_change(first, f"指標「{indicator}」", "単位", "", "件")

    # Change the same target again: a second entry, old and new value.
    page.get_by_role("link", name="編集する").click()
    expect(page).to_have_url(url(live_server, EDIT_URL))
    existing = page.get_by_role("group", name=f"指標 1:{indicator}")
    # (The form shows the stored decimal, 「1200.00」; the sheet prints 「1200」.)
    target = existing.get_by_label("29年度の目標値", exact=True)
    expect(target).to_have_value(re.compile(r"^1200(\.0+)?$"))
    target.fill("1500")
    page.get_by_role("button", name="下書き保存").click()

    expect(page).to_have_url(url(live_server, SHEET_URL))
    expect(messages(page)).to_have_text(SAVED)
    expect(indicator_cells(page, indicator).nth(3)).to_have_text("1,500")
    second = history_entry(page, "市民 一郎", 3)
    expect(second).to_have_count(1)
    expect_change(second, subject, "目標値", "1,200", "1,500")
    # Only the target changed in that save.
    expect(change_row(second, f"指標「{indicator}」", "指標名")).to_have_count(0)
    # Newest first; the first entry is still there, unchanged.
    entries = page.get_by_role("region", name=re.compile(r"の変更$"))
    expect(entries.first.get_by_role("heading", level=3)).to_contain_text("第3版")
    expect_change(history_entry(page, "市民 一郎", 2), subject, "目標値", "", "1,200")

    state = sheet_state()
    assert state["version"] == 3
    assert state["indicators"] == [indicator]


# 2. ------------------------------------------------------------------------------------


def test_other_section_can_read_but_not_edit_the_sheet(page, live_server, shimin_sheet):
    sign_in(page, "demo-staff-b")  # 環境課

    response = page.goto(EDIT_URL)
    assert response.status == 404
    expect(page.get_by_role("button", name="下書き保存")).to_have_count(0)
    expect(page.get_by_role("button", name="完成として保存")).to_have_count(0)
    expect(page.get_by_label("実施根拠")).to_have_count(0)

    response = page.goto(SHEET_URL)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1, name="情報化事業シート")).to_be_visible()
    expect(sheet_row(page, "事業名")).to_have_text(shimin_sheet.project.name)
    expect(sheet_row(page, "担当部署")).to_contain_text("市民課")
    expect(page.get_by_role("link", name="印刷用ページ")).to_be_visible()
    expect(page.get_by_role("link", name="編集する")).to_have_count(0)

    # 自課の事業 of 環境課 does not list it either.
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="自課の事業").click()
    expect(page.get_by_role("heading", level=1, name="自課の事業")).to_be_visible()
    expect(page.get_by_role("link", name=shimin_sheet.project.name, exact=True)).to_have_count(0)

    assert sheet_state()["version"] == 1


# 3. ------------------------------------------------------------------------------------


def test_stale_save_is_refused_and_keeps_what_the_second_person_typed(
    browser, browser_context_args, live_server, shimin_sheet
):
    first_context = browser.new_context(**browser_context_args)
    second_context = browser.new_context(**browser_context_args)
    try:
        office = sign_in(first_context.new_page(), "demo-joho")  # 情報 花子, 情報推進課
        staff = sign_in(second_context.new_page(), "demo-staff-a")  # 市民 一郎, 市民課

        # Both open the same edit form (第1版).
        for page in (office, staff):
            page.goto(EDIT_URL)
            expect(page.get_by_role("heading", level=1, name="情報化事業シートの編集")).to_be_visible()
            expect(page.get_by_text("第1版")).to_be_visible()

        activities = "コンビニ交付の対象証明書を拡大する。"
        office.get_by_label("実施内容").fill(activities)
        office.get_by_role("button", name="下書き保存").click()
        expect(messages(office)).to_have_text(SAVED)
        expect(sheet_row(office, "実施内容")).to_have_text(activities)

        legal_basis = "住民基本台帳法"
        staff.get_by_label("実施根拠").fill(legal_basis)
        staff.get_by_role("button", name="下書き保存").click()

        # Refused, in Japanese, with what happened in between.
        expect(staff).to_have_url(url(live_server, EDIT_URL))
        expect(messages(staff)).to_contain_text(STALE)
        expect(messages(staff)).not_to_contain_text(SAVED)
        between = staff.get_by_role("region", name="その間の変更")
        expect(between).to_be_visible()
        expect(between.get_by_role("heading", level=3)).to_contain_text("情報 花子")
        expect_change(between, "シート", "実施内容", "", activities)
        expect(change_row(between, "シート", "実施根拠")).to_have_count(0)
        # Their own input is still in the form; what they did not touch now shows
        # the other person's value, so saving again does not undo it.
        expect(staff.get_by_label("実施根拠")).to_have_value(legal_basis)
        expect(staff.get_by_label("実施内容")).to_have_value(activities)
        expect(staff.get_by_text("第2版")).to_be_visible()

        # Nothing of theirs was saved.
        state = sheet_state()
        assert state["version"] == 2
        assert state["legal_basis"] == ""
        assert state["activities"] == activities
        office.reload()
        expect(sheet_row(office, "実施根拠")).to_have_text("")
        expect(history_entry(office, "市民 一郎", 3)).to_have_count(0)

        # Having seen the conflict, saving again goes through.
        staff.get_by_role("button", name="下書き保存").click()
        expect(staff).to_have_url(url(live_server, SHEET_URL))
        expect(messages(staff)).to_have_text(SAVED)
        expect(sheet_row(staff, "実施根拠")).to_have_text(legal_basis)
        expect_change(history_entry(staff, "市民 一郎", 3), "シート", "実施根拠", "", legal_basis)
        # ... without undoing the other person's 実施内容.
        expect(sheet_row(staff, "実施内容")).to_have_text(activities)
        expect(change_row(history_entry(staff, "市民 一郎", 3), "シート", "実施内容")).to_have_count(0)
        state = sheet_state()
        assert state["version"] == 3
        assert (state["legal_basis"], state["activities"]) == (legal_basis, activities)
    finally:
        first_context.close()
        second_context.close()


# 4. ------------------------------------------------------------------------------------


def expect_field_error(field, message):
    """The message is shown with the field and tied to it (aria-describedby)."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    error = field.locator("xpath=..").get_by_role("alert")  # the field's .form-row
    expect(error).to_have_text(re.compile(re.escape(message)))
    expect(error).to_be_visible()


def test_negative_target_is_refused_next_to_the_field(page, live_server, shimin_sheet):
    before = sheet_state()
    sign_in(page, "demo-staff-a")
    page.goto(EDIT_URL)

    new = page.get_by_role("group", name="新しい指標を追加")
    new.get_by_label("指標名").fill("交付件数")
    new.get_by_label("29年度の目標値", exact=True).fill("-5")
    page.get_by_role("button", name="下書き保存").click()

    expect(page).to_have_url(url(live_server, EDIT_URL))
    expect(messages(page)).to_have_text(INVALID)
    target = page.get_by_role("group", name="新しい指標を追加").get_by_label("29年度の目標値", exact=True)
    expect(target).to_have_value("-5")
    expect_field_error(target, "目標値は0以上の数値を入力してください。")
    # Only that field is in error.
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)

    assert sheet_state() == before
    page.goto(SHEET_URL)
    expect(page.get_by_text("(指標が登録されていません)")).to_be_visible()
    expect(page.get_by_text("状態:下書き / 第1版")).to_be_visible()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("令和10年度", "令和2年度(2020年度)以前の年度を入力してください。"),
        ("平成99年度", "「平成99年度」は年度として読めません(平成にその年はありません)。"),
        ("abc", "「abc」は年度として読めません。例:令和2年度、平成32年度、2020"),
    ],
)
def test_unreadable_or_out_of_range_start_year_is_refused(
    page, live_server, shimin_sheet, typed, message
):
    before = sheet_state()
    sign_in(page, "demo-staff-a")
    page.goto(EDIT_URL)

    page.get_by_label("実施内容").fill("この入力は保存されない")
    page.get_by_label("事業期間(開始年度)").fill(typed)
    page.get_by_role("button", name="下書き保存").click()

    expect(page).to_have_url(url(live_server, EDIT_URL))
    expect(messages(page)).to_have_text(INVALID)
    start = page.get_by_label("事業期間(開始年度)")
    expect(start).to_have_value(typed)
    expect_field_error(start, message)
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.get_by_label("実施内容")).to_have_value("この入力は保存されない")

    assert sheet_state() == before
    page.goto(SHEET_URL)
    expect(sheet_row(page, "実施内容")).to_have_text("")
    expect(page.get_by_text("状態:下書き / 第1版")).to_be_visible()


def test_typing_letters_into_a_target_shows_an_error_and_keeps_the_stored_target(page, live_server, shimin_sheet):
    from decimal import Decimal

    from projects.models import Indicator, IndicatorTarget

    indicator = Indicator.objects.create(sheet=shimin_sheet, name="申請件数", unit="件", position=1)
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2017, value=Decimal("12"))
    sign_in(page, "demo-staff-a")
    page.goto(url(live_server, EDIT_URL))
    target = page.get_by_role("group", name="指標 1:申請件数").get_by_label("29年度の目標値", exact=True)
    target.fill("abc")
    expect(target).to_have_value("abc")  # a text box: the browser keeps and sends what was typed
    page.get_by_role("button", name="下書き保存").click()
    expect(page.get_by_text("数値を入力してください。").first).to_be_visible()
    expect(page.get_by_role("group", name="指標 1:申請件数").get_by_label("29年度の目標値", exact=True)).to_have_value("abc")
    assert IndicatorTarget.objects.get(indicator=indicator, fiscal_year=2017).value == Decimal("12")


# Finding: at 390 px the targets were stacked 576px-wide cells, their numbers off screen.

PHONE = {"width": 390, "height": 844}

# For each year cell of a row: its year label (the ::before drawn from data-label), the
# box of the value's text and the cell's box.
TARGET_BOXES_JS = """row => [...row.querySelectorAll('td.num')].map(td => {
  const range = document.createRange();
  range.selectNodeContents(td);
  const value = range.getBoundingClientRect();
  const cell = td.getBoundingClientRect();
  return {
    label: getComputedStyle(td, '::before').content.replace(/^"|"$/g, ''),
    text: td.textContent.trim(),
    value: {left: value.left, right: value.right, top: value.top, bottom: value.bottom},
    cell: {left: cell.left, right: cell.right, top: cell.top, height: cell.height},
    lineHeight: parseFloat(getComputedStyle(td).lineHeight),
  };
})"""


def test_each_target_is_readable_beside_its_year_on_a_phone(page, live_server, shimin_sheet):
    from decimal import Decimal

    from projects.models import Indicator, IndicatorTarget

    indicator = Indicator.objects.create(sheet=shimin_sheet, name="機器更新台数", unit="台", position=1)
    values = ["12", "16", "20", "1234567", "25"]
    for year, value in zip(range(2016, 2021), values):
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=Decimal(value))
    page.set_viewport_size(PHONE)
    sign_in(page, "demo-staff-a")
    page.goto(url(live_server, SHEET_URL))

    header = page.get_by_role("rowheader", name=re.compile("^機器更新台数"))
    row = header.locator("xpath=..")
    row.scroll_into_view_if_needed()
    cells = row.evaluate(TARGET_BOXES_JS)
    for cell in cells:
        # The value is on screen, not beyond a scrolling box's edge ...
        assert 0 <= cell["value"]["left"] and cell["value"]["right"] <= PHONE["width"], cell
        assert 0 <= cell["cell"]["left"] and cell["cell"]["right"] <= PHONE["width"], cell
        # ... and on the same line as its year label, which starts the cell.
        assert cell["cell"]["height"] < 2 * cell["lineHeight"] + 20, cell
        assert cell["value"]["top"] < cell["cell"]["top"] + cell["lineHeight"] + 10, cell
    assert [c["label"] for c in cells] == ["28年度", "29年度", "30年度", "31年度", "32年度"]
    assert [c["text"] for c in cells] == ["12", "16", "20", "1,234,567", "25"]
    # The page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # On a wide screen the same cells are a table again: values under their year's heading.
    page.set_viewport_size({"width": 1280, "height": 900})
    cells = indicator_cells(page, "機器更新台数")
    expect(cells).to_have_count(2 + 5)
    expect(cells.nth(2)).to_have_text("12")
    targets = page.get_by_role("table").filter(has=header)
    header = targets.get_by_role("columnheader", name="28年度", exact=True).bounding_box()
    value = cells.nth(2).bounding_box()
    assert abs(header["x"] - value["x"]) < 1


def test_sheet_list_keeps_sections_and_missing_items_readable_on_a_phone(page, live_server, shimin_sheet):
    page.set_viewport_size(PHONE)
    sign_in(page, "demo-staff-a")
    page.goto(url(live_server, "/sheets/"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=shimin_sheet.project.name, exact=True))
    cells = row.get_by_role("cell")
    section = cells.nth(2)
    expect(section).to_have_text("市民部市民課")
    # 「市民部市民課」 on one line, not one character per line.
    assert section.evaluate("""el => {
      const r = document.createRange(); r.selectNodeContents(el);
      return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
    }""") == 1
    # 不足している項目: wide enough to read a few items per line once scrolled to.
    missing = cells.nth(4)
    assert missing.bounding_box()["width"] >= 12 * 16
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
