"""The yearly PDCA cycle in the browser, from opening to the revised sheet (plan p.25):

情報推進課 opens the 年次進行管理 for 平成28年度 → 市民課 reports the results and submits →
情報推進課 returns it with a reason → 市民課 corrects and resubmits → 情報推進課 confirms →
情報化推進検討会議 evaluates (A) → 情報化戦略本部 decides (縮小) → 市民課 lowers a later
target on its sheet and records the reflection → 反映済.

Two people, each in their own browser context: 情報 花子 (demo-joho, 情報推進課 = 事務局)
and 市民 一郎 (demo-staff-a, 市民課). Selectors are roles, accessible names, labels and
visible text; assertions are Playwright's `expect`, which waits.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo"

PLAN = "second"  # 第二次昭島市情報化推進計画, 平成28〜32年度 (2016-2020)
# 住民票等のコンビニエンスストア交付システム導入 (Ⅰ-2-1): given to 市民課 in this test.
CODE = "1-2-1-01"
SHEET_URL = f"/sheets/{PLAN}/{CODE}/"

INDICATOR = "コンビニ交付の件数"
UNIT = "件"
TARGETS = {2016: 1000, 2017: 1200, 2018: 1400, 2019: 1600, 2020: 1800}
LOWERED = {2019: 1300}  # 31年度, after 縮小

CYCLE = "平成28年度(2016年度) 年次進行管理"
RETURN_REASON = "指標の実績値の出典を補足欄に記入してください。"
NOTE = "住民記録システムのコンビニ交付件数(平成29年3月末)"
COMMITTEE = "情報化推進検討会議"
HEADQUARTERS = "情報化戦略本部"


@pytest.fixture
def shimin_sheet(seeded):
    """The sheet of CODE, given to 市民課, with one indicator and its targets for 2016-2020."""
    from accounts.models import Section
    from projects.models import Indicator, IndicatorTarget, ProjectSheet

    sheet = ProjectSheet.objects.select_related("project").get(
        project__plan__code=PLAN, project__code=CODE
    )
    sheet.section = Section.objects.get(code="shimin")
    sheet.save()
    indicator = Indicator.objects.create(sheet=sheet, position=1, kind="output", name=INDICATOR,
                                         unit=UNIT, direction="up")
    for year, value in TARGETS.items():
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=Decimal(value))
    return sheet


@pytest.fixture
def people(browser, browser_context_args, shimin_sheet):
    """Two signed-in browsers: 情報推進課 and 市民課."""
    contexts = [browser.new_context(**browser_context_args) for _ in range(2)]
    try:
        yield {
            "office": sign_in(contexts[0].new_page(), "demo-joho"),  # 情報 花子
            "staff": sign_in(contexts[1].new_page(), "demo-staff-a"),  # 市民 一郎
        }
    finally:
        for context in contexts:
            context.close()


# ─── Helpers ──────────────────────────────────────────────────────────────


def sign_in(page, username):
    page.goto("/accounts/login/?next=/plans/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    return page


def menu(page, name):
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name=name, exact=True).click()


def messages(page):
    return page.get_by_role("status")


def state_line(page, state):
    """「<code> / 市民課 / 状態:<state> / 最終更新 <date time>」 under the report's heading."""
    expect(page.get_by_text(re.compile(rf"状態:{state} / 最終更新 \d{{4}}/\d\d/\d\d \d\d:\d\d"))).to_be_visible()


def field(page, label):
    """The value (definition) of a term in a report's or a meeting's list of facts."""
    term = page.get_by_role("term").filter(has_text=re.compile(rf"^{re.escape(label)}$"))
    return term.locator("xpath=following-sibling::dd[1]")


def history_rows(page):
    """Rows of the 経過 table (日時, 操作, 状態, 操作した人, コメント)."""
    table = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="操作した人"))
    return table.locator("tbody").get_by_role("row")


def expect_event(page, index, action, states, actor, comment=None):
    cells = history_rows(page).nth(index).get_by_role("cell")
    expect(cells.nth(1)).to_have_text(action)
    expect(cells.nth(2)).to_have_text(states)
    expect(cells.nth(3)).to_have_text(actor)
    if comment is not None:
        expect(cells.nth(4)).to_have_text(comment)


def result_row(page):
    """The 指標の実績 row: 指標 (header), 種類, 目標値, 実績値, 達成率, 判定, 補足."""
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(INDICATOR)))


