"""Opening a yearly cycle (Check, plan p.25, 図3-3) and the reminders that follow it."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Position, Section
from accounts.roles import Role
from governance import notifications
from governance.cycles import services
from governance.models import (
    AnnualReport,
    CycleKind,
    CycleStatus,
    IndicatorResult,
    ReminderLog,
    ReportState,
    ReviewCycle,
)
from plans.models import Plan
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from tests.factories import make_user
from tests.governance.conftest import fill

pytestmark = pytest.mark.usefixtures("tasks_run_at_once")  # mails are sent as they are queued


def second_plan():
    return Plan.objects.get(code="second")


def open_(user, *, kind=CycleKind.ANNUAL, year=2017, deadline=None, plan=None):
    """Open a cycle with a deadline in May after the year, as the city does."""
    return services.open_cycle(user=user, plan=plan or second_plan(), kind=kind, fiscal_year=year,
                               deadline=deadline or date(year + 1, 5, 31))


def sheet(code):
    return ProjectSheet.objects.get(project__plan__code="second", project__code=code)


def staff_emails(*section_codes):
    """By hand: the active department staff of the sections, with an address."""
    from accounts.models import User

    return {
        user.email for user in User.objects.filter(section__code__in=section_codes, is_active=True)
        if user.email and user.groups.filter(name=Role.DEPARTMENT_STAFF.value).exists()
    }


# ─── Which reports a cycle creates ────────────────────────────────────────

def test_open_cycle_creates_one_report_per_project_active_in_the_year(demo_users, shimin_sheets):
    ended = sheet("1-1-1-01")
    ended.start_year, ended.end_year = 2016, 2016  # ended before FY2017
    ended.save()
    later = sheet("1-1-1-02")
    later.start_year = 2018  # starts after FY2017
    later.save()
    last_year = sheet("1-1-1-03")
    last_year.start_year, last_year.end_year = 2016, 2017  # FY2017 is its last year
    last_year.save()
    first_year = sheet("1-1-1-04")
    first_year.start_year = 2017
    first_year.save()

    cycle = open_(demo_users["demo-joho"], year=2017)

    plan_sheets = list(ProjectSheet.objects.filter(project__plan__code="second"))
    expected = {
        s.pk for s in plan_sheets
        if (s.start_year is None or s.start_year <= 2017) and (s.end_year is None or s.end_year >= 2017)
    }
    assert set(cycle.reports.values_list("sheet_id", flat=True)) == expected
    assert cycle.reports.count() == len(plan_sheets) - 2
    assert not cycle.reports.filter(sheet__in=[ended, later]).exists()
    assert cycle.reports.filter(sheet__in=[last_year, first_year]).count() == 2
    # No sheet of another plan.
    assert not cycle.reports.exclude(sheet__project__plan__code="second").exists()
    # All start as drafts of the sheet's section.
    for report in cycle.reports.select_related("sheet"):
        assert report.state == ReportState.DRAFT
        assert report.section_id == report.sheet.section_id


def test_each_report_gets_one_result_per_indicator(demo_users, shimin_sheets):
    extra = Indicator.objects.create(sheet=shimin_sheets[1], name="利用率", unit="%", position=2)
    IndicatorTarget.objects.create(indicator=extra, fiscal_year=2017, value=10)
    cycle = open_(demo_users["demo-joho"], year=2017)
    for report in cycle.reports.select_related("sheet"):
        indicators = sorted(report.sheet.indicators.values_list("pk", flat=True))
        assert sorted(report.results.values_list("indicator_id", flat=True)) == indicators
        assert all(result.actual is None for result in report.results.all())
    assert IndicatorResult.objects.filter(report__cycle=cycle).count() == 3  # 1 + 2
    assert cycle.reports.get(sheet=shimin_sheets[1]).results.count() == 2


def test_opening_keeps_history_of_the_created_reports(demo_users, shimin_sheets):
    cycle = open_(demo_users["demo-joho"])
    reports = cycle.reports.count()
    assert AnnualReport.history.filter(cycle_id=cycle.pk, history_type="+").count() == reports
    assert IndicatorResult.history.filter(report__cycle=cycle).count() == 2


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"])
def test_only_the_ict_office_may_open_a_cycle(demo_users, username):
    with pytest.raises(services.WorkflowError):
        open_(demo_users[username])
    assert not ReviewCycle.objects.exists()
    assert not AnnualReport.objects.exists()


def test_a_second_open_cycle_of_the_same_year_and_kind_is_refused(demo_users):
    first = open_(demo_users["demo-joho"], year=2017)
    reports = AnnualReport.objects.count()
    with pytest.raises(ValidationError):
        open_(demo_users["demo-joho"], year=2017)
    assert list(ReviewCycle.objects.all()) == [first]
    assert AnnualReport.objects.count() == reports


def test_same_year_different_kind_or_after_closing_is_allowed(demo_users):
    joho = demo_users["demo-joho"]
    annual = open_(joho, year=2018)
    midterm = open_(joho, kind=CycleKind.MIDTERM, year=2018)
    assert annual.pk != midterm.pk
    annual.status = CycleStatus.CLOSED
    annual.save()
    again = open_(joho, year=2018)
    assert ReviewCycle.objects.filter(fiscal_year=2018, kind=CycleKind.ANNUAL).count() == 2
    assert again.status == CycleStatus.OPEN


def test_the_database_refuses_a_second_open_cycle(demo_users):
    joho = demo_users["demo-joho"]
    first = open_(joho, year=2017)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewCycle.objects.create(plan=first.plan, kind=first.kind, fiscal_year=2017,
                                   deadline=date(2018, 6, 30), opened_by=joho)
    # A closed one of the same year and kind is not in the way.
    ReviewCycle.objects.create(plan=first.plan, kind=first.kind, fiscal_year=2017,
                               deadline=date(2018, 6, 30), opened_by=joho, status=CycleStatus.CLOSED)


@pytest.mark.parametrize(("kind", "allowed"), [
    (CycleKind.MIDTERM, {2018}),  # 計画3年目
    (CycleKind.FINAL, {2020}),    # 計画5年目
    (CycleKind.ANNUAL, {2016, 2017, 2018, 2019, 2020}),
])
def test_cycle_kinds_only_in_their_plan_years(demo_users, kind, allowed):
    joho = demo_users["demo-joho"]
    for year in range(2014, 2023):
        if year in allowed:
            cycle = open_(joho, kind=kind, year=year)
            assert (cycle.kind, cycle.fiscal_year) == (kind, year)
        else:
            with pytest.raises(ValidationError):
                open_(joho, kind=kind, year=year)
    assert set(ReviewCycle.objects.values_list("fiscal_year", flat=True)) == allowed


def test_review_cycles_cover_the_years_of_figure_3_3(demo_users):
    joho = demo_users["demo-joho"]
    assert open_(joho, kind=CycleKind.MIDTERM, year=2018).covered_years == [2016, 2017]
    assert open_(joho, kind=CycleKind.FINAL, year=2020).covered_years == [2018, 2019]
    assert open_(joho, year=2019).covered_years == [2019]


@pytest.mark.parametrize(("kind", "year", "ended"), [(CycleKind.MIDTERM, 2018, 2017),
                                                     (CycleKind.FINAL, 2020, 2019)])
def test_a_review_includes_projects_active_in_the_years_it_covers(demo_users, kind, year, ended):
    finished = sheet("1-1-1-01")
    finished.start_year, finished.end_year = 2016, ended  # ran during the covered years only
    finished.save()
    cycle = open_(demo_users["demo-joho"], kind=kind, year=year)
    assert ended in cycle.covered_years
    assert cycle.reports.filter(sheet=finished).exists()


# ─── Mail on opening ──────────────────────────────────────────────────────

def test_opening_mails_department_staff_of_sections_with_reports(
    demo_users, shimin_sheets, django_capture_on_commit_callbacks
):
    # A 市民課 staff member without an address and an inactive one get nothing.
    quiet = make_user("quiet", position=Position.STAFF, section="shimin")
    quiet.email = ""
    quiet.save()
    gone = make_user("gone", position=Position.STAFF, section="shimin", is_active=False)
    for user in (quiet, gone):
        user.groups.add(Group.objects.get(name=Role.DEPARTMENT_STAFF.value))
    assert not ProjectSheet.objects.filter(section__code="kankyo").exists()

    with django_capture_on_commit_callbacks(execute=True):
        cycle = open_(demo_users["demo-joho"], year=2016, deadline=date(2017, 5, 31))
        assert mail.outbox == []  # sent only once the cycle is committed

    sections = set(cycle.reports.exclude(section=None).values_list("section__code", flat=True))
    assert sections == {"shimin", "joho-suishin"}
    expected = staff_emails(*sections)
    assert expected == {demo_users[u].email for u in ("demo-staff-a", "demo-kacho", "demo-joho")}
    recipients = [address for message in mail.outbox for address in message.to]
    assert sorted(recipients) == sorted(expected)  # each once
    assert demo_users["demo-staff-b"].email not in recipients
    message = mail.outbox[0]
    assert "実績報告" in message.subject and "2017年05月31日" in message.subject
    assert reverse("governance:my_reports") in message.body


def test_a_refused_opening_sends_no_mail(demo_users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            open_(demo_users["demo-joho"], kind=CycleKind.MIDTERM, year=2017)
    assert mail.outbox == []


# ─── The opening page ─────────────────────────────────────────────────────

OPEN_URL = "/cycles/open/"


@pytest.mark.parametrize(("year", "message"), [
    ("2030", "計画期間"),
    ("平成27年度", "計画期間"),
    ("あいう", "年度として読めません"),
])
def test_open_page_shows_a_japanese_error_for_a_bad_year_and_creates_nothing(
    client, demo_users, year, message
):
    client.force_login(demo_users["demo-joho"])
    response = client.post(OPEN_URL, {"kind": "annual", "fiscal_year": year, "deadline": "2017-05-31"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReviewCycle.objects.exists()
    assert not AnnualReport.objects.exists()


def test_open_page_refuses_a_midterm_review_outside_year_3(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    response = client.post(OPEN_URL, {"kind": "midterm", "fiscal_year": "2017", "deadline": "2018-05-31"})
    assert response.status_code == 400
    assert "中間見直しは計画3年目" in response.content.decode()
    assert not ReviewCycle.objects.exists()


def test_open_page_refuses_a_duplicate_with_a_message(client, demo_users):
    open_(demo_users["demo-joho"], year=2017)
    client.force_login(demo_users["demo-joho"])
    response = client.post(OPEN_URL, {"kind": "annual", "fiscal_year": "平成29年度", "deadline": "2018-05-31"})
    assert response.status_code == 400
    assert "すでに実施中" in response.content.decode()
    assert ReviewCycle.objects.count() == 1


def test_open_page_opens_a_cycle(client, demo_users, django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(OPEN_URL, {"kind": "annual", "fiscal_year": "平成28年度",
                                          "deadline": "2017-05-31"})
    cycle = ReviewCycle.objects.get()
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert (cycle.plan.code, cycle.fiscal_year, cycle.kind) == ("second", 2016, CycleKind.ANNUAL)
    assert cycle.opened_by == demo_users["demo-joho"]
    assert cycle.reports.exists()


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-bucho", "demo-exec"])
def test_open_page_is_for_the_ict_office_only(client, demo_users, username):
    client.force_login(demo_users[username])
    response = client.post(OPEN_URL, {"kind": "annual", "fiscal_year": "2016", "deadline": "2017-05-31"})
    assert response.status_code == 403
    assert not ReviewCycle.objects.exists()


# ─── Reminders ────────────────────────────────────────────────────────────

DEADLINE = date(2017, 5, 31)  # the `cycle` fixture's


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """send_reminders as cron runs it: each section's mails go out after its commit."""
    def run(**options):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications.send_reminders(**options)
    return run


