"""What is public, defined once. The public pages (and, later, open data, the API
and feeds) read through these functions only; nothing else is public.

- Plans that are adopted (not 策定中) and published (PlanPublication 公表中), with
  their items, projects and placements (再掲).
- Of each project's sheet, the fields of 図3-2 listed in SHEET_FIELDS, only once the
  sheet is 完成 (a draft may hold half-written text), with its indicators, targets
  and schedule. Never who wrote or changed it, its state, version or history.
- Reports only of published cycles of published plans, only 判断済/反映済, and of
  them only REPORT_FIELDS: 実施状況, 進捗度, 今後の方向性 and the 戦略本部's decision.
  The 検討会議's evaluation and comment have no 公表 mark, so they are never public;
  nor are the department's notes, the reasons for a decision, meetings or people.
"""

from django.db.models import Prefetch

from governance.models import AnnualReport, IndicatorResult, ReviewCycle
from plans.models import Placement, Plan, PlanItem, Project
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus
from publication.models import PublicationStatus
from publication.services import DECIDED_STATES

SHEET_FIELDS = (
    "project", "section", "master_plan_code", "legal_basis", "policy_major", "policy_middle",
    "start_year", "end_year", "target", "objective", "activities", "status",
)
INDICATOR_FIELDS = (
    "sheet", "position", "kind", "name", "unit", "baseline_value", "baseline_year", "direction",
    "achievement_method", "data_source", "is_qualitative",
)
REPORT_FIELDS = ("cycle", "sheet", "state", "implementation_status", "progress", "direction", "decision")
RESULT_FIELDS = ("report", "indicator", "actual")


def published_plans():
    return Plan.objects.filter(in_preparation=False, publication__status=PublicationStatus.PUBLISHED)


def published_cycles():
    return ReviewCycle.objects.filter(publication__status=PublicationStatus.PUBLISHED,
                                      plan__in=published_plans())


def published_reports():
    return (AnnualReport.objects.filter(cycle__in=published_cycles(), state__in=DECIDED_STATES)
            .only(*REPORT_FIELDS))


def public_project_list():
    """The projects of every published plan (for search and lists: no placements)."""
    return Project.objects.filter(plan__in=published_plans())


def public_projects(plan):
    """The plan's projects with their placements (the plan must come from published_plans)."""
    return public_projects_in([plan])


def public_projects_in(plans):
    """The projects of several published plans (open data), as public_projects."""
    placements = Placement.objects.select_related("item__level").order_by("-is_home", "item__sort_key")
    return (Project.objects.filter(plan__in=plans).select_related("plan")
            .prefetch_related(Prefetch("placements", queryset=placements)))


def public_items_in(plans):
    """The items of published plans, each with its level, parent and 再掲 original."""
    return (PlanItem.objects.filter(plan__in=plans)
            .select_related("plan", "level", "parent", "reposted_from").order_by("plan", "sort_key"))


def _public_sheets():
    targets = IndicatorTarget.objects.only("indicator", "fiscal_year", "value")
    schedule = ScheduleEntry.objects.only("sheet", "fiscal_year", "planned", "actual")
    indicators = Indicator.objects.only(*INDICATOR_FIELDS).prefetch_related(Prefetch("targets", targets))
    return (ProjectSheet.objects.filter(status=SheetStatus.COMPLETE)
            .select_related("section__department", "master_plan_code")
            .only(*SHEET_FIELDS, "section__name", "section__department__name",
                  "master_plan_code__code", "master_plan_code__title")
            .prefetch_related(Prefetch("indicators", indicators),
                              Prefetch("schedule", schedule)))


def public_sheet(project) -> ProjectSheet | None:
    """The project's sheet with only its public fields, or None while it is not 完成."""
    return _public_sheets().filter(project=project).first()


def public_sheets_in(plans):
    """The 完成 sheets of the projects of published plans, as public_sheet (open data)."""
    return _public_sheets().filter(project__plan__in=plans)


def public_reports(project):
    """The project's published reports, oldest year first, each with its `results`."""
    results = IndicatorResult.objects.only(*RESULT_FIELDS)
    return (published_reports().filter(sheet__project=project)
            .select_related("cycle__plan").prefetch_related(Prefetch("results", results))
            .order_by("cycle__fiscal_year", "cycle__kind"))


def public_reports_in(plans):
    """The published reports of published plans (open data), each with its `results`."""
    results = IndicatorResult.objects.only(*RESULT_FIELDS)
    return (published_reports().filter(cycle__plan__in=plans)
            .select_related("cycle__plan", "cycle__publication", "sheet__project")
            .only(*REPORT_FIELDS, "cycle__plan", "cycle__kind", "cycle__fiscal_year", "cycle__plan__code",
                  "cycle__plan__start_year", "cycle__publication__published_on",
                  "cycle__publication__status", "sheet__project__code", "sheet__project__name")
            .prefetch_related(Prefetch("results", results))
            .order_by("cycle__plan__start_year", "cycle__fiscal_year", "cycle__kind", "sheet__project__code"))


def public_sheets():
    """Every public sheet (完成, of a published plan) with only its public fields, for lists
    (the API): public_sheet's rule for many projects at once."""
    return (ProjectSheet.objects.filter(project__plan__in=published_plans(), status=SheetStatus.COMPLETE)
            .select_related("section__department", "master_plan_code")
            .only(*SHEET_FIELDS, "section__code", "section__name", "section__department__name",
                  "master_plan_code__code", "master_plan_code__title"))


def public_indicators():
    """The indicators of public sheets, with only their public fields."""
    return Indicator.objects.filter(sheet__in=public_sheets()).only(*INDICATOR_FIELDS)


def public_targets():
    return IndicatorTarget.objects.only("indicator", "fiscal_year", "value")