def open_report_from_my_list(staff, project_name, heading):
    """市民課's work list 「実績報告(自課)」: the report is under `heading`; open it."""
    menu(staff, "実績報告(自課)")
    expect(staff.get_by_role("heading", level=1, name="実績報告(自課)")).to_be_visible()
    expect(staff.get_by_role("heading", level=2, name=heading)).to_be_visible()
    table = staff.get_by_role("heading", level=2, name=heading).locator("xpath=following-sibling::div[1]")
    link = table.get_by_role("link", name=f"{CODE} {project_name}")
    expect(link).to_be_visible()
    link.click()
    expect(staff.get_by_role("heading", level=1, name=f"実績報告:{project_name}")).to_be_visible()


def open_report_from_cycle(office, project_name):
    menu(office, "進行管理")
    office.get_by_role("link", name=CYCLE).click()
    expect(office.get_by_role("heading", level=1, name=CYCLE)).to_be_visible()
    row = office.get_by_role("row").filter(has=office.get_by_role("cell", name=CODE, exact=True))
    row.get_by_role("link", name=project_name, exact=True).click()
    expect(office.get_by_role("heading", level=1, name=f"実績報告:{project_name}")).to_be_visible()


# ─── Steps ────────────────────────────────────────────────────────────────


def office_opens_cycle(office, deadline):
    menu(office, "進行管理")
    expect(office.get_by_role("heading", level=1, name="進行管理")).to_be_visible()
    expect(office.get_by_text("まだ進行管理はありません。")).to_be_visible()
    opening = office.get_by_role("region", name="進行管理を開始する")
    opening.get_by_label("種類").select_option(label="年次進行管理")
    opening.get_by_label("対象年度").fill("平成28年度")
    opening.get_by_label("提出期限").fill(deadline.isoformat())
    opening.get_by_role("button", name="開始する").click()

    expect(office.get_by_role("heading", level=1, name=CYCLE)).to_be_visible()
    expect(messages(office)).to_contain_text(re.compile(rf"{re.escape(CYCLE)}を開始し、\d+ 件の実績報告を作成しました。"))
    expect(office.get_by_text(f"提出期限 {deadline.year}年{deadline.month}月{deadline.day}日")).to_be_visible()
    row = office.get_by_role("row").filter(has=office.get_by_role("cell", name=CODE, exact=True))
    expect(row.get_by_role("cell").nth(2)).to_have_text("市民部市民課")
    expect(row.get_by_role("cell").nth(3)).to_have_text("作成中")


def staff_enters_results(staff, project_name):
    open_report_from_my_list(staff, project_name, "作成中・未提出(1 件)")
    state_line(staff, "作成中")
    # Nothing entered yet: the quality check lists what is missing.
    check = staff.get_by_role("region", name="入力内容の確認")
    expect(check).to_contain_text(f"指標「{INDICATOR}」の実績値がありません。")

    staff.get_by_role("link", name="実績を入力する").click()
    expect(staff.get_by_role("heading", level=1, name="実績の入力")).to_be_visible()
    staff.get_by_label("実施状況", exact=True).select_option(label="継続")
    staff.get_by_label("進捗度", exact=True).select_option(label="○ 計画どおり")
    staff.get_by_label("今後の方向性", exact=True).select_option(label="継続")
    staff.get_by_label("実施した内容", exact=True).fill(
        "平成29年1月からコンビニ交付を開始し、住民票の写し・印鑑登録証明書を交付した。"
    )
    results = staff.get_by_role("group", name=re.compile(rf"^{INDICATOR}"))
    expect(results).to_contain_text("目標値:1,000件")
    results.get_by_label(f"{INDICATOR}の実績値({UNIT})").fill("900")
    staff.get_by_role("button", name="保存する").click()

    expect(messages(staff)).to_have_text("実績報告を保存しました。")
    expect(field(staff, "実施状況")).to_have_text("継続")
    expect(field(staff, "進捗度")).to_have_text("○ 計画どおり")
    expect(field(staff, "今後の方向性")).to_have_text("継続")
    cells = result_row(staff).get_by_role("cell")
    expect(cells.nth(1)).to_have_text("1,000")  # 目標値 (平成28年度)
    expect(cells.nth(2)).to_have_text("900")  # 実績値
    expect(cells.nth(3)).to_have_text("90.0%")  # 達成率
    expect(staff.get_by_role("region", name="入力内容の確認")).to_have_count(0)


def staff_submits(staff):
    staff.get_by_role("button", name="提出する").click()
    expect(messages(staff)).to_have_text("実績報告を提出しました。情報推進課の確認をお待ちください。")
    state_line(staff, "提出済")
    # Locked for the department until it is returned.
    expect(staff.get_by_role("link", name="実績を入力する")).to_have_count(0)
    expect(staff.get_by_role("button", name="提出する")).to_have_count(0)


