"""Two 情報推進課 users confirm the same submitted report at the same moment:
exactly one succeeds, the other is refused, one event is written.

Real transactions and two threads (two database connections), on SQLite
(IMMEDIATE transactions) and on PostgreSQL (SELECT ... FOR UPDATE).
"""

import threading
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connections

from accounts.models import Position, Section, User
from accounts.roles import Role
from accounts.services import create_demo_users
from governance.cycles import services
from governance.models import AnnualReport, CycleKind, ReportEvent, ReportState
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from tests.conftest import load_seed
from tests.governance.conftest import SHIMIN_CODES, fill


def second_ict_user():
    user = User(username="joho-2", last_name="情報", first_name="次郎", position=Position.STAFF,
                section=Section.objects.get(code="joho-suishin"), email="joho-2@city.akishima.example")
    user.department = user.section.department
    user.set_password("pass-for-tests")
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[Role.ICT_OFFICE.value, Role.DEPARTMENT_STAFF.value]))
    return user


def submitted_report(users):
    section = Section.objects.get(code="shimin")
    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code=SHIMIN_CODES[0])
    sheet.section = section
    sheet.save()
    indicator = Indicator.objects.create(sheet=sheet, name="収納件数", unit="件", position=1)
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2016, value=1000)
    cycle = services.open_cycle(user=users["demo-joho"], plan=sheet.project.plan, kind=CycleKind.ANNUAL,
                                fiscal_year=2016, deadline=date(2017, 5, 31))
    report = fill(cycle.reports.get(sheet=sheet))
    return services.submit_report(user=users["demo-staff-a"], report=report)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_one_wins_and_one_is_refused():
    load_seed()
    create_demo_users()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    users["joho-2"] = second_ict_user()
    report = submitted_report(users)
    assert report.state == ReportState.SUBMITTED
    version = report.version
    barrier = threading.Barrier(2)
    outcomes = {}

    def confirm(username):
        try:
            mine = AnnualReport.objects.get(pk=report.pk)  # each thread read it as submitted
            assert mine.state == ReportState.SUBMITTED
            barrier.wait(timeout=10)
            services.confirm_report(user=users[username], report=mine, comment=f"{username} 確認")
            outcomes[username] = "confirmed"
        except services.WorkflowError:
            outcomes[username] = "refused"
        except Exception as error:  # reported by the assertion below
            outcomes[username] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(name,)) for name in ("demo-joho", "joho-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["confirmed", "refused"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "confirmed")
    report = AnnualReport.objects.get(pk=report.pk)
    assert report.state == ReportState.CONFIRMED
    assert report.version == version + 1
    [event] = ReportEvent.objects.filter(report=report, action="confirm")
    assert (event.actor.username, event.from_state, event.to_state, event.comment) == (
        winner, ReportState.SUBMITTED, ReportState.CONFIRMED, f"{winner} 確認")
    assert ReportEvent.objects.filter(report=report).count() == 2  # submit, confirm
