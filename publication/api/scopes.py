"""Which records a caller may read: for anonymous callers publication.querysets (the one
definition of what is public), for a token's user the staff pages' own rules
(Plan/ProjectSheet/AnnualReport.objects.visible_to). Nothing else decides it."""

from governance.models import AnnualReport, IndicatorResult, ReviewCycle
from plans.models import Plan, PlanItem, Project
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from publication import querysets as public


def is_staff_caller(user) -> bool:
    return user.is_authenticated and user.is_active


def plans(user):
    return Plan.objects.visible_to(user) if is_staff_caller(user) else public.published_plans()


def items(user):
    return PlanItem.objects.filter(plan__in=plans(user))


def projects(user):
    return Project.objects.filter(plan__in=plans(user))


def sheets(user):
    if is_staff_caller(user):
        return ProjectSheet.objects.visible_to(user).select_related("section__department", "master_plan_code")
    return public.public_sheets()


def indicators(user):
    if is_staff_caller(user):
        return Indicator.objects.filter(sheet__in=ProjectSheet.objects.visible_to(user))
    return public.public_indicators()


def targets(user):
    return IndicatorTarget.objects.all() if is_staff_caller(user) else public.public_targets()


def cycles(user):
    return ReviewCycle.objects.filter(plan__in=plans(user)) if is_staff_caller(user) else public.published_cycles()


def reports(user):
    return AnnualReport.objects.visible_to(user) if is_staff_caller(user) else public.published_reports()


def results(user):
    """The results of reports already scoped by reports(user)."""
    if is_staff_caller(user):
        return IndicatorResult.objects.all()
    return IndicatorResult.objects.only(*public.RESULT_FIELDS)
