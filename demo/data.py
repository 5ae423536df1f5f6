"""Demo data for `load_demo` (run by `load_plan --demo`) (never in production): sections for the seed
sheets that the plan leaves open, one indicator per sheet, and a 平成28年度
cycle with reports in every state, so that each role finds something to do.

Its mails (the cycle's opening, returns, decisions) go to example addresses: they are
recorded as 送信しない (core.mail.recorded_not_sent), never sent nor left waiting."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import Section, User
from core import fiscal, mail
from governance.cycles import services
from governance.meetings.services import prepare_meeting
from governance.models import Body, BodyKind, CycleKind, ReviewCycle
from plans.models import Plan
from projects.models import ProjectSheet
from projects.services import IndicatorChange, SheetChanges, Via, save_sheet

# 事業コード → 担当課, a plausible assignment for demonstrations only.
DEMO_SECTIONS = {
    "1-1-1-01": "kikaku-seisaku", "1-1-1-02": "kikaku-seisaku", "1-1-1-03": "seikatsu-community",
    "1-1-1-04": "kikaku-seisaku", "1-1-2-01": "kikaku-seisaku", "1-1-2-02": "kikaku-seisaku",
    "1-2-1-01": "shimin", "1-2-1-02": "nozei", "1-2-1-03": "nozei", "1-2-2-01": "seikatsu-community",
    "1-2-2-02": "keiyaku-kanzai", "1-3-1-01": "shimin", "1-3-2-01": "kikaku-seisaku",
    "2-1-1-01": "shimin", "2-1-1-02": "shomu", "2-1-1-03": "hoken-nenkin", "2-1-1-04": "joho-suishin",
    "2-1-1-05": "shimin", "2-1-1-06": "joho-suishin", "2-1-3-01": "joho-suishin",
    "2-1-3-02": "joho-suishin", "2-2-1-01": "joho-suishin", "3-1-1-01": "kankyo",
    "3-1-1-02": "kankyo", "3-1-2-01": "kodomo-kosodate", "3-2-1-01": "shido",
    "3-2-2-01": "shakai-kyoiku", "3-2-3-01": "seikatsu-community", "3-2-3-02": "shakai-kyoiku",
    "3-2-3-03": "shakai-kyoiku", "3-3-1-01": "gyomu", "3-3-1-02": "kikaku-seisaku",
}


DEMO_MAIL_REASON = "デモデータの作成(宛先が例示用のため送信しません)"


def create_demo_cycle() -> ReviewCycle | None:
    # Around the transaction: its on_commit callbacks queue the mails when it commits.
    with mail.recorded_not_sent(DEMO_MAIL_REASON):
        return _create_demo_cycle()


@transaction.atomic
def _create_demo_cycle() -> ReviewCycle | None:
    plan = Plan.objects.filter(code="second").first()
    if plan is None or plan.cycles.exists():
        return None
    joho = User.objects.get(username="demo-joho")
    sections = {s.code: s for s in Section.objects.all()}
    for sheet in ProjectSheet.objects.in_plan(plan).select_related("project"):
        section = sheet.section
        if section is None and sheet.project.code in DEMO_SECTIONS:
            section = sections[DEMO_SECTIONS[sheet.project.code]]
        indicator = IndicatorChange(
            fields={"name": "取組の実施件数", "unit": "件"},
            targets={year: Decimal(10 + 2 * (year - plan.start_year)) for year in plan.years},
        )
        save_sheet(sheet=sheet, seen_version=sheet.version, user=joho, via=Via.PAGE, changes=SheetChanges(
            fields={"section": section, "start_year": sheet.start_year or plan.start_year,
                    "activities": sheet.activities or f"{sheet.project.name}を計画に沿って進める。"},
            indicators=[indicator],
        ))
    cycle = services.open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=plan.start_year,
                                deadline=date(plan.start_year + 1, 5, 31))
    committee = Body.objects.get(kind=BodyKind.COMMITTEE)
    headquarters = Body.objects.get(kind=BodyKind.HEADQUARTERS)
    reports = list(cycle.reports.select_related("section").order_by("sheet__project__code"))
    progress = ["on_plan", "on_plan", "behind", "on_plan", "not_rated"]
    walked = []
    for i, report in enumerate(reports):
        if report.section is None or report.section.code in ("shimin", "kankyo"):
            continue  # left for demo-staff-a / demo-staff-b to fill in
        report.implementation_status = "continuing" if i % 7 else "completed"
        report.progress = progress[i % len(progress)]
        report.direction = "continue" if i % 7 else "complete"
        report.work_done = "計画どおり取り組みを進めた。"
        report.save()
        for result in report.results.all():
            result.actual = Decimal(8 + i % 5)
            result.save()
        walked.append(report)
    for i, report in enumerate(walked):
        _as_department(report, lambda r, u: services.submit_report(user=u, report=r))
        if i % 4 != 3:
            services.confirm_report(user=joho, report=report)
    confirmed = list(cycle.reports.filter(state="confirmed").order_by("sheet__project__code"))
    first = prepare_meeting(user=joho, body=committee, cycle=cycle, title=f"{fiscal.fy_era(plan.start_year + 1)} 第1回 情報化推進検討会議",
                                     held_on=date(plan.start_year + 1, 6, 15), place="市役所 庁議室",
                                     reports=confirmed[: len(confirmed) // 2])
    for i, report in enumerate(confirmed[: len(confirmed) // 2]):
        services.evaluate_report(user=joho, report=report, meeting=first, evaluation="AB"[i % 2],
                                 comment="ICT を効果的に活用している。")
    evaluated = list(cycle.reports.filter(state="evaluated").order_by("sheet__project__code"))
    evaluated = evaluated[: len(evaluated) // 2]
    second = prepare_meeting(user=joho, body=headquarters, cycle=cycle, title=f"{fiscal.fy_era(plan.start_year + 1)} 第1回 情報化戦略本部",
                                      held_on=date(plan.start_year + 1, 7, 10), place="市役所 庁議室",
                                      reports=evaluated)
    for i, report in enumerate(evaluated):
        services.decide_report(user=joho, report=report, meeting=second,
                               decision=["continue", "expand", "improve"][i % 3], comment="")
    return cycle


def _as_department(report, action):
    """Act as a member of the report's section (a demo user if there is one)."""
    user = (User.objects.filter(section=report.section, groups__name="事業担当職員").first()
            or _demo_member(report.section))
    action(report, user)


def _demo_member(section):
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    user, created = User.objects.get_or_create(
        username=f"demo-{section.code}", defaults={
            "last_name": section.name, "first_name": "担当", "section": section,
            "department": section.department, "email": f"demo-{section.code}@city.akishima.example",
        })
    if created:
        user.set_password("demo")
        user.save()
        user.groups.add(Group.objects.get(name=Role.DEPARTMENT_STAFF.value))
    return user
