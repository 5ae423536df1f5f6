"""情報推進課 corrects the 検討会議's evaluation as recorded, then closes (確定) the cycle
(issue #17): the correction shows in the report's 経過 with its reason; once closed,
the report offers no correction any more and the cycle says 確定 with the day."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CODE = "1-2-1-02"  # 市税等のコンビニエンスストア収納の利用促進, given to 市民課 here
REASON = "会議録と照合したところ、評価はAでした"


@pytest.fixture
def evaluated_report(seeded):
    """The 平成28年度 cycle with CODE's report evaluated B by the 検討会議."""
    from accounts.models import Section, User
    from governance.cycles import services
    from governance.meetings.services import prepare_meeting
    from governance.models import Body, BodyKind, CycleKind
    from projects.models import ProjectSheet

    joho, staff = User.objects.get(username="demo-joho"), User.objects.get(username="demo-staff-a")
    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code=CODE)
    sheet.section = Section.objects.get(code="shimin")
    sheet.save()
    cycle = services.open_cycle(user=joho, plan=sheet.project.plan, kind=CycleKind.ANNUAL, fiscal_year=2016,
                                deadline=date(2017, 5, 31))
    report = cycle.reports.get(sheet=sheet)
    report.implementation_status, report.progress, report.direction = "continuing", "on_plan", "continue"
    report.work_done = "コンビニ収納の周知を行った。"
    report.save()
    services.submit_report(user=staff, report=report)
    report = services.confirm_report(user=joho, report=report)
    meeting = prepare_meeting(user=joho, body=Body.objects.get(kind=BodyKind.COMMITTEE), cycle=cycle,
                              title="第1回 検討会議", held_on=date(2017, 6, 20), place="庁議室", reports=[report])
    return services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="B")


def test_the_ict_office_corrects_an_evaluation_and_closes_the_cycle(login, evaluated_report):
    page = login("demo-joho", next_url=evaluated_report.get_absolute_url())

    page.get_by_text("検討会議の評価を訂正する").click()
    correction = page.locator("details").filter(has_text="検討会議の評価を訂正する")
    correction.get_by_role("combobox", name=re.compile("^評価")).select_option(label="A 効果的に活用されている")
    correction.get_by_label("訂正の理由").fill(REASON)
    correction.get_by_role("button", name="評価を訂正する").click()

    expect(page.get_by_role("status")).to_contain_text("検討会議の評価を訂正しました")
    expect(page.locator("dd").filter(has_text="第1回 検討会議")).to_contain_text("A 効果的に活用されている")
    row = page.get_by_role("row").filter(has_text="評価の訂正")
    expect(row).to_contain_text("評価済(変更なし)")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("情報 花子")

    page.get_by_role("link", name=str(evaluated_report.cycle)).first.click()
    page.get_by_text("この進行管理を確定する").click()
    page.get_by_label("判断まで済んでいない実績報告を残したまま確定する").check()
    page.get_by_label("確定の理由・メモ").fill("他の事業は報告対象外のため")
    page.get_by_label(re.compile("変更できなくなることを確認しました")).check()
    page.get_by_role("button", name="確定する", exact=True).click()

    today = timezone.localdate()
    expect(page.get_by_role("status")).to_contain_text("を確定しました")
    expect(page.get_by_text(f"確定({today.year}年{today.month}月{today.day}日)").first).to_be_visible()
    page.goto(evaluated_report.get_absolute_url())
    expect(page.get_by_text("内容・評価・判断は変更できません")).to_be_visible()
    expect(page.get_by_text("検討会議の評価を訂正する")).to_have_count(0)