def reminded_sections():
    return {log.section.code for log in ReminderLog.objects.select_related("section")}


def test_reminders_once_per_section_per_day(cycle, demo_users, remind):
    today = DEADLINE - timedelta(days=3)
    pending = set(cycle.reports.filter(state=ReportState.DRAFT).exclude(section=None)
                  .values_list("section__code", flat=True))
    assert pending == {"shimin", "joho-suishin"}

    assert remind(today=today) == 2
    assert reminded_sections() == pending
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(staff_emails(*pending))
    assert all("提出期限が近づいています" in message.subject for message in mail.outbox)
    assert all(len(message.to) == 1 for message in mail.outbox)  # one message per address

    sent = len(mail.outbox)
    assert remind(today=today) == 0  # the same day: nothing
    assert len(mail.outbox) == sent
    assert ReminderLog.objects.count() == 2

    assert remind(today=today + timedelta(days=1)) == 2  # the next day: again
    assert len(mail.outbox) == sent * 2


def test_reminders_only_for_sections_with_draft_or_returned_reports(cycle, demo_users, remind):
    joho, staff = demo_users["demo-joho"], demo_users["demo-staff-a"]
    shimin = list(cycle.reports.filter(section__code="shimin"))
    for report in shimin:
        services.submit_report(user=staff, report=fill(report))
    today = DEADLINE - timedelta(days=1)

    assert remind(today=today) == 1
    assert reminded_sections() == {"joho-suishin"}
    assert all(demo_users["demo-staff-a"].email not in m.to for m in mail.outbox)

    # A report returned to 市民課 makes it due again.
    services.return_report(user=joho, report=shimin[0], reason="実績値を確認してください")
    mail.outbox.clear()
    assert remind(today=today + timedelta(days=1)) == 2
    assert any(demo_users["demo-staff-a"].email in m.to for m in mail.outbox)


