"""A 中間見直し in the browser, on a desktop (1280 px) and a phone (390 px): the department
finds it by the years it reviews, enters the year the annual report lacks, and reads both
years side by side with their achievement. Screenshots go to /tmp/review-*.png for a person
to look at."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.test_cycle import sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TITLE = "第二期計画 中間見直し(平成28〜29年度)"


def midterm_of_shimin(seeded):
    """市民課's コンビニ収納 with targets 800 (2016) and 1,000 (2017), its 2016 annual report
    at 760, and クレジット収納 with no 2016 actual; then the 中間見直し."""
    from accounts.models import Section, User
    from governance.cycles.services import open_cycle
    from governance.models import CycleKind, IndicatorResult
    from plans.models import Plan
    from projects.models import Indicator, IndicatorTarget, ProjectSheet

    joho = User.objects.get(username="demo-joho")
    plan = Plan.objects.get(code="second")
    sheets = []
    for code, first in (("1-2-1-02", 800), ("1-2-1-03", 500)):
        sheet = ProjectSheet.objects.get(project__plan=plan, project__code=code)
        sheet.section = Section.objects.get(code="shimin")
        sheet.save()
        indicator = Indicator.objects.create(sheet=sheet, name="収納件数", unit="件", position=1)
        for year in plan.years:
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=first if year == 2016 else 1000)
        sheets.append(sheet)
    annual = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2016, deadline=date(2017, 5, 31))
    IndicatorResult.objects.filter(report__cycle=annual, report__sheet=sheets[0]).update(actual=760)
    midterm = open_cycle(user=joho, plan=plan, kind=CycleKind.MIDTERM, fiscal_year=2018, deadline=date(2019, 5, 31))
    return midterm, [midterm.reports.get(sheet=sheet) for sheet in sheets]


def test_department_enters_and_reads_both_years_of_a_midterm_review(page, seeded):
    _, (read, entered) = midterm_of_shimin(seeded)
    page.set_viewport_size(DESKTOP)
    sign_in(page, "demo-staff-a")
    page.goto("/cycles/mine/")
    page.get_by_role("row").filter(has_text=TITLE).filter(has_text="クレジット収納").get_by_role("link").first.click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()  # the breadcrumb
    page.get_by_role("link", name="実績を入力する").click()
    page.get_by_label("収納件数の平成28年度(2016年度)の実績値(件)").fill("450")
    page.get_by_label("収納件数の平成29年度(2017年度)の実績値(件)").fill("1,000")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("実績報告を保存しました。")).to_be_visible()
    table = page.locator("table.review-results")
    expect(table.locator("tr").nth(1)).to_contain_text("500")
    expect(table.locator("tr").nth(1)).to_contain_text("450")
    expect(table.locator("tr").nth(1)).to_contain_text("90.0%")
    expect(table.locator("tr").nth(2)).to_contain_text("100.0%")

    page.goto(read.get_absolute_url())
    expect(page.get_by_role("link", name="平成28年度(2016年度) 年次進行管理の報告")).to_be_visible()
    expect(page.locator("table.review-results")).to_contain_text("95.0%")
    page.screenshot(path="/tmp/review-report-1280.png", full_page=True)
    page.goto(f"/reports/{read.pk}/edit/")
    page.screenshot(path="/tmp/review-form-1280.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(entered.get_absolute_url())
    expect(page.locator("table.review-results")).to_be_visible()
    # The table scrolls inside its frame; the page itself does not widen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/review-report-390.png", full_page=True)
    page.goto(f"/reports/{read.pk}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/review-form-390.png", full_page=True)
