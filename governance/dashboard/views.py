"""The executives' dashboard and its drill-down to the projects behind a figure."""

from django.core.cache import cache
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from accounts.models import Department
from core import fiscal, stamps
from governance.dashboard import charts
from governance.dashboard.facts import (
    REPORTED, UNREPORTED, VOCABS, Filters, by_department, cycle_facts, cycle_for, drill_url,
    hierarchy, indicator_achievement, scoped_reports, totals, trend, trend_facts,
)
from governance.models import AnnualReport, ReportState
from governance.vocab import Progress
from plans.models import ROMAN, Plan


def _filters(request):
    params = request.GET
    plans = Plan.objects.order_by("-start_year")
    plan = plans.filter(code=params.get("plan", "")).first() or Plan.objects.current()
    latest = plan.cycles.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first() if plan else None
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = latest or (plan.start_year if plan else None)
    if plan and year not in plan.years:
        year = latest or plan.start_year
    goal = params.get("goal", "")
    goal = int(goal) if goal.isdecimal() and plan and plan.goals.filter(number=int(goal)).exists() else None
    department = Department.objects.filter(code=params.get("department", "")).first()
    return Filters(plan, year, goal, department), plans


def dashboard(request):
    filters, plans = _filters(request)
    context = {"filters": filters, "plans": plans, "departments": Department.objects.filter(is_active=True)}
    if filters.plan is None:
        return render(request, "governance/dashboard.html", context)
    context["goals"] = filters.plan.goals.all()
    shown = request.GET.get("by", "progress")
    context["by"] = shown if shown in VOCABS else "progress"
    context["years"] = [(y, fiscal.fy_label(y)) for y in filters.plan.years]
    # The stamps are read before any figure (core.stamps): the template caches the
    # figures under them, and computes them (lazily, below) only on a miss.
    stamp = stamps.current("plans", "work")
    cycle = cycle_for(filters)
    context["cycle"] = cycle
    if cycle is None:
        return render(request, "governance/dashboard.html", context)
    context.update({
        "figures_key": "|".join(str(part) for part in (
            stamp, cycle.pk, filters.year, filters.goal, getattr(filters.department, "pk", ""), context["by"])),
        "figures": SimpleLazyObject(lambda: figures(cycle, filters, context["by"], stamp)),
        "vocabs": VOCABS,
        "shown_vocab": VOCABS[context["by"]],
        "states": ReportState,
        "progress_labels": list(Progress.labels),
        "unreported_label": UNREPORTED,
    })
    return render(request, "governance/dashboard.html", context)


def figures(cycle, filters, by, stamp):
    """Every figure of the dashboard for a cycle, the filters and the vocabulary shown,
    from the cycle's facts (cached under the data stamps read before them)."""
    facts = cache.get_or_set(f"dashboard-facts|{stamp}|{cycle.pk}", lambda: cycle_facts(cycle), stamps.CACHE_TIMEOUT)
    trend_rows = trend(cache.get_or_set(f"dashboard-trend|{stamp}|{filters.plan.pk}",
                                        lambda: trend_facts(filters.plan), stamps.CACHE_TIMEOUT), filters)
    goals = hierarchy(facts, filters)
    departments, board = by_department(facts, filters)
    total_count, reported_count = totals(facts, filters)

    def bars(rows):
        return [(label, [c[1] for c in cells], [c[4] for c in cells]) for label, cells in rows]

    shown_label, shown_vocab = VOCABS[by]
    progress_labels = list(Progress.labels)
    department_rows = [(n.label, n.row("progress", with_unreported=True)) for n in departments]
    return {
        "goals_tree": goals,
        "departments_rows": departments,
        "department_table": department_rows,
        "board": board,
        "board_rows": [
            (name, [(value, counts.get(value, 0), drill_url(
                filters, **({"department": code} if code else {"unassigned": 1}), field="state", value=value))
                for value in ReportState.values])
            for name, code, counts in board
        ],
        "achievement": indicator_achievement(facts, filters),
        "trend_rows": [(fiscal.fy_label(y), counts) for y, counts in trend_rows],
        # The goal chart shows the vocabulary of the table beside it.
        "chart_goals": charts.stacked_bars(f"目標ごとの{shown_label}", list(shown_vocab.labels),
                                           bars((n.label, n.row(by)) for n in goals), uid="goals"),
        "chart_departments": charts.stacked_bars("部ごとの進捗度", [*progress_labels, UNREPORTED],
                                                 bars(department_rows), uid="depts"),
        "chart_trend": charts.stacked_bars(
            "進捗度の推移", progress_labels,
            [(fiscal.fy_label(y), counts, None) for y, counts in trend_rows], uid="trend"),
        "reported_count": reported_count,
        "total_count": total_count,
    }


def dashboard_projects(request):
    """The projects behind a figure of the dashboard."""
    filters, _ = _filters(request)
    cycle = cycle_for(filters) if filters.plan else None
    field_name = request.GET.get("field", "")
    value = request.GET.get("value", "")
    reports = AnnualReport.objects.none()
    label = ""
    if cycle is not None:
        reports = scoped_reports(cycle, filters)
        if field_name in VOCABS:
            reports = reports.filter(state__in=REPORTED)
            vocab = VOCABS[field_name][1]
            if value in vocab.values:
                reports = reports.filter(**{field_name: value})
                label = f"{VOCABS[field_name][0]}:{vocab(value).label}"
            else:  # every reported project; a value no figure has lists nothing
                reports = reports.none() if value else reports
                label = VOCABS[field_name][0]
        elif field_name == "unreported":
            reports = reports.exclude(state__in=REPORTED)
            label = UNREPORTED
        elif field_name == "state" and value in ReportState.values:
            reports = reports.filter(state=value)
            label = f"状態:{ReportState(value).label}"
        reports = _narrow(reports, request.GET)
        reports = reports.select_related("sheet__project", "section__department").order_by("sheet__project__code")
    return render(request, "governance/dashboard_projects.html", {
        "filters": filters, "cycle": cycle, "reports": reports, "label": label,
        "goal_code": ROMAN[filters.goal] if filters.goal else "",
        "back": f"?{filters.query()}",
    })


def _numbers(text, parts):
    numbers = text.split("-")
    if len(numbers) == parts and all(n.isdecimal() for n in numbers):
        return [int(n) for n in numbers]
    return None


def _narrow(reports, params):
    """Narrow the drill-down to one policy or measure (by its home placement), or to
    the reports without a 担当部署."""
    home = "sheet__project__placements"
    if numbers := _numbers(params.get("policy", ""), 2):
        reports = reports.filter(**{f"{home}__is_home": True, f"{home}__measure__policy__goal__number": numbers[0],
                                    f"{home}__measure__policy__number": numbers[1]})
    if numbers := _numbers(params.get("measure", ""), 3):
        reports = reports.filter(**{f"{home}__is_home": True, f"{home}__measure__policy__goal__number": numbers[0],
                                    f"{home}__measure__policy__number": numbers[1],
                                    f"{home}__measure__number": numbers[2]})
    if params.get("unassigned"):
        reports = reports.filter(section__isnull=True)
    return reports
