from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Section
from governance.cycles.services import open_cycle
from governance.meetings.services import prepare_meeting
from governance.models import AnnualReport, Body, CycleKind, ReportState
from governance.succession import services as succession
from governance.vocab import Direction, ImplementationStatus, Progress
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry
from projects.services import ensure_sheets
from tests.factories import make_plan

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
    """What the report's edit form posts, filled in (results 950, each covered year of a
    review), with `fields` over it."""
    formset = client.get(f"/reports/{report.pk}/edit/").context["formset"]
    data = {"seen_version": report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            **{formset.management_form[k].html_name: v for k, v in formset.management_form.initial.items()}}
    for i, form in enumerate(formset.forms):
        data[f"results-{i}-id"] = form.instance.pk
        data[f"results-{i}-actual"] = "950"
        if "first_year_actual" in form.fields:  # a review's first year the annual report lacks
            data[f"results-{i}-first_year_actual"] = "950"
    return {**data, **fields}


# ─── Generated plans at scale (work lists, summaries, caches) ────────────

SECTIONS = ["shimin", "kazei", "kankyo", "zaisei", "joho-suishin"]
STATES = list(ReportState)
STATUSES = list(ImplementationStatus)
PROGRESSES = list(Progress)
DIRECTIONS = list(Direction)


def generated_cycle(user, *, code, projects, goals=3, policies=3, measures=3):
    """A generated plan whose sheets are spread over SECTIONS, with its FY2021 cycle
    opened and its reports spread over every state and every value of the vocabularies."""
    plan = make_plan(code=code, projects=projects, goals=goals, policies=policies, measures=measures)
    ensure_sheets(plan=plan)
    sections = [Section.objects.get(code=c) for c in SECTIONS]
    sheets = list(ProjectSheet.objects.filter(project__plan=plan).order_by("project__code"))
    for i, sheet in enumerate(sheets):
        sheet.section = sections[i % len(sections)]
    ProjectSheet.objects.bulk_update(sheets, ["section"])
    cycle = open_cycle(user=user, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2021,
                       deadline=date(2022, 5, 31))
    reports = list(cycle.reports.order_by("sheet__project__code"))
    assert len(reports) == projects
    for i, report in enumerate(reports):
        report.state = STATES[i % len(STATES)]
        report.implementation_status = STATUSES[i % len(STATUSES)]
        report.progress = PROGRESSES[(i // 2) % len(PROGRESSES)]
        report.direction = DIRECTIONS[(i // 3) % len(DIRECTIONS)]
        report.work_done = f"実施内容{i}"
    AnnualReport.objects.bulk_update(
        reports, ["state", "implementation_status", "progress", "direction", "work_done"]
    )
    return cycle


def count_queries(client, url):
    """The queries of one GET that must answer 200, and its HTML (for comparisons
    between two requests; a budget is better checked with pytest-django's
    django_assert_max_num_queries)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


# ─── From one plan to the next (test_succession*, test_lineage) ───

# Seed projects of the second plan (fixtures/plans/second.toml, plan pp.15-24).
TWITTER = "1-1-1-02"      # 昭島市公式 Twitter(ツイッター)の利用促進 (Ⅰ-1-1)
MAIL = "1-1-1-03"         # 昭島市携帯メール情報サービスによるタイムリーな情報発信 (Ⅰ-1-1)
VIDEO = "1-1-1-04"        # 動画制作・発信(市の魅力発信)〔予定事業〕
KOHO = "1-1-2-01"         # 広報紙とホームページの連携強化 (Ⅰ-1-2)


@pytest.fixture
def ict(demo_users):
    return demo_users["demo-joho"]


@pytest.fixture
def second(seed):
    return seed["second"]


def report(cycle, code, *, direction, actual=None):
    """A reported result of the cycle for project `code`."""
    r = cycle.reports.get(sheet__project__code=code)
    r.implementation_status, r.progress, r.direction = "continuing", "on_plan", direction
    r.state = ReportState.DECIDED
    r.save()
    if actual is not None:
        for result in r.results.all():
            result.actual = actual
            result.save()
    return r


@pytest.fixture
def reviewed(second, ict):
    """The second plan's last year: Twitter has an indicator with targets and a 2020 actual of 1,250
    followers; the final review says 継続 for Twitter and mail, 完了 for the video."""
    sheet = ProjectSheet.objects.get(project__plan=second, project__code=TWITTER)
    sheet.legal_basis = "昭島市情報化推進計画"
    sheet.objective = "市の情報を即時に届ける"
    sheet.save()
    indicator = Indicator.objects.create(sheet=sheet, name="フォロワー数", unit="人", position=1,
                                         baseline_value=300, baseline_year=2015)
    for year in range(2016, 2021):
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=1000)
    annual = open_cycle(user=ict, plan=second, kind=CycleKind.ANNUAL, fiscal_year=2020, deadline=date(2021, 5, 31))
    final = open_cycle(user=ict, plan=second, kind=CycleKind.FINAL, fiscal_year=2020, deadline=date(2021, 5, 31))
    report(annual, TWITTER, direction="continue", actual=1250)
    report(final, TWITTER, direction="continue")
    report(annual, MAIL, direction="undecided")
    report(final, MAIL, direction="continue")  # the final review comes first
    report(final, VIDEO, direction="complete")
    report(annual, KOHO, direction="continue")
    return indicator


@pytest.fixture
def third(second, ict):
    return succession.draft_next_plan(ict, second, code="third", name="第三期昭島市情報化推進計画",
                                    start_year=2021, end_year=2025)
