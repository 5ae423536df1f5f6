"""Issue #16, adoption: the outgoing plan stays fully usable for what remains.

After the third plan (令和3〜7年度) is made current, the second plan's last year
(令和2年度, FY2020) is still to be reviewed: its 年次進行管理 and its 最終見直し (計画5年目,
図3-3) are opened for the second plan, chosen on the cycle list, and run through
every step by the pages — report, submit, confirm, the 検討会議's evaluation and the
戦略本部's decision. FY2020 has ended (the tests run after it; core.fiscal).
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import fiscal
from governance.cycles import services
from governance.models import AnnualReport, Body, BodyKind, CycleKind, ReportState, ReviewCycle
from plans import structure
from plans.models import Plan
from tests.factories import adopt_next_plan
from tests.governance.conftest import report_form_data

LIST = reverse("governance:cycle_list")
OPEN = reverse("governance:cycle_open")


@pytest.fixture
def third(demo_users, shimin_sheets):
    assert fiscal.current_fiscal_year() > 2020  # the second plan's last year has ended
    return adopt_next_plan()


def open_for(client, plan_code, kind, year="令和2年度", deadline="2021-05-31"):
    url = f"{OPEN}?plan={plan_code}" if plan_code else OPEN
    return client.post(url, {"kind": kind, "fiscal_year": year, "deadline": deadline})


def record(client, cycle, report, body_kind, field, value):
    """情報推進課 prepares the body's meeting with the report on its agenda and records
    the body's evaluation or decision on the meeting's page."""
    body = Body.objects.get(kind=body_kind)
    response = client.post(reverse("governance:meeting_create", args=[cycle.pk]), {
        "body": body.pk, "title": f"{body.name} 令和3年度第1回", "held_on": "2021-06-20", "place": "庁議室",
        "reports": [report.pk]})
    assert response.status_code == 302, response.content.decode()
    meeting = cycle.meetings.get(body=body)
    response = client.post(reverse("governance:meeting_record", args=[meeting.pk, report.pk]),
                           {f"r{report.pk}-{field}": value})
    assert response.status_code == 302


@pytest.mark.parametrize("kind", [CycleKind.ANNUAL, CycleKind.FINAL])
def test_the_outgoing_plans_last_review_runs_to_the_decision(client, demo_users, shimin_sheets, third, kind):
    assert Plan.objects.current() == third
    joho, staff = demo_users["demo-joho"], demo_users["demo-staff-a"]
    client.force_login(joho)
    response = open_for(client, "second", kind)
    assert response.status_code == 302
    cycle = ReviewCycle.objects.get(plan__code="second", kind=kind)
    assert cycle.fiscal_year == 2020 and response.url == cycle.get_absolute_url()
    report = cycle.reports.get(sheet=shimin_sheets[0])

    client.force_login(staff)  # 市民課 reports and submits
    assert client.post(reverse("governance:report_edit", args=[report.pk]),
                       report_form_data(client, report)).status_code == 302
    assert client.post(reverse("governance:report_submit", args=[report.pk])).status_code == 302
    assert AnnualReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED

    client.force_login(joho)  # 情報推進課 checks, then records the bodies' findings
    assert client.post(reverse("governance:report_confirm", args=[report.pk])).status_code == 302
    record(client, cycle, report, BodyKind.COMMITTEE, "evaluation", "A")
    assert AnnualReport.objects.get(pk=report.pk).state == ReportState.EVALUATED
    record(client, cycle, report, BodyKind.HEADQUARTERS, "decision", "continue")

    report = AnnualReport.objects.get(pk=report.pk)
    assert (report.state, report.evaluation, report.decision) == (ReportState.DECIDED, "A", "continue")
    assert [e.to_state for e in report.events.order_by("pk")] == [
        ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.EVALUATED, ReportState.DECIDED]
    for url in (cycle.get_absolute_url(), reverse("governance:cycle_summary", args=[cycle.pk])):
        assert client.get(url).status_code == 200  # the cycle's pages read its own plan

    client.force_login(staff)  # and 市民課 records the revision of its sheet
    assert client.post(reverse("governance:report_reflect", args=[report.pk])).status_code == 302
    assert AnnualReport.objects.get(pk=report.pk).state == ReportState.REFLECTED


def test_without_a_choice_the_form_opens_a_cycle_of_the_current_plan(client, demo_users, third):
    """令和2年度 is outside the third plan: refused with the plan's own period, nothing made."""
    client.force_login(demo_users["demo-joho"])
    response = open_for(client, None, CycleKind.ANNUAL)
    assert response.status_code == 400
    assert "令和2年度(2020年度)は計画期間" in response.content.decode()
    assert not ReviewCycle.objects.exists()


def test_the_list_offers_the_second_plan_and_its_form_keeps_the_choice(client, demo_users, third):
    client.force_login(demo_users["demo-joho"])
    page = client.get(LIST, {"plan": "second"}).content.decode()
    assert f'action="{OPEN}?plan=second"' in page
    assert "第二期昭島市情報化推進計画(平成28年度(2016年度)〜令和2年度(2020年度))の、" in page
    assert f'action="{OPEN}?plan=third"' in client.get(LIST).content.decode()  # the current plan by default


def test_a_plan_in_preparation_has_no_cycles(client, demo_users, third):
    draft = structure.create_plan(levels=[structure.LevelSpec("施策")], code="draft", name="第四期(案)",
                                  start_year=2016, end_year=2020)
    client.force_login(demo_users["demo-joho"])
    page = client.get(LIST, {"plan": "draft"}).content.decode()
    assert "策定中の計画では進行管理を開始できません" in page and f"{OPEN}?plan=draft" not in page
    response = open_for(client, "draft", CycleKind.ANNUAL)
    assert response.status_code == 400
    assert "第四期(案)は策定中のため、進行管理を開始できません" in response.content.decode()
    with pytest.raises(ValidationError, match="策定中"):
        services.open_cycle(user=demo_users["demo-joho"], plan=draft, kind=CycleKind.ANNUAL, fiscal_year=2020,
                            deadline=date(2021, 5, 31))
    assert not ReviewCycle.objects.exists()


def test_departments_cannot_open_a_cycle_nor_name_a_plan_they_cannot_see(client, demo_users, third):
    structure.create_plan(levels=[structure.LevelSpec("施策")], code="draft", name="第四期(案)",
                          start_year=2026, end_year=2030)
    client.force_login(demo_users["demo-staff-a"])
    assert open_for(client, "second", CycleKind.ANNUAL).status_code == 403
    assert client.get(LIST, {"plan": "draft"}).status_code == 404
    assert not ReviewCycle.objects.exists()