def office_returns(office, project_name):
    open_report_from_cycle(office, project_name)
    state_line(office, "提出済")
    office.locator("summary").filter(has_text="差し戻す").click()  # opens the return form
    office.get_by_label("差戻しの理由").fill(RETURN_REASON)
    office.get_by_role("button", name="差し戻す").click()
    expect(messages(office)).to_have_text(re.compile("実績報告を差し戻しました。担当課へのお知らせメールを送信待ちにしました。"))
    state_line(office, "差戻し中")


def staff_sees_return_and_resubmits(staff, project_name):
    open_report_from_my_list(staff, project_name, "差戻し中(1 件)")
    state_line(staff, "差戻し中")
    # 経過: 提出, then 差戻し with the reason, by 情報 花子.
    expect(history_rows(staff)).to_have_count(2)
    expect_event(staff, 0, "提出", "作成中 → 提出済", "市民 一郎")
    expect_event(staff, 1, "差戻し", "提出済 → 差戻し中", "情報 花子", RETURN_REASON)

    staff.get_by_role("link", name="実績を入力する").click()
    expect(staff.get_by_text("この報告は差し戻されています。")).to_be_visible()
    # What was entered before is still there.
    expect(staff.get_by_label(f"{INDICATOR}の実績値({UNIT})")).to_have_value(re.compile(r"^900(\.0+)?$"))
    staff.get_by_label(f"{INDICATOR}の補足").fill(NOTE)
    staff.get_by_role("button", name="保存する").click()
    expect(messages(staff)).to_have_text("実績報告を保存しました。")
    expect(result_row(staff).get_by_role("cell").nth(5)).to_have_text(NOTE)
    staff_submits(staff)


def office_confirms(office, project_name):
    open_report_from_cycle(office, project_name)
    state_line(office, "提出済")
    expect(result_row(office).get_by_role("cell").nth(5)).to_have_text(NOTE)
    office.get_by_role("button", name="確認済みにする").click()
    expect(messages(office)).to_have_text("実績報告を確認済みにしました。")
    state_line(office, "確認済")
    expect_event(office, 3, "確認", "提出済 → 確認済", "情報 花子")


def office_prepares_meeting(office, body, title, held_on, state):
    """「会議を準備する」 on the cycle page, with the report on the agenda; returns its URL."""
    menu(office, "進行管理")
    office.get_by_role("link", name=CYCLE).click()
    office.get_by_role("link", name="会議を準備する").click()
    expect(office.get_by_role("heading", level=1, name="会議の準備")).to_be_visible()
    office.get_by_label("会議体").select_option(label=body)
    office.get_by_label("会議名").fill(title)
    office.get_by_label("開催日").fill(held_on.isoformat())
    office.get_by_label("場所").fill("昭島市役所 第一会議室")
    agenda = office.get_by_role("group", name="議題とする実績報告")
    agenda.get_by_role("checkbox", name=re.compile(rf"^{CODE} .*\({state}\)$")).check()
    office.get_by_role("button", name="会議を作成する").click()

    expect(messages(office)).to_have_text("会議を準備しました。議題と出席者を確認してください。")
    expect(office.get_by_role("heading", level=1, name=title)).to_be_visible()
    return office.url


def meeting_item(page, project_name):
    return page.get_by_role("region", name=re.compile(rf"^\d+\. {CODE} {re.escape(project_name)}$"))


def office_records(office, project_name, field_label, choice, comment_label, comment, button, after):
    """The body's evaluation (検討会議) or decision (戦略本部) for one agenda item."""
    item = meeting_item(office, project_name)
    item.get_by_label(field_label).select_option(label=choice)
    item.get_by_label(comment_label).fill(comment)
    item.get_by_role("button", name=button).click()
    expect(messages(office)).to_have_text(re.compile(re.escape(f"{project_name}:記録しました。")))
    item = meeting_item(office, project_name)
    expect(item).to_contain_text(f"状態:{after}")
    expect(item.get_by_role("button", name=button)).to_have_count(0)


