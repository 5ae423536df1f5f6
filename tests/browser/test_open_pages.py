"""The public pages in a browser, as a citizen on a phone (390 px) uses them, not signed
in: from /open/ to the plan, to a project, its published result; each page fits the
screen and axe-core finds no serious or critical violation. Screenshots go to
/tmp/open-*.png for a person to look at."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_plan_book import PHONE, assert_fits

TWITTER = "1-1-1-02"


def publish():
    """The second plan published, with its FY2016 cycle decided and published (Twitter: ○, 継続)."""
    from accounts.models import User
    from governance.cycles.services import open_cycle
    from governance.models import CycleKind, ReportState
    from projects.models import ProjectSheet, SheetStatus
    from plans.models import Plan
    from publication import services

    second = Plan.objects.get(code="second")
    ict = User.objects.get(username="demo-joho")
    ProjectSheet.objects.filter(project__plan=second, project__code=TWITTER).update(
        status=SheetStatus.COMPLETE, objective="市の情報を即時に届ける")
    services.publish_plan(user=ict, plan=second)
    cycle = open_cycle(user=ict, plan=second, kind=CycleKind.ANNUAL, fiscal_year=2016,
                       deadline=date(2017, 5, 31))
    cycle.reports.update(state=ReportState.DECIDED, implementation_status="continuing", progress="on_plan",
                         direction="continue", decision="expand")
    services.publish_cycle(user=ict, cycle=cycle)


def test_a_citizen_reads_a_projects_published_result_on_a_phone(page, seeded):
    publish()
    page.set_viewport_size(PHONE)
    page.goto("/open/")
    expect(page.get_by_role("heading", level=1)).to_have_text("情報化推進計画と進行管理の結果")
    assert describe(axe_violations(page)) == ""
    assert_fits(page)
    page.get_by_role("link", name="第二期昭島市情報化推進計画").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第二期昭島市情報化推進計画")
    expect(page.locator(".tag--repost").first).to_contain_text("再掲")
    page.screenshot(path="/tmp/open-tree-phone.png", full_page=True)
    assert describe(axe_violations(page)) == ""
    assert_fits(page)
    page.get_by_role("link", name="昭島市公式 Twitter(ツイッター)の利用促進").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("昭島市公式 Twitter(ツイッター)の利用促進")
    results = page.get_by_role("table", name="進行管理の結果")
    expect(results.get_by_role("row", name="平成28年度(2016年度) 年次進行管理")).to_contain_text("拡充")
    expect(page.get_by_text("市の情報を即時に届ける")).to_be_visible()
    page.screenshot(path="/tmp/open-project-phone.png", full_page=True)
    assert describe(axe_violations(page)) == ""
    assert_fits(page)


def test_a_citizen_finds_a_project_by_name_reads_its_results_and_downloads_the_csv(page, seeded):
    """#18's walk: /open/ → search by name → the project's published result → the year's
    results page → the open data catalogue → the results CSV (UTF-8 with BOM)."""
    publish()
    page.goto("/open/")
    page.get_by_label("事業名・事業コードで探す").fill("ツイッター")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("「ツイッター」を含む事業(1件)")
    assert describe(axe_violations(page)) == ""
    page.get_by_role("link", name="昭島市公式 Twitter(ツイッター)の利用促進").click()
    results = page.get_by_role("table", name="進行管理の結果")
    expect(results.get_by_role("row", name="平成28年度(2016年度) 年次進行管理")).to_contain_text("拡充")
    page.goto("/open/plans/second/")
    page.get_by_role("link", name="平成28年度(2016年度) 年次進行管理の結果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("平成28年度(2016年度) 年次進行管理の結果")
    assert describe(axe_violations(page)) == ""
    page.goto("/open/data/")
    with page.expect_download() as download:
        page.locator('a[href="/open/data/results.csv"]').click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    assert TWITTER in data.decode("utf-8-sig")
