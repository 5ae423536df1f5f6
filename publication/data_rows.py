"""The rows of the open datasets (publication.datasets), read through publication.querysets
only, so that a download holds exactly what the public pages show. Each function takes
a queryset of published plans and returns a list of dicts keyed by machine column name,
with Python values (publication.data_formats writes them as CSV and JSON); a fixed
number of queries whatever the size of the plans."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core import fiscal
from governance import achievement
from governance.models import CycleKind, ReviewCycle
from plans.models import PlanEdit
from projects.models import ImprovementDirection, ProjectSheet, SheetStatus
from publication import querysets
from publication.models import PlanPublication

DIRECTION_LABELS = {ImprovementDirection.UP: "上向き", ImprovementDirection.DOWN: "下向き"}


def year_label(year):
    """「平成28年度」: the era form of a Western fiscal year (None stays None)."""
    return fiscal.fy_era(year) if year else None


def number(value):
    """A stored decimal as written: 1000.00 → 1000, 12.50 → 12.5 (None stays None)."""
    return None if value is None else value.normalize()


def page_url(name, *args):
    return settings.SITE_URL.rstrip("/") + reverse(f"open:{name}", args=args)


def plan_rows(plans):
    published = list(plans.select_related("publication").prefetch_related("levels")
                     .order_by("start_year", "code"))
    codes = {plan.pk: plan.code for plan in published}
    return [{
        "plan_code": plan.code,
        "plan_name": plan.name,
        "short_name": plan.short_name or None,
        "start_year": plan.start_year,
        "start_year_label": year_label(plan.start_year),
        "end_year": plan.end_year,
        "end_year_label": year_label(plan.end_year),
        "parent_plan": plan.parent_plan or None,
        "philosophy": plan.philosophy or None,
        "philosophy_subtitle": plan.philosophy_subtitle or None,
        "level_names": [level.name for level in sorted(plan.levels.all(), key=lambda level: level.depth)],
        "adopted_on": plan.adopted_on,
        "adopted": plan.published or None,
        "published_on": plan.publication.published_on,
        # Only a published predecessor: an unpublished plan is not named at all.
        "predecessor_code": codes.get(plan.predecessor_id),
        "page_url": page_url("plan_tree", plan.code),
    } for plan in published]


def item_rows(plans):
    return [{
        "plan_code": item.plan.code,
        "item_path": item.path,
        "item_code": item.code,
        "level_depth": item.level.depth,
        "level_name": item.level.name,
        "label": item.label,
        "title": item.title,
        "subtitle": item.subtitle or None,
        "description": item.text or None,
        "parent_path": item.parent.path if item.parent_id else None,
        "reposted_from_path": item.reposted_from.path if item.reposted_from_id else None,
        "page_url": page_url("plan_tree", item.plan.code) + f"#item-{item.path}",
    } for item in querysets.public_items_in(plans)]


def _projects(plans):
    return querysets.public_projects_in(plans).order_by("plan__start_year", "code")


def _sheets(plans):
    return {sheet.project_id: sheet for sheet in querysets.public_sheets_in(plans)}


def project_rows(plans):
    sheets = _sheets(plans)
    rows = []
    for project in _projects(plans):
        placements = list(project.placements.all())  # the home first
        home = next((p.item for p in placements if p.is_home), None)
        sheet = sheets.get(project.pk)
        section = sheet.section if sheet and sheet.section_id else None
        code = sheet.master_plan_code if sheet and sheet.master_plan_code_id else None
        rows.append({
            "plan_code": project.plan.code,
            "project_code": project.code,
            "project_name": project.name,
            "home_item_path": home.path if home else None,
            "home_item_code": home.code if home else None,
            "reposted_item_paths": [p.item.path for p in placements if not p.is_home],
            "is_planned": project.is_planned,
            "since_year": project.since_year,
            "security_measure_kind": project.get_security_kind_display() or None,
            "sheet_published": sheet is not None,
            "department_name": section.department.name if section else None,
            "section_name": section.name if section else None,
            "master_plan_code": code.code if code else None,
            "master_plan_title": code.title if code else None,
            "legal_basis": (sheet.legal_basis or None) if sheet else None,
            "policy_major": (sheet.policy_major or None) if sheet else None,
            "policy_middle": (sheet.policy_middle or None) if sheet else None,
            "start_year": sheet.start_year if sheet else None,
            "end_year": sheet.end_year if sheet else None,
            "target": (sheet.target or None) if sheet else None,
            "objective": (sheet.objective or None) if sheet else None,
            "activities": (sheet.activities or None) if sheet else None,
            "page_url": page_url("project_detail", project.plan.code, project.code),
        })
    return rows


def schedule_rows(plans):
    sheets = _sheets(plans)
    return [{
        "plan_code": project.plan.code,
        "project_code": project.code,
        "fiscal_year": entry.fiscal_year,
        "fiscal_year_label": year_label(entry.fiscal_year),
        "planned": entry.planned or None,
        "actual": entry.actual or None,
    } for project in _projects(plans) if project.pk in sheets
        for entry in sheets[project.pk].schedule.all()]


@dataclass
class IndicatorFacts:
    """One public indicator with its project, its targets and the actual values of the
    published annual cycles, by fiscal year (as the project page's indicator table)."""

    project: object
    sheet: object
    indicator: object
    number: int
    targets: dict = field(default_factory=dict)
    actuals: dict = field(default_factory=dict)

    def achievement(self, year):
        return achievement.of_indicator(self.indicator, self.actuals.get(year), self.targets.get(year))


def indicator_facts(plans) -> list[IndicatorFacts]:
    """The indicators of the 完成 sheets of published plans; actual values only from
    published annual cycles (a review's results are not a year's actual value)."""
    sheets = _sheets(plans)
    actuals = defaultdict(dict)  # indicator pk → {fiscal year: actual}
    for report in querysets.public_reports_in(plans):
        if report.cycle.kind == CycleKind.ANNUAL:
            for result in report.results.all():
                if result.actual is not None:
                    actuals[result.indicator_id][report.cycle.fiscal_year] = number(result.actual)
    facts = []
    for project in _projects(plans):
        sheet = sheets.get(project.pk)
        for position, indicator in enumerate(sheet.indicators.all() if sheet else (), start=1):
            targets = {t.fiscal_year: number(t.value) for t in indicator.targets.all()}
            facts.append(IndicatorFacts(project, sheet, indicator, position, targets, actuals[indicator.pk]))
    return facts


def _indicator_columns(fact):
    indicator = fact.indicator
    return {
        "plan_code": fact.project.plan.code,
        "project_code": fact.project.code,
        "indicator_id": indicator.pk,
        "indicator_number": fact.number,
        "indicator_name": indicator.name,
        "unit": indicator.unit or None,
    }


def indicator_rows(plans):
    rows = []
    for fact in indicator_facts(plans):
        indicator = fact.indicator
        for year in fact.project.plan.years:
            rows.append(_indicator_columns(fact) | {
                "indicator_kind": indicator.get_kind_display(),
                "is_qualitative": indicator.is_qualitative,
                "direction": DIRECTION_LABELS.get(indicator.direction),
                "achievement_method": indicator.get_achievement_method_display(),
                "baseline_value": number(indicator.baseline_value),
                "baseline_year": indicator.baseline_year,
                "data_source": indicator.data_source or None,
                "fiscal_year": year,
                "fiscal_year_label": year_label(year),
                "target_value": fact.targets.get(year),
            })
    return rows


def result_rows(plans):
    return [{
        "plan_code": report.cycle.plan.code,
        "fiscal_year": report.cycle.fiscal_year,
        "fiscal_year_label": year_label(report.cycle.fiscal_year),
        "review_kind": report.cycle.get_kind_display(),
        "project_code": report.sheet.project.code,
        "project_name": report.sheet.project.name,
        "implementation_status": report.get_implementation_status_display() or None,
        "progress": report.get_progress_display() or None,
        "direction": report.get_direction_display() or None,
        "decision": report.get_decision_display() or None,
        "published_on": report.cycle.publication.published_on,
    } for report in querysets.public_reports_in(plans)]


def indicator_result_rows(plans):
    rows = []
    for fact in indicator_facts(plans):
        for year in sorted(fact.actuals):
            rate = fact.achievement(year)
            rows.append(_indicator_columns(fact) | {
                "fiscal_year": year,
                "fiscal_year_label": year_label(year),
                "target_value": fact.targets.get(year),
                "actual_value": fact.actuals[year],
                "achievement_rate": rate.rate,
                "achievement_text": rate.text or None,
                "achievement_method": fact.indicator.get_achievement_method_display(),
            })
    return rows


def source_dates(plans, *, everything=True) -> dict:
    """The last day each kind of public data changed: "plans" (published, edited or
    withdrawn), "sheets" (a 完成 sheet saved), "cycles" (results published or withdrawn).
    `everything` when `plans` are all the published plans (a withdrawn plan changes them)."""
    def day(moment):
        return timezone.localdate(moment) if moment else None

    plan_days = [plans.aggregate(on=Max("publication__published_on"))["on"],
                 day(PlanEdit.objects.filter(plan__in=plans).aggregate(at=Max("at"))["at"])]
    if everything:
        plan_days.append(PlanPublication.objects.aggregate(on=Max("withdrawn_on"))["on"])
    sheets = day(ProjectSheet.objects.filter(project__plan__in=plans, status=SheetStatus.COMPLETE)
                 .aggregate(at=Max("updated_at"))["at"])
    cycles = ReviewCycle.objects.filter(plan__in=plans, publication__isnull=False).aggregate(
        published=Max("publication__published_on"), withdrawn=Max("publication__withdrawn_on"))
    return {
        "plans": max(filter(None, plan_days), default=None),
        "sheets": sheets,
        "cycles": max(filter(None, cycles.values()), default=None),
    }
