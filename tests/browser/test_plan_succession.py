"""From the second plan to a third, in the browser (issue #16):

情報推進課 drafts the third plan from the second, accepts the pre-filled fates for most
projects, merges the mail service into the Twitter project, ends 広報紙との連携, and adopts
the plan on 2021-03-25. 市民課 then sees the third plan's sheet of its carried project:
its purpose and indicator carried, the baseline moved to the last actual, no targets.
The second plan's 令和2年度 年次進行管理 and 最終見直し are still opened after adoption,
and a report of each runs to 判断済.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_cycle import sign_in as sign_in_page

pytestmark = pytest.mark.browser

TWITTER = ("1-1-1-02", "昭島市公式 Twitter(ツイッター)の利用促進")
MAIL = ("1-1-1-03", "昭島市携帯メール情報サービスによるタイムリーな情報発信")
KOHO = ("1-1-2-01", "広報紙とホームページの連携強化")
OBJECTIVE = "災害・イベント情報を即時に届ける"


@pytest.fixture
def reviewed(seeded):
    """The second plan as its last annual review (FY2019) left it: every project reported
    継続 but one 完了; the Twitter project belongs to 市民課, with one indicator (targets
    1,000 a year) whose FY2019 actual was 1,250."""
    from accounts.models import Section, User
    from governance.cycles.services import open_cycle
    from governance.models import CycleKind, ReportState
    from plans.models import Plan
    from projects.models import Indicator, IndicatorTarget, ProjectSheet

    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code=TWITTER[0])
    sheet.section = Section.objects.get(code="shimin")
    sheet.objective = OBJECTIVE
    sheet.save()
    indicator = Indicator.objects.create(sheet=sheet, position=1, name="フォロワー数", unit="人",
                                         baseline_value=Decimal(300), baseline_year=2015)
    for year in range(2016, 2021):
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=Decimal(1000))
    joho = User.objects.get(username="demo-joho")
    cycle = open_cycle(user=joho, plan=Plan.objects.get(code="second"), kind=CycleKind.ANNUAL, fiscal_year=2019,
                       deadline=date(2020, 5, 31))
    cycle.reports.update(state=ReportState.DECIDED, implementation_status="continuing", progress="on_plan",
                         direction="continue")
    cycle.reports.filter(sheet__project__code="3-3-1-01").update(direction="complete")
    cycle.reports.get(sheet=sheet).results.update(actual=Decimal(1250))
    return sheet


def sign_in(browser, browser_context_args, username):
    """A signed-in browser of its own (test_cycle.sign_in in a new context)."""
    return sign_in_page(browser.new_context(**browser_context_args).new_page(), username)


def row_of(page, code):
    """The succession table's row of the outgoing project `code` (its first cell)."""
    return page.locator(f"tr:has(> td:first-child > .code:text-is('{code}'))")


