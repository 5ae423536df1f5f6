"""情報推進課's monitor of what is going stale (governance.dashboard.monitor): sheets not
updated for a chosen number of months, sections with sheets and no one to act for them,
reports still being written as the deadline comes."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Position, Section
from governance.cycles.services import open_cycle
from governance.dashboard.monitor import months_before
from governance.models import AnnualReport, CycleKind, CycleStatus, ReportState
from projects.models import ProjectSheet
from projects.services import ensure_sheets
from tests.factories import make_plan, make_user

MONITOR = "/dashboard/monitor/"


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 12, 5), 12, date(2025, 12, 5)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),  # February has no 31st: its last day
    (date(2024, 3, 31), 1, date(2024, 2, 29)),  # a leap year
    (date(2026, 1, 15), 3, date(2025, 10, 15)),  # across the new year
])
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


@pytest.fixture
def plan(demo_users):
    """A plan of 6 sheets: 0-2 in 市民課 (which has staff), 3-5 in 課税課."""
    plan = make_plan(code="mon", goals=1, policies=1, measures=1, projects=6, reposts=False)
    ensure_sheets(plan=plan)
    sheets = list(ProjectSheet.objects.filter(project__plan=plan).order_by("project__code"))
    sections = {code: Section.objects.get(code=code) for code in ("shimin", "kazei")}
    for i, sheet in enumerate(sheets):
        ProjectSheet.objects.filter(pk=sheet.pk).update(section=sections["shimin" if i < 3 else "kazei"])
    return plan


def sheets_of(plan):
    return list(ProjectSheet.objects.filter(project__plan=plan).order_by("project__code"))


@pytest.fixture
def joho_client(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def test_sheets_not_updated_for_the_chosen_months_oldest_first(joho_client, plan):
    now = timezone.now()
    sheets = sheets_of(plan)
    # .update(): auto_now would otherwise set the time of the save.
    for sheet, days_ago in zip(sheets, (400, 200, 10, 800, 100, 370)):
        ProjectSheet.objects.filter(pk=sheet.pk).update(updated_at=now - timedelta(days=days_ago))
    twelve = joho_client.get(MONITOR, {"plan": "mon", "months": 12}).context
    assert [s.pk for s in twelve["stale"]] == [sheets[3].pk, sheets[0].pk, sheets[5].pk]  # 800, 400, 370 days
    assert twelve["stale_count"] == 3
    six = joho_client.get(MONITOR, {"plan": "mon", "months": 6}).context
    assert [s.pk for s in six["stale"]] == [sheets[3].pk, sheets[0].pk, sheets[5].pk, sheets[1].pk]
    # An unknown choice falls back to 12 months.
    assert joho_client.get(MONITOR, {"plan": "mon", "months": "5"}).context["months"] == 12


def test_sections_whose_sheets_have_no_one_to_act_for_them(joho_client, plan, demo_users):
    """市民課 has staff (demo-staff-a) and a 課長: not listed. 課税課 has only a user who is
    neither department staff nor 課長, and a 課長 whose account is no longer active."""
    make_user("kazei-viewer", position=Position.SUBSECTION_CHIEF, section="kazei")
    make_user("kazei-chief-gone", position=Position.SECTION_CHIEF, section="kazei", is_active=False)
    orphans = joho_client.get(MONITOR, {"plan": "mon"}).context["orphans"]
    assert [(o.section.code, o.sheets) for o in orphans] == [("kazei", 3)]
    # An active 課長 is someone who acts for the section: 課税課 leaves the list.
    make_user("kazei-chief", position=Position.SECTION_CHIEF, section="kazei")
    assert joho_client.get(MONITOR, {"plan": "mon"}).context["orphans"] == []


def test_reports_still_being_written_near_their_deadline(joho_client, plan, demo_users):
    today = timezone.localdate()
    cycle = open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL,
                       fiscal_year=plan.start_year, deadline=today + timedelta(days=10))
    reports = list(AnnualReport.objects.filter(cycle=cycle).order_by("sheet__project__code"))
    states = [ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED, ReportState.CONFIRMED,
              ReportState.DRAFT, ReportState.DRAFT]
    for report, state in zip(reports, states):
        AnnualReport.objects.filter(pk=report.pk).update(state=state)
    context = joho_client.get(MONITOR, {"plan": "mon", "days": 14}).context
    # 作成中 and 差戻し中 only: 0, 1, 4, 5 (市民課 first, then 課税課, as the organisation lists them).
    assert [row.report.pk for row in context["pending"]] == [reports[i].pk for i in (0, 1, 4, 5)]
    assert context["pending_count"] == 4
    assert context["pending"][0].when == "あと 10 日"
    # Seven days ahead does not reach a deadline ten days away.
    assert joho_client.get(MONITOR, {"plan": "mon", "days": 7}).context["pending"] == []
    # Past the deadline, it says by how much.
    type(cycle).objects.filter(pk=cycle.pk).update(deadline=today - timedelta(days=3))
    response = joho_client.get(MONITOR, {"plan": "mon", "days": 7})
    assert response.context["pending"][0].when == "期限を 3 日過ぎています"
    assert "期限を 3 日過ぎています" in response.content.decode()
    # A closed cycle is not waiting for anything.
    type(cycle).objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    assert joho_client.get(MONITOR, {"plan": "mon", "days": 7}).context["pending"] == []


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-exec", "demo-bucho"])
def test_only_the_ict_office_sees_the_monitor(client, demo_users, username):
    client.force_login(demo_users[username])
    assert client.get(MONITOR).status_code == 403
    # …and the dashboard does not link to it for them.
    assert MONITOR not in client.get("/dashboard/").content.decode()


def test_the_dashboard_links_to_it_for_the_ict_office(joho_client, plan):
    assert MONITOR in joho_client.get("/dashboard/").content.decode()


def test_query_count_does_not_grow_with_the_data(joho_client, demo_users):
    counts = []
    for code, projects in (("few", 6), ("many", 60)):
        plan = make_plan(code=code, goals=1, policies=2, measures=2, projects=projects, reposts=False)
        ensure_sheets(plan=plan)
        ProjectSheet.objects.filter(project__plan=plan).update(
            section=Section.objects.get(code="kazei"), updated_at=timezone.now() - timedelta(days=900))
        open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL, fiscal_year=plan.start_year,
                   deadline=timezone.localdate())
        joho_client.get(MONITOR, {"plan": code})  # warm up
        with CaptureQueriesContext(connection) as queries:
            response = joho_client.get(MONITOR, {"plan": code})
        assert response.context["stale_count"] == projects and response.context["pending_count"] == projects
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