def test_reminders_only_when_the_deadline_is_near_or_past(cycle, remind):
    assert remind(today=DEADLINE - timedelta(days=8)) == 0
    assert remind(today=DEADLINE - timedelta(days=8), days_before=10) == 2
    ReminderLog.objects.all().delete()
    mail.outbox.clear()
    assert remind(today=DEADLINE - timedelta(days=7)) == 2  # exactly 7 days before
    ReminderLog.objects.all().delete()
    mail.outbox.clear()
    assert remind(today=DEADLINE + timedelta(days=1)) == 2
    assert all("期限を過ぎています" in message.subject for message in mail.outbox)


def test_no_reminders_for_a_closed_cycle(cycle):
    cycle.status = CycleStatus.CLOSED
    cycle.save()
    assert notifications.send_reminders(today=DEADLINE) == 0
    assert mail.outbox == []


def test_reminders_skip_reports_without_a_section(cycle):
    assert cycle.reports.filter(section=None).exists()
    notifications.send_reminders(today=DEADLINE)
    assert ReminderLog.objects.filter(section=None).count() == 0


def test_send_reminders_command(cycle, django_capture_on_commit_callbacks):
    """The cron job: the fixture's deadline (2017) is long past, so every pending section is due."""
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert "2 課に督促メールを送りました" in out.getvalue()
    assert reminded_sections() == {"shimin", "joho-suishin"}
    assert set(ReminderLog.objects.values_list("sent_on", flat=True)) == {timezone.localdate()}
    sent = len(mail.outbox)
    assert sent == len(staff_emails("shimin", "joho-suishin"))  # one message per address

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert "0 課に督促メールを送りました" in out.getvalue()
    assert len(mail.outbox) == sent


