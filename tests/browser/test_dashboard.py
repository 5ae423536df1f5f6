"""The executive's dashboard in the browser, and a PDF book ordered from it.

副市長 五郎 (demo-exec, 情報化戦略本部) signs in and starts on the dashboard, narrows it
to 目標Ⅰ in 平成28年度 with the form, follows a figure to the projects behind it,
then orders the plan as a PDF, waits for it and downloads it.

The worker does not run in the tests: the test runs the queue once itself, as
`manage.py db_worker` would (the live server shares the database).
"""

import re
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PLAN = "second"  # 第二期昭島市情報化推進計画, 平成28〜32年度 (2016-2020)
PLAN_NAME = "第二期昭島市情報化推進計画"

# Sheets given to sections for the test, and their FY2016 reports:
# code: (section, state, 進捗度)
REPORTS_2016 = {
    "1-1-1-01": ("kikaku-seisaku", "confirmed", "on_plan"),  # 目標Ⅰ
    "1-2-1-01": ("shimin", "submitted", "on_plan"),  # 目標Ⅰ
    "1-2-1-02": ("nozei", "confirmed", "behind"),  # 目標Ⅰ
    "1-3-1-01": ("shimin", "draft", "on_plan"),  # 目標Ⅰ, not yet reported
    "2-1-1-05": ("shimin", "confirmed", "on_plan"),  # 目標Ⅱ
    "3-1-1-01": ("kankyo", "submitted", "on_plan"),  # 目標Ⅲ
}
# 目標Ⅰ, ○ 計画どおり, reported: the projects behind the figure 「2」.
BEHIND_THE_FIGURE = ["1-1-1-01", "1-2-1-01"]


@pytest.fixture
def cycles(seeded):
    """平成28年度 with figures (REPORTS_2016) and 平成29年度 just opened (the latest)."""
    from accounts.models import Section, User
    from governance.cycles.services import open_cycle
    from governance.models import AnnualReport, CycleKind
    from plans.models import Plan
    from projects.models import ProjectSheet

    for code, (section, _, _) in REPORTS_2016.items():
        ProjectSheet.objects.filter(project__plan__code=PLAN, project__code=code).update(
            section=Section.objects.get(code=section))
    joho = User.objects.get(username="demo-joho")
    plan = Plan.objects.get(code=PLAN)  # (`seeded` lists only the plans it had to create)
    opened = {year: open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=year,
                               deadline=date(year + 1, 5, 31)) for year in (2016, 2017)}
    for code, (_, state, progress) in REPORTS_2016.items():
        AnnualReport.objects.filter(cycle=opened[2016], sheet__project__code=code).update(
            state=state, implementation_status="continuing", progress=progress, direction="continue",
            work_done="実施した")
    AnnualReport.objects.filter(cycle=opened[2017], sheet__project__code="1-1-1-01").update(
        state="submitted", implementation_status="continuing", progress="behind", direction="continue",
        work_done="実施した")
    return opened


def menu(page, name):
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name=name, exact=True).click()


