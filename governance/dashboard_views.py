"""The executives' dashboard and its drill-down to the projects behind a figure."""

from django.shortcuts import render

from accounts.models import Department
from core import fiscal
from governance import charts
from governance.dashboard import (
    REPORTED, VOCABS, Filters, by_department, cycle_for, drill_url, hierarchy, indicator_achievement,
    scoped_reports, trend,
)
from governance.models import AnnualReport, ReportState
from governance.vocab import Progress
from plans.models import Plan


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
    goal = int(goal) if goal.isdigit() and plan and plan.goals.filter(number=int(goal)).exists() else None
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
    cycle = cycle_for(filters)
    context["cycle"] = cycle
    if cycle is None:
        return render(request, "governance/dashboard.html", context)

    reports = scoped_reports(cycle, filters)
    goals = hierarchy(reports)
    departments, board, _ = by_department(reports)
    achievement = indicator_achievement(reports, filters.year)
    trend_rows = trend(filters)

    def bars(nodes, field_name, key):
        return [(n.label, [c for _, c, _, _ in n.row(field_name)], drill_url(filters, **key(n)))
                for n in nodes]

    progress_labels = list(Progress.labels)
    context.update({
        "goals_tree": goals,
        "departments_rows": departments,
        "board": board,
        "states": ReportState,
        "achievement": achievement,
        "trend_rows": [(fiscal.fy_label(y), counts) for y, counts in trend_rows],
        "vocabs": VOCABS,
        "shown_vocab": VOCABS[context["by"]],
        "progress_labels": progress_labels,
        "chart_goals": charts.stacked_bars(
            "目標ごとの進捗度", progress_labels,
            bars(goals, "progress", lambda n: {"goal": n.key[0], "field": "progress"}), uid="goals"),
        "chart_departments": charts.stacked_bars(
            "部ごとの進捗度", progress_labels,
            [(n.label, [c for _, c, _, _ in n.row("progress")], None) for n in departments], uid="depts"),
        "chart_trend": charts.stacked_bars(
            "進捗度の推移", progress_labels,
            [(fiscal.fy_label(y), counts, None) for y, counts in trend_rows], uid="trend"),
        "reported_count": reports.filter(state__in=REPORTED).count(),
        "total_count": reports.count(),
    })
    return render(request, "governance/dashboard.html", context)


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
            else:
                label = VOCABS[field_name][0]
        elif field_name == "state" and value in ReportState.values:
            reports = reports.filter(state=value)
            label = f"状態:{ReportState(value).label}"
        measure = request.GET.get("measure", "")
        if measure.count("-") == 2 and all(p.isdigit() for p in measure.split("-")):
            g, p, m = map(int, measure.split("-"))
            reports = reports.filter(sheet__project__placements__is_home=True,
                                     sheet__project__placements__measure__policy__goal__number=g,
                                     sheet__project__placements__measure__policy__number=p,
                                     sheet__project__placements__measure__number=m)
        reports = reports.select_related("sheet__project", "section__department").order_by("sheet__project__code")
    return render(request, "governance/dashboard_projects.html", {
        "filters": filters, "cycle": cycle, "reports": reports, "label": label,
        "back": f"?{filters.query()}",
    })