def test_send_reminders_command_days_option(demo_users, shimin_sheets):
    open_(demo_users["demo-joho"], year=2016, deadline=timezone.localdate() + timedelta(days=20))
    call_command("send_reminders", stdout=StringIO())
    assert mail.outbox == []
    call_command("send_reminders", "--days", "20", stdout=StringIO())
    assert reminded_sections() == {"shimin", "joho-suishin"}


def test_reminder_button_sends_for_the_ict_office(client, cycle, demo_users,
                                                  django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    url = reverse("governance:cycle_remind", kwargs={"pk": cycle.pk})
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert reminded_sections() == {"shimin", "joho-suishin"}
    assert ReminderLog.objects.filter(sent_by=demo_users["demo-joho"]).count() == 2
    sent = len(mail.outbox)
    assert sent == len(staff_emails("shimin", "joho-suishin"))  # one message per address
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)  # pressed twice the same day
    assert len(mail.outbox) == sent


def test_the_cycle_page_shows_the_reminder_button_to_the_ict_office_only(client, cycle, demo_users):
    url = reverse("governance:cycle_remind", kwargs={"pk": cycle.pk})
    client.force_login(demo_users["demo-joho"])
    assert url in client.get(cycle.get_absolute_url()).content.decode()
    client.force_login(demo_users["demo-staff-a"])
    page = client.get(cycle.get_absolute_url())
    assert page.status_code == 200 and url not in page.content.decode()


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"])
def test_reminder_button_is_forbidden_to_others(client, cycle, demo_users, username):
    client.force_login(demo_users[username])
    response = client.post(reverse("governance:cycle_remind", kwargs={"pk": cycle.pk}))
    assert response.status_code == 403
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_reminder_button_refuses_a_closed_cycle(client, cycle, demo_users):
    cycle.status = CycleStatus.CLOSED
    cycle.save()
    client.force_login(demo_users["demo-joho"])
    response = client.post(reverse("governance:cycle_remind", kwargs={"pk": cycle.pk}), follow=True)
    assert "督促メールは送っていません" in response.text and "確定しています" in response.text
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_reminders_to_a_section_with_no_staff_address_are_still_logged(demo_users, shimin_sheets):
    """A 課 whose staff have no address: logged with 0 recipients, no mail, no error."""
    kankyo = Section.objects.get(code="kankyo")
    shimin_sheets[0].section = kankyo
    shimin_sheets[0].save()
    staff_b = demo_users["demo-staff-b"]
    staff_b.email = ""
    staff_b.save()
    open_(demo_users["demo-joho"], year=2016, deadline=DEADLINE)
    notifications.send_reminders(today=DEADLINE)
    log = ReminderLog.objects.get(section=kankyo)
    assert log.recipients == 0
    assert all(staff_b.username not in ",".join(m.to) for m in mail.outbox)


def test_a_cycle_for_a_year_not_yet_begun_or_with_a_deadline_before_it_is_refused(demo_users):
    joho = demo_users["demo-joho"]
    with pytest.raises(ValidationError, match="提出期限"):
        open_(joho, year=2017, deadline=date(2017, 3, 1))
    assert not ReviewCycle.objects.filter(fiscal_year=2017).exists()
