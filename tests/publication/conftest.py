"""Data for the public pages: the second plan published with one published cycle
(every report decided), and everything that must never show, planted with strings
that a test looks for in every public response."""

from datetime import date

import pytest

from governance.cycles.services import open_cycle
from governance.meetings.services import prepare_meeting
from governance.models import AnnualReport, Body, BodyKind, CycleKind, ReportState
from governance.succession import services as succession
from plans import structure
from plans.models import Fate, Succession
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus
from publication import services
from tests.factories import make_user

TWITTER = "1-1-1-02"  # 昭島市公式 Twitter(ツイッター)の利用促進 (Ⅰ-1-1)
MAIL = "1-1-1-03"     # 昭島市携帯メール情報サービスによるタイムリーな情報発信

# Strings that exist in the data but must appear on no public page.
PLANTED = {
    "evaluation_comment": "検討会議内部意見ZQX",
    "decision_comment": "戦略本部内部指示ZQX",
    "work_done": "担当課の実施内容メモZQX",
    "problems": "担当課の課題メモZQX",
    "result_note": "実績の補足ZQX",
    "override_reason": "判定変更理由ZQX",
    "draft_sheet": "下書きシートの目的ZQX",
    "draft_report": "作成中の報告の内容ZQX",
    "minutes": "議事録の発言ZQX",
    "staff_name": "秘匿花子ZQX",
    "staff_email": "hidden.staff@city.akishima.example",
    "third_plan": "策定中の第三期計画ZQX",
    "third_project": "策定中の新規事業ZQX",
    "succession_reason": "引継ぎの内部理由ZQX",
    "unpublished_cycle": "平成29年度(2017年度) 年次進行管理",
}


@pytest.fixture
def ict(demo_users):
    return demo_users["demo-joho"]


@pytest.fixture
def second(seed):
    return seed["second"]


def decide_all(cycle, **fields):
    """Every report of the cycle as the 戦略本部 left it (判断済), with `fields`."""
    cycle.reports.update(state=ReportState.DECIDED, implementation_status="continuing", progress="on_plan",
                         direction="continue", decision="continue", **fields)


@pytest.fixture
def twitter_sheet(second, demo_users):
    """The Twitter project's sheet, complete, with one indicator (targets 1,000 every year) and a schedule."""
    staff = make_user("hidden-staff", position="staff", section="joho-suishin")
    staff.last_name, staff.email = PLANTED["staff_name"], PLANTED["staff_email"]
    staff.save()
    sheet = ProjectSheet.objects.get(project__plan=second, project__code=TWITTER)
    sheet.objective = "市の情報を即時に届ける"
    sheet.activities = "公式アカウントで情報を発信する"
    sheet.status = SheetStatus.COMPLETE
    sheet.updated_by = staff
    sheet.save()
    indicator = Indicator.objects.create(sheet=sheet, name="フォロワー数", unit="人", position=1)
    for year in range(2016, 2021):
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=1000)
    ScheduleEntry.objects.filter(sheet=sheet, fiscal_year=2016).update(planned="運用開始", actual="運用を開始した")
    # A draft sheet: its text is not public yet.
    draft = ProjectSheet.objects.get(project__plan=second, project__code=MAIL)
    draft.objective = PLANTED["draft_sheet"]
    draft.status = SheetStatus.DRAFT
    draft.save()
    return sheet


@pytest.fixture
def published(second, ict, twitter_sheet):
    """The second plan published; its FY2016 cycle decided and published (Twitter: 1,250
    followers, 125.0%); its FY2017 cycle decided for Twitter but not published, with a draft
    report; internal comments, minutes and a plan in preparation planted around them."""
    services.publish_plan(user=ict, plan=second)
    cycle = open_cycle(user=ict, plan=second, kind=CycleKind.ANNUAL, fiscal_year=2016, deadline=date(2017, 5, 31))
    twitter = cycle.reports.get(sheet=twitter_sheet)
    twitter.state = ReportState.EVALUATED
    twitter.save()
    body = Body.objects.get(kind=BodyKind.HEADQUARTERS)
    meeting = prepare_meeting(user=ict, body=body, cycle=cycle, title="戦略本部 第1回", held_on=date(2017, 7, 10),
                              place="庁議室", reports=[twitter])
    meeting.minutes = PLANTED["minutes"]
    meeting.save()
    decide_all(cycle)
    twitter.refresh_from_db()
    twitter.evaluation, twitter.evaluation_comment = "A", PLANTED["evaluation_comment"]
    twitter.decision_comment = PLANTED["decision_comment"]
    twitter.work_done, twitter.problems = PLANTED["work_done"], PLANTED["problems"]
    twitter.save()
    result = twitter.results.get()
    result.actual, result.note = 1250, PLANTED["result_note"]
    result.override_met, result.override_reason = True, PLANTED["override_reason"]
    result.save()
    services.publish_cycle(user=ict, cycle=cycle)

    later = open_cycle(user=ict, plan=second, kind=CycleKind.ANNUAL, fiscal_year=2017, deadline=date(2018, 5, 31))
    decide_all(later)
    AnnualReport.objects.filter(cycle=later).exclude(sheet=twitter_sheet).update(
        state=ReportState.DRAFT, work_done=PLANTED["draft_report"])

    third = succession.draft_next_plan(ict, second, code="third", name=PLANTED["third_plan"],
                                       start_year=2021, end_year=2025)
    leaf = third.items.order_by("-sort_key").first()
    new = structure.create_project(leaf, name=PLANTED["third_project"])
    link = Succession.objects.create(project=twitter_sheet.project, next_plan=third, fate=Fate.CONTINUED,
                                     reason=PLANTED["succession_reason"])
    link.successors.add(new)
    return {"plan": second, "cycle": cycle, "later": later, "third": third, "third_project": new,
            "twitter": twitter_sheet.project}
