from datetime import date

import pytest

from accounts.models import Section
from governance.cycles.services import open_cycle
from governance.meetings.services import prepare_meeting
from governance.models import Body, CycleKind
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry

SHIMIN_CODES = ["1-2-1-02", "1-2-1-03"]  # 市税等のコンビニエンスストア収納 / クレジット収納


@pytest.fixture
def shimin_sheets(demo_users):
    """Two seed sheets given to 市民課, each with an indicator and targets for every plan year."""
    section = Section.objects.get(code="shimin")
    sheets = []
    for code in SHIMIN_CODES:
        sheet = ProjectSheet.objects.get(project__plan__code="second", project__code=code)
        sheet.section = section
        sheet.save()
        indicator = Indicator.objects.create(sheet=sheet, name="収納件数", unit="件", position=1)
        for year in range(2016, 2021):
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=1000)
        ScheduleEntry.objects.filter(sheet=sheet).update(planned="周知")
        sheets.append(sheet)
    return sheets


@pytest.fixture
def cycle(demo_users, shimin_sheets):
    return open_cycle(user=demo_users["demo-joho"], plan=shimin_sheets[0].project.plan,
                      kind=CycleKind.ANNUAL, fiscal_year=2016, deadline=date(2017, 5, 31))


@pytest.fixture
def shimin_report(cycle, shimin_sheets):
    return cycle.reports.get(sheet=shimin_sheets[0])


def fill(report, *, actual=950, status="continuing", progress="on_plan", direction="continue"):
    """The department's input, as the edit form would save it."""
    report.implementation_status = status
    report.progress = progress
    report.direction = direction
    report.work_done = "コンビニ収納の周知を行った。"
    report.save()
    for result in report.results.all():
        result.actual = actual
        result.save()
    return report


def meeting_for(kind, cycle, reports, user):
    body = Body.objects.get(kind=kind)
    return prepare_meeting(user=user, body=body, cycle=cycle, title=f"{body.name} 第1回",
                           held_on=date(2017, 6, 20), place="庁議室", reports=reports)


@pytest.fixture
def tasks_run_at_once(settings):
    """Enqueued tasks (the mails of an action) run as soon as they are enqueued, so that a
    test sees their outcome (modules that test mails use it for every test)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def report_form_data(client, report, **fields):
    """What the report's edit form posts, filled in (results 950), with `fields` over it."""
    formset = client.get(f"/reports/{report.pk}/edit/").context["formset"]
    data = {"seen_version": report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            **{formset.management_form[k].html_name: v for k, v in formset.management_form.initial.items()}}
    for i, form in enumerate(formset.forms):
        data[f"results-{i}-id"] = form.instance.pk
        data[f"results-{i}-actual"] = "950"
    return {**data, **fields}
