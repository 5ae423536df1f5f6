"""Excel in the browser: department staff download their section's workbook,
change one result offline (edited here with openpyxl, as Excel would), upload it,
see the preview with that one change, confirm, and find it in the sheet's 履歴."""


import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PLAN = "second"
CODE = "1-2-1-02"
YEAR = "平成28年度(2016年度)"
RESULT = "コンビニ収納を開始し、周知を行った"


@pytest.fixture
def shimin_sheet(seeded):
    from accounts.models import Section
    from projects.models import ProjectSheet, ScheduleEntry

    sheet = ProjectSheet.objects.get(project__plan__code=PLAN, project__code=CODE)
    sheet.section = Section.objects.get(code="shimin")
    sheet.save()
    ScheduleEntry.objects.filter(sheet=sheet).update(planned="周知")
    return sheet



def template_with_a_result(page, tmp_path):
    """The section's template downloaded from the page, with RESULT typed into one schedule row."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name="自課の入力用ファイルを取り出す(xlsx)").click()
    path = tmp_path / "template.xlsx"
    download_info.value.save_as(path)
    book = load_workbook(path)
    sheet = book["スケジュール"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("事業コード")].value == CODE and row[headers.index("年度")].value == YEAR:
            row[headers.index("実績")].value = RESULT
    book.save(path)
    return path


def test_template_edited_offline_is_previewed_confirmed_and_in_history(login, shimin_sheet, tmp_path):
    from accounts.models import User

    display_name = User.objects.get(username="demo-staff-a").display_name
    page = login("demo-staff-a", next_url="/data/")
    page.get_by_role("link", name="Excel 入出力").click()
    path = template_with_a_result(page, tmp_path)

    page.get_by_role("link", name="ファイルを選んで取り込む").click()
    page.get_by_label("ファイル").set_input_files(str(path))
    page.get_by_role("button", name="確認する").click()

    expect(page.get_by_role("heading", name="取り込む内容の確認")).to_be_visible()
    changes = page.locator("table.preview-changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text(CODE)
    expect(changes.first).to_contain_text(RESULT)
    page.get_by_role("button", name="この内容で取り込む").click()
    expect(page.get_by_role("status")).to_contain_text("1 行を取り込みました")

    page.goto(f"/sheets/{PLAN}/{CODE}/")
    newest = page.locator("section.history-set").first
    expect(newest).to_contain_text(RESULT)
    expect(newest.get_by_role("heading")).to_contain_text(display_name)


# Finding: at 390 px the preview wrapped 「シー/ト」 and codes mid-word.

LINES_JS = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return range.getClientRects().length ? new Set([...range.getClientRects()].map(r => Math.round(r.top))).size : 0;
}"""


def test_preview_keeps_short_labels_and_codes_on_one_line_on_a_phone(login, shimin_sheet, tmp_path):
    page = login("demo-staff-a", next_url="/data/")
    page.set_viewport_size({"width": 390, "height": 844})
    path = template_with_a_result(page, tmp_path)
    page.goto("/data/import/")
    page.get_by_label("ファイル").set_input_files(str(path))
    page.get_by_role("button", name="確認する").click()

    table = page.locator("table.preview-changes")
    expect(table).to_be_visible()
    for cell in (table.get_by_role("columnheader", name="シート"), table.locator("tbody td").nth(0),
                 table.locator("tbody td").nth(2), table.locator("tbody td").nth(3)):
        assert cell.evaluate(LINES_JS) == 1, cell.inner_text()
    # The page itself does not scroll sideways: the table scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