def test_executive_follows_a_figure_and_downloads_the_plan_pdf(page, login, cycles, settings, tmp_path):
    from plans.models import Project

    settings.MEDIA_ROOT = str(tmp_path)
    names = dict(Project.objects.filter(plan__code=PLAN).values_list("code", "name"))

    # Signing in lands on the dashboard, showing the latest year (none has been evaluated yet).
    login("demo-exec", next_url="/")
    expect(page.get_by_role("heading", level=1, name="計画の進捗ダッシュボード")).to_be_visible()
    expect(page.get_by_text("平成29年度(2017年度) 年次進行管理:対象")).to_be_visible()

    # Narrow it to 目標Ⅰ in 平成28年度 with the form.
    form = page.get_by_role("form", name="表示の条件")
    form.get_by_label("年度", exact=True).select_option(label="平成28年度(2016年度)")
    form.get_by_label("項目", exact=True).select_option(value="1")
    form.get_by_role("button", name="表示").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?(?=.*\bplan=second\b)(?=.*\byear=2016\b)(?=.*\bitem=1\b)"))
    expect(page.get_by_text(re.compile(r"平成28年度\(2016年度\) 年次進行管理:対象 \d+ 事業のうち 3 事業が報告済み"))) \
        .to_be_visible()
    expect(form.get_by_label("年度", exact=True)).to_have_value("2016")
    expect(form.get_by_label("項目", exact=True)).to_have_value("1")
    expect(page.get_by_role("rowheader", name=re.compile(r"^目標Ⅱ"))).to_have_count(0)

    # The figure: 目標Ⅰ, ○ 計画どおり, 2 projects (the draft and 目標Ⅱ's are not in it).
    figure = page.get_by_role("link", name=re.compile(r"^目標Ⅰ .* ○ 計画どおり 2件$"))
    expect(figure).to_have_text("2")
    figure.click()
    expect(page.get_by_role("heading", level=1, name="該当する事業")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dashboard/projects/\?(?=.*\byear=2016\b)(?=.*\bitem=1\b)"
                                        r"(?=.*\bfield=progress\b)(?=.*\bvalue=on_plan\b)"))
    rows = page.get_by_role("table").locator("tbody").get_by_role("row")
    expect(rows).to_have_count(len(BEHIND_THE_FIGURE))
    for row, code in zip(rows.all(), BEHIND_THE_FIGURE):
        expect(row.get_by_role("cell").nth(0)).to_have_text(code)
        expect(row.get_by_role("link")).to_have_text(names[code])
        expect(row.get_by_role("cell").nth(4)).to_have_text("○ 計画どおり")
    # And back to the same view of the dashboard.
    page.get_by_role("link", name="← ダッシュボードに戻る").click()
    expect(page.get_by_role("form", name="表示の条件").get_by_label("項目", exact=True)).to_have_value("1")

    # Order the plan as a PDF.
    menu(page, "PDF")
    expect(page.get_by_role("heading", level=1, name="PDF の作成")).to_be_visible()
    expect(page.get_by_label("表示する計画")).to_have_value(PLAN)
    page.get_by_role("button", name="計画書の PDF を作成").click()
    expect(page.get_by_role("heading", level=1, name=PLAN_NAME)).to_be_visible()
    expect(page.get_by_text("PDF の作成を受け付けました。")).to_be_visible()
    expect(page.get_by_text("作成を待っています。")).to_be_visible()
    status_url = page.url

    # The worker's turn, then the status page says it is ready.
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    page.goto(status_url)
    expect(page.get_by_text(re.compile(r"できあがりました"))).to_be_visible()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="PDF をダウンロード").click()
    download = downloading.value
    assert download.suggested_filename == f"{PLAN_NAME}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The list of books shows it as done.
    menu(page, "PDF")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=PLAN_NAME, exact=True))
    expect(row.get_by_role("cell").nth(2)).to_have_text("完成")
    expect(row.get_by_role("link", name="ダウンロード")).to_be_visible()