def test_the_third_plan_is_drafted_carried_adopted_and_the_second_plans_last_year_reviewed(
        browser, browser_context_args, reviewed):
    office = sign_in(browser, browser_context_args, "demo-joho")

    # 1. 次期計画を作成, from the plan list.
    office.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="計画の編集").click()
    office.get_by_role("link", name=re.compile("次期計画を作成.*第二期昭島市情報化推進計画の次")).click()
    office.get_by_label("計画コード").fill("third")
    office.get_by_label("計画名").fill("第三期昭島市情報化推進計画")
    expect(office.get_by_label("計画期間(開始年度)")).to_have_value("令和3年度")
    office.get_by_role("button", name="次期計画を作成").click()
    expect(office.get_by_role("heading", level=1, name="事業の引継ぎ")).to_be_visible()

    # 2. The fates come pre-filled from FY2019's 今後の方向性; merge one, end one, keep the rest.
    expect(row_of(office, TWITTER[0]).get_by_label(f"{TWITTER[1]}の引継ぎ区分")).to_have_value("continued")
    expect(row_of(office, "3-3-1-01").get_by_label(re.compile("の引継ぎ区分$"))).to_have_value("completed")
    mail = row_of(office, MAIL[0])
    mail.get_by_label(f"{MAIL[1]}の引継ぎ区分").select_option(label="統合")
    mail.get_by_label("統合先(統合)").select_option(label=f"{TWITTER[0]} {TWITTER[1]}")
    mail.get_by_label(f"{MAIL[1]}の理由").fill("SNS と一体で運用するため")
    koho = row_of(office, KOHO[0])
    koho.get_by_label(f"{KOHO[1]}の引継ぎ区分").select_option(label="完了")
    koho.get_by_label(f"{KOHO[1]}の理由").fill("連携の仕組みが整ったため")
    office.get_by_role("button", name="引継ぎを保存").click()
    expect(office.get_by_role("status")).to_contain_text(re.compile(r"前計画の事業 46 件の引継ぎを記録、事業 \d+ 件を作成しました。"))
    carried = row_of(office, TWITTER[0]).get_by_role("link", name=re.compile(re.escape(TWITTER[1])))
    expect(carried).to_have_count(1)
    expect(row_of(office, MAIL[0]).get_by_role("link", name=re.compile(re.escape(TWITTER[1])))).to_have_count(1)
    expect(row_of(office, KOHO[0]).get_by_role("link")).to_have_count(0)

    # 3. 策定 on a set date: the third plan becomes current.
    office.get_by_role("link", name="策定へ進む").click()
    office.get_by_label("策定日").fill("2021-03-25")
    office.get_by_role("button", name="策定して現行計画にする").click()
    expect(office.get_by_role("status")).to_contain_text("「第三期昭島市情報化推進計画」を策定し、現行計画にしました。")

    # 4. 市民課 sees the carried sheet of the third plan: its purpose, its indicator with the
    #    baseline moved to FY2019's 1,250, no targets for the new years.
    staff = sign_in(browser, browser_context_args, "demo-staff-a")
    staff.goto("/sheets/")
    staff.get_by_role("link", name=re.compile(re.escape(TWITTER[1]))).first.click()
    expect(staff).to_have_url(re.compile(r"/sheets/third/1-1-1-\d+/$"))
    expect(staff.get_by_text(OBJECTIVE).first).to_be_visible()
    indicator = staff.get_by_role("row").filter(has_text="フォロワー数")
    expect(indicator.first).to_contain_text(re.compile(r"基準値 1,?250.令和元年度."))
    expect(staff.get_by_text("1,000")).to_have_count(0)  # the second plan's targets stay there
    # The ended project is labelled ended on its page, the carried one shows both plans.
    staff.goto(f"/plans/second/projects/{KOHO[0]}/")
    expect(staff.get_by_text("終了した事業")).to_be_visible()
    staff.goto(f"/plans/second/projects/{TWITTER[0]}/")
    expect(staff.get_by_text(re.compile(r"継続:第三期昭島市情報化推進計画 1-1-1-\d+"))).to_be_visible()

    # 5. The second plan's last year is still reviewed: both cycles open from the cycle list.
    for kind in ("年次進行管理", "最終見直し"):
        office.goto("/cycles/")
        choice = office.get_by_role("form", name="計画の選択")
        choice.get_by_label("表示する計画").select_option("second")
        choice.get_by_role("button", name="表示").click()
        opening = office.get_by_role("form", name="第二期昭島市情報化推進計画の進行管理を開始する")
        opening.get_by_label("種類").select_option(label=kind)
        opening.get_by_label("対象年度").fill("令和2年度")
        opening.get_by_label("提出期限").fill("2021-05-31")
        opening.get_by_role("button", name="開始する").click()
        # A review is named by the years it reviews (2018-2019), a yearly cycle by its year.
        expect(office.get_by_role("heading", level=1)).to_have_text(
            {"年次進行管理": "令和2年度(2020年度) 年次進行管理",
             "最終見直し": "第二期計画 最終見直し(平成30年度〜令和元年度)"}[kind])
        run_to_decision(office, staff, kind)


def run_to_decision(office, staff, kind):
    """市民課 reports and submits in its browser; 情報推進課 confirms in its own; the bodies'
    findings are recorded by the meeting services (their pages are tested in test_cycle)."""
    from accounts.models import User
    from governance.cycles.services import decide_report, evaluate_report
    from governance.meetings.services import prepare_meeting
    from governance.models import AnnualReport, Body, BodyKind, CycleKind

    kinds = {"年次進行管理": CycleKind.ANNUAL, "最終見直し": CycleKind.FINAL}
    report = AnnualReport.objects.get(cycle__plan__code="second", cycle__kind=kinds[kind], cycle__fiscal_year=2020,
                                      sheet__project__code=TWITTER[0])
    staff.goto(f"/reports/{report.pk}/")
    staff.get_by_role("link", name="実績を入力する").click()
    staff.get_by_label("実施状況", exact=True).select_option(label="継続")
    staff.get_by_label("進捗度", exact=True).select_option(label="○ 計画どおり")
    staff.get_by_label("今後の方向性", exact=True).select_option(label="継続")
    staff.get_by_label("実施した内容", exact=True).fill("防災情報の発信を強化した。")
    # The final review asks each covered year (2018, 2019) that no annual report gives.
    actuals = staff.get_by_label(re.compile(r"フォロワー数の(.+年度\)の)?実績値"))
    expect(actuals.first).to_be_visible()
    for i in range(actuals.count()):
        actuals.nth(i).fill("1400")
    staff.get_by_role("button", name="保存する").click()
    staff.get_by_role("button", name="提出する").click()
    expect(staff.get_by_role("status")).to_contain_text("実績報告を提出しました。")

    office.goto(f"/reports/{report.pk}/")
    office.get_by_role("button", name="確認済みにする").click()
    expect(office.get_by_role("status")).to_have_text("実績報告を確認済みにしました。")

    joho = User.objects.get(username="demo-joho")
    report.refresh_from_db()
    for body_kind in (BodyKind.COMMITTEE, BodyKind.HEADQUARTERS):
        meeting = prepare_meeting(user=joho, body=Body.objects.get(kind=body_kind), cycle=report.cycle,
                                  title=f"{kind} 会議", held_on=date(2021, 6, 20), place="庁議室", reports=[report])
        if body_kind == BodyKind.COMMITTEE:
            report = evaluate_report(user=joho, report=report, meeting=meeting, evaluation="A")
        else:
            report = decide_report(user=joho, report=report, meeting=meeting, decision="continue")
    office.goto(f"/reports/{report.pk}/")
    expect(office.get_by_text(re.compile(r"状態:判断済"))).to_be_visible()