def expect_papers_pdf(page):
    """Ordered from the meeting's page, made by the worker, downloaded from the page."""
    meeting_url = page.url
    page.get_by_role("button", name="会議資料(PDF)を作成").click()
    expect(page.get_by_text("PDF の作成を受け付けました。")).to_be_visible()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    page.goto(meeting_url)
    link = page.get_by_role("region", name="会議資料(PDF)").get_by_role("link", name="ダウンロード")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def staff_revises_sheet(staff, project_name):
    """From the report (シートへの反映待ち), 「シートを見直す」: lower the 31年度 target."""
    open_report_from_my_list(staff, project_name, "シートへの反映待ち(1 件)")
    state_line(staff, "判断済")
    expect(field(staff, "戦略本部の判断")).to_contain_text("縮小")
    staff.get_by_role("link", name="シートを見直す").click()
    expect(staff).to_have_url(re.compile(rf"{re.escape(SHEET_URL)}edit/$"))
    expect(staff.get_by_role("heading", level=1, name="情報化事業シートの編集")).to_be_visible()
    group = staff.get_by_role("group", name=f"指標 1:{INDICATOR}")
    target = group.get_by_label("31年度の目標値", exact=True)
    expect(target).to_have_value(re.compile(r"^1600(\.0+)?$"))
    target.fill(str(LOWERED[2019]))
    staff.get_by_role("button", name="下書き保存").click()
    expect(staff).to_have_url(re.compile(rf"{re.escape(SHEET_URL)}$"))
    expect(messages(staff)).to_have_text("情報化事業シートを保存しました。")


def staff_records_reflection(staff, project_name):
    open_report_from_my_list(staff, project_name, "シートへの反映待ち(1 件)")
    staff.get_by_role("button", name="シートへの反映を記録する").click()
    expect(messages(staff)).to_have_text("シートへの反映を記録しました。")
    state_line(staff, "反映済")
    reflected = field(staff, "シートへの反映")
    expect(reflected).to_contain_text(re.compile(r"第\d+版のシートに反映"))
    expect(reflected.get_by_role("listitem")).to_have_count(0)  # no warning: the target went down
    expect(staff.get_by_role("button", name="シートへの反映を記録する")).to_have_count(0)


# ─── The test ─────────────────────────────────────────────────────────────


def test_full_yearly_cycle_from_opening_to_the_revised_sheet(people, shimin_sheet):
    office, staff = people["office"], people["staff"]
    name = shimin_sheet.project.name
    # Check: 情報推進課 opens the cycle; 市民課 reports. (A deadline still ahead, so that
    # nothing is overdue whatever day the test runs.)
    office_opens_cycle(office, deadline=timezone.localdate() + timedelta(days=30))
    staff_enters_results(staff, name)
    staff_submits(staff)

    # Asked back, corrected, confirmed.
    office_returns(office, name)
    staff_sees_return_and_resubmits(staff, name)
    office_confirms(office, name)

    # 情報化推進検討会議: evaluation A. 会長 = 総務部長 (総務 四郎).
    office_prepares_meeting(office, COMMITTEE, "平成29年度 第1回情報化推進検討会議",
                            date(2017, 5, 19), "確認済")
    expect(field(office, "会議体")).to_have_text(COMMITTEE)
    expect(field(office, "開催日・場所")).to_have_text("2017年5月19日 昭島市役所 第一会議室")
    expect(field(office, "議長")).to_contain_text("総務 四郎")
    expect(field(office, "出席者")).to_contain_text("課長 三郎")  # 市民課長
    expect_papers_pdf(office)
    office_records(office, name, "評価", "A 効果的に活用されている", "意見",
                   "コンビニ交付により窓口の混雑が緩和されている。", "評価を記録", "評価済")
    expect(meeting_item(office, name)).to_contain_text("評価:A 効果的に活用されている")

    # 情報化戦略本部: decision 縮小. 本部長 = 副市長 (副市長 五郎).
    office_prepares_meeting(office, HEADQUARTERS, "平成29年度 第1回情報化戦略本部",
                            date(2017, 6, 16), "評価済")
    expect(field(office, "会議体")).to_have_text(HEADQUARTERS)
    expect(field(office, "議長")).to_contain_text("副市長 五郎")
    expect_papers_pdf(office)
    office_records(office, name, "判断", "縮小", "理由・指示",
                   "利用の伸びに合わせ、平成31年度の目標値を見直すこと。", "判断を記録", "判断済")
    expect(meeting_item(office, name)).to_contain_text("判断:縮小")

    # Action: 市民課 revises the sheet and records the reflection.
    staff_revises_sheet(staff, name)
    staff_records_reflection(staff, name)
    expect_event(staff, 6, "シートへの反映", "判断済 → 反映済", "市民 一郎")

    from governance.models import AnnualReport
    from projects.models import IndicatorTarget

    report = AnnualReport.objects.get(sheet=shimin_sheet)
    assert report.state == "reflected"
    assert (report.evaluation, report.decision) == ("A", "reduce")
    assert report.reflection_flags == []
    assert IndicatorTarget.objects.get(indicator__sheet=shimin_sheet, fiscal_year=2019).value == 1300