def test_cio_still_sees_last_years_evaluated_results_after_a_new_cycle_is_opened(page, login, seeded):
    """Every April 情報推進課 opens the new year's cycle: the CIO's landing page stays on
    the year the 検討会議 has evaluated, says so, and keeps its headline (#17)."""
    from accounts.models import Section, User
    from governance.cycles.services import open_cycle
    from governance.models import AnnualReport, CycleKind
    from plans.models import Plan
    from projects.models import ProjectSheet

    for code, (section, _, _) in REPORTS_2016.items():
        ProjectSheet.objects.filter(project__plan__code=PLAN, project__code=code).update(
            section=Section.objects.get(code=section))
    joho = User.objects.get(username="demo-joho")
    plan = Plan.objects.get(code=PLAN)
    cycle = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2016, deadline=date(2017, 5, 31))
    for code, (_, state, progress) in REPORTS_2016.items():
        # The confirmed ones have since been evaluated by the 検討会議.
        report = AnnualReport.objects.get(cycle=cycle, sheet__project__code=code)
        report.state = "evaluated" if state == "confirmed" else state
        report.implementation_status, report.progress, report.direction = "continuing", progress, "continue"
        report.work_done = "実施した"
        report.save()
    # ○: 1-1-1-01, 1-2-1-01, 2-1-1-05, 3-1-1-01 · △: 1-2-1-02 · every other report 未報告.
    unreported = cycle.reports.count() - 5

    def shows_2016():
        expect(page.get_by_text("平成28年度を表示しています(検討会議の評価・戦略本部の判断が始まった最新の年度)")).to_be_visible()
        expect(page.get_by_role("form", name="表示の条件").get_by_label("年度", exact=True)).to_have_value("2016")
        headline = page.get_by_role("region", name="平成28年度の進捗度(前年度との比較)")
        expect(headline.get_by_role("listitem")).to_have_text([
            "計画どおり 4件 前年度なし", "計画を下回っている 1件 前年度なし", "未実施・評価対象外 0件 前年度なし",
            f"未報告 {unreported}件 前年度なし"])

    login("demo-exec", next_url="/")
    shows_2016()
    open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2017, deadline=date(2018, 5, 31))
    page.reload()
    shows_2016()
    # The new year is one choice away, and the trend marks the years not started.
    expect(page.get_by_role("rowheader", name="平成30年度(2018年度)(未開始)")).to_be_visible()
    # 「遅れている事業」 leads to the project behind: 1-2-1-02 (△), with its section.
    behind = page.get_by_role("region", name=re.compile("遅れている事業・未報告の事業"))
    row = behind.get_by_role("row").filter(has_text="1-2-1-02")
    expect(row).to_contain_text("△ 計画を下回っている")
    expect(row).to_contain_text("納税課")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("実績報告")
    expect(page.locator("main")).to_contain_text("1-2-1-02")
    page.go_back()
    # The dashboard on paper, as it is shown: the same headline.
    with page.expect_download() as downloading:
        page.get_by_role("link", name="印刷・PDF(この表示のまま)").click()
    download = downloading.value
    assert download.suggested_filename == "dashboard-second-2016.pdf"
    text = subprocess.run(["pdftotext", "-raw", download.path(), "-"], capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    assert "計画どおり 4件" in flat and "計画を下回っている 1件" in flat and f"未報告 {unreported}件" in flat
    assert "1-2-1-02" in flat


def test_a_phone_gets_charts_it_can_read(page, login, cycles):
    """At 390px the dashboard draws each chart in its narrow layout, its text at about
    12px (the wide chart shrunk to fit printed it at about 7px), and the wide one is hidden."""
    page.set_viewport_size({"width": 390, "height": 844})
    login("demo-exec", next_url="/dashboard/?year=2016")
    narrow = page.locator(".chart__narrow svg").first
    expect(narrow).to_be_visible()
    expect(page.locator(".chart__wide svg").first).to_be_hidden()
    font_px = narrow.evaluate("svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * 12")
    assert font_px >= 11, font_px
    # Nothing on the page is wider than the screen (tables scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_phone_shows_the_sheets_yearly_targets_on_the_print_page(page, login, seeded):
    """The print page (A4 layout) on a phone: each year's target is on screen beside its year."""
    page.set_viewport_size({"width": 390, "height": 844})
    login("demo-joho", next_url="/sheets/second/1-2-1-01/print/")
    from projects.models import Indicator, IndicatorTarget, ProjectSheet

    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code="1-2-1-01")
    indicator = Indicator.objects.create(sheet=sheet, position=9, name="交付件数", unit="件")
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2018, value=1234)
    page.reload()
    cell = page.locator("table.targets td[data-label='30年度']").last
    expect(cell).to_have_text("1,234")
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
