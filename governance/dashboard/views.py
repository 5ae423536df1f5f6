"""The executives' dashboard and its drill-down to the projects behind a figure."""

import io

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.models import Department
from accounts.permissions import is_ict_office
from core import fiscal, stamps
from core.pdf import render_pdf
from governance.dashboard import charts
from governance.dashboard import monitor as monitoring
from governance.dashboard.facts import (
    REPORTED,
    UNREPORTED,
    VOCABS,
    Filters,
    by_department,
    cycle_facts,
    cycle_for,
    cycle_years,
    decision_table,
    default_year,
    drill_url,
    flagged,
    headline,
    hierarchy,
    indicator_achievement,
    item_status,
    scoped_reports,
    shortfalls,
    totals,
    tree_rows,
    trend,
    trend_facts,
)
from governance.models import AnnualReport, ReportState
from governance.vocab import Decision, Progress
from plans import tree as plan_tree
from plans.choice import plan_choice

INDENT = "\u3000"  # an option of a <select> cannot be styled: items are indented by ideographic spaces
# The executive view lists the first of these (the drill-down lists them all).
LIMITS = {"list_limit": 15, "list_slice": ":15", "short_limit": 10, "short_slice": ":10"}


def _filters(request, stamp):
    """The filters in the URL; anything unknown falls back to its default. `goal=N` (the
    dashboard's links before plans had levels of their own) reads as item N."""
    params = request.GET
    choice = plan_choice(request)  # an unknown plan is a 404, like a wrong URL (plans.choice)
    plan = choice.plan
    if plan is None:
        return Filters(None, None), choice
    years = cache.get_or_set(f"dashboard-years|{stamp}|{plan.pk}", lambda: cycle_years(plan),
                             stamps.CACHE_TIMEOUT)
    year, why = default_year(plan, years)
    asked = params.get("year", "")
    if asked.isascii() and asked.isdecimal() and int(asked) in plan.years:
        year, why = int(asked), "選択した年度"
    outline = cache.get_or_set(f"dashboard-outline|{stamp}|{plan.pk}", lambda: plan_tree.outline(plan.pk),
                               stamps.CACHE_TIMEOUT)
    item = params.get("item") or params.get("goal", "")
    level = params.get("level", "")
    level = int(level) if level.isascii() and level.isdecimal() and int(level) in outline["levels"] else 1
    department = Department.objects.filter(code=params.get("department", "")).first()
    return Filters(plan, year, item if item in outline["items"] else None, department, level, outline,
                   why, tuple(sorted(years))), choice


def dashboard(request):
    return render(request, "governance/dashboard.html", _context(request))


def dashboard_pdf(request):
    """The dashboard as it is filtered, on paper: the same figures, the charts in their
    wide layout each with its table. Small (a few pages): made in the request, and kept
    under the same key as the page's figures, so that printing it again costs nothing."""
    context = _context(request)
    cycle = context.get("cycle")
    if cycle is None:
        raise Http404("この年度の年次進行管理はまだ開始されていません。")
    filters = context["filters"]
    context["figures"] = SimpleLazyObject(  # computed only when the PDF is not in the cache
        lambda: figures(cycle, filters, context["by"], context["stamp"], for_print=True))
    context["printed_on"] = timezone.localdate()
    context["conditions"] = _conditions(filters, context["by"])
    data = cache.get_or_set(
        f"dashboard-pdf|{context['figures_key']}|{cycle.status}|{cycle.closed_at}|{context['printed_on']}",
        lambda: render_pdf("governance/pdf/dashboard.html", context,
                           stylesheets=("pdf/base.css", "pdf/dashboard.css")),
        stamps.CACHE_TIMEOUT)
    name = f"dashboard-{filters.plan.code}-{filters.year}.pdf"
    return FileResponse(io.BytesIO(data), content_type="application/pdf", filename=name)


def _conditions(filters, by):
    parts = [f"項目:{filters.item_fact.label} {filters.item_fact.title}" if filters.item else "すべての項目",
             f"部:{filters.department.name}" if filters.department else "すべての部",
             f"集計する階層:{filters.level_name}", f"表の分類:{VOCABS[by][0]}"]
    return "、".join(parts)


def _context(request):
    stamp = stamps.current("plans", "work")  # before any data (core.stamps)
    filters, choice = _filters(request, stamp)
    context = {"filters": filters, "choice": choice, "departments": Department.objects.filter(is_active=True),
               "for_ict_office": is_ict_office(request.user)}
    if filters.plan is None:
        return context
    shown = request.GET.get("by", "progress")
    context["by"] = shown if shown in VOCABS else "progress"
    context["years"] = [(y, fiscal.fy_label(y)) for y in filters.plan.years]
    context["items"] = [(item.path, f"{INDENT * (item.depth - 1)}{item.label} {item.title}")
                        for item in filters.outline["items"].values()]
    cycle = cycle_for(filters)
    context["cycle"] = cycle
    if cycle is None:
        return context
    levels = filters.outline["levels"]
    context.update({
        # The figures are cached under the data stamps read before them, the cycle and
        # every parameter that changes them.
        "figures_key": "|".join(str(part) for part in (
            stamp, cycle.pk, filters.year, filters.item, getattr(filters.department, "pk", ""), filters.level,
            context["by"])),
        "stamp": stamp,
        "figures": SimpleLazyObject(lambda: figures(cycle, filters, context["by"], stamp)),
        "vocabs": VOCABS,
        "shown_vocab": VOCABS[context["by"]],
        "level_names": list(levels.values()),
        "level_links": [(name, f"?{filters.query(level=depth, by=context['by'])}", depth == filters.level)
                        for depth, name in levels.items()] if len(levels) > 1 else [],
        "states": ReportState,
        "progress_labels": list(Progress.labels),
        "unreported_label": UNREPORTED,
        "top_level_name": levels.get(1, ""),
        "decision_labels": list(Decision.labels),
        **LIMITS,
    })
    return context


def figures(cycle, filters, by, stamp, *, for_print=False):
    """Every figure of the dashboard for a cycle, the filters and the vocabulary shown,
    from the cycle's facts (cached under the data stamps read before them)."""
    facts = cache.get_or_set(f"dashboard-facts|{stamp}|{cycle.pk}", lambda: cycle_facts(cycle), stamps.CACHE_TIMEOUT)
    trend_rows = trend(cache.get_or_set(f"dashboard-trend-states|{stamp}|{filters.plan.pk}",
                                        lambda: trend_facts(filters.plan), stamps.CACHE_TIMEOUT), filters)
    tree = hierarchy(facts, filters)
    rows = list(tree_rows(tree))
    departments, board = by_department(facts, filters)
    total_count, reported_count = totals(facts, filters)

    def bars(rows):
        return [(label, [c[1] for c in cells], [c[4] for c in cells]) for label, cells in rows]

    behind, acting = flagged(facts, filters)
    decision_rows, decision_total = decision_table(tree)
    def unlinked(rows):
        return [(label, counts, None) for label, counts, _ in rows]

    shown_label, shown_vocab = VOCABS[by]
    progress_labels = list(Progress.labels)
    department_rows = [(n.label, n.row("progress", with_unreported=True)) for n in departments]
    result = {
        "tree": tree,
        "tree_rows": rows,
        "tree_table": [(n, n.row(by, with_unreported=True)) for n in rows],
        "headline": headline(departments, trend_rows, filters),
        "item_status": item_status(tree, filters),
        "behind": behind,
        "acting": acting,
        "decision_rows": decision_rows,
        "decision_total": decision_total,
        "shortfalls": shortfalls(facts, filters),
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
        **_trend_figures(trend_rows, filters),
        # The chart of the chosen level shows the vocabulary of the table beside it.
        "chart_items": charts.responsive_bars(
            f"{filters.level_name}ごとの{shown_label}", [*shown_vocab.labels, UNREPORTED],
            bars((n.label, n.row(by, with_unreported=True)) for n in rows if n.depth == filters.level),
            uid="items"),
        "chart_departments": charts.responsive_bars("部ごとの進捗度", [*progress_labels, UNREPORTED],
                                                 bars(department_rows), uid="depts"),
        "reported_count": reported_count,
        "total_count": total_count,
    }
    if for_print:  # on paper: the wide layout, without the links
        trend_figures = result["trend_rows"]
        result.update({
            "print_chart_items": charts.stacked_bars(
                f"{filters.level_name}ごとの{shown_label}", [*shown_vocab.labels, UNREPORTED],
                unlinked(bars((n.label, n.row(by, with_unreported=True)) for n in rows if n.depth == filters.level)),
                uid="items"),
            "print_chart_departments": charts.stacked_bars("部ごとの進捗度", [*progress_labels, UNREPORTED],
                                                           unlinked(bars(department_rows)), uid="depts"),
            "print_chart_trend": charts.stacked_bars(
                "進捗度の推移", [*Progress.labels, UNREPORTED],
                [(label, counts if started else [0] * len(counts), None) for label, counts, started in trend_figures],
                uid="trend"),
        })
    return result


def _trend_figures(trend_rows, filters):
    """The trend's table and chart: 進捗度 and 未報告 per year; a year whose cycle has
    not been opened says 未開始 rather than showing zeros."""
    rows = [(_trend_label(y, filters.plan, started), counts, started) for y, counts, started in trend_rows]
    return {
        "trend_rows": rows,
        "trend_across": any(y < filters.plan.start_year for y, _, _ in trend_rows),
        "chart_trend": charts.responsive_bars(
            "進捗度の推移", [*Progress.labels, UNREPORTED],
            [(label, counts if started else [0] * len(counts), None) for label, counts, started in rows],
            uid="trend"),
    }


def _trend_label(year, plan, started=True):
    """A year of the trend; the predecessor's years (carried projects only) and the
    years not started yet say so."""
    if year < plan.start_year:
        return f"{fiscal.fy_label(year)}(前計画・継続事業)"
    return fiscal.fy_label(year) + ("" if started else "(未開始)")


def monitor(request):
    """情報推進課's monitor of what is going stale (governance.dashboard.monitor)."""
    if not is_ict_office(request.user):
        raise PermissionDenied("この画面は情報推進課だけが使えます。")
    choice = plan_choice(request)
    plan = choice.plan
    months = _choice(request.GET.get("months"), monitoring.MONTHS, 12)
    days = _choice(request.GET.get("days"), monitoring.DAYS, 14)
    context = {"choice": choice, "plan": plan, "months": months, "days": days,
               "month_choices": monitoring.MONTHS, "day_choices": monitoring.DAYS, "limit": monitoring.LIST_LIMIT}
    if plan is not None:
        today = timezone.localdate()
        context["stale_count"], context["stale"] = monitoring.stale_sheets(plan, months, today)
        context["orphans"] = monitoring.sections_without_staff(plan)
        context["pending_count"], context["pending"] = monitoring.reports_near_deadline(plan, days, today)
        context["since"] = monitoring.months_before(today, months)
    return render(request, "governance/monitor.html", context)


def _choice(value, choices, default):
    return int(value) if value and value.isascii() and value.isdecimal() and int(value) in choices else default


def dashboard_projects(request):
    """The projects behind a figure of the dashboard."""
    filters, _ = _filters(request, stamps.current("plans", "work"))
    cycle = cycle_for(filters) if filters.plan else None
    field_name = request.GET.get("field", "")
    value = request.GET.get("value", "")
    reports = AnnualReport.objects.none()
    label = ""
    node = _node(filters, request.GET)
    if cycle is not None:
        reports = scoped_reports(cycle, filters, node=node.path if node else None)
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
        if request.GET.get("unassigned"):
            reports = reports.filter(section__isnull=True)
        reports = reports.select_related("sheet__project", "section__department").order_by("sheet__project__code")
    return render(request, "governance/dashboard_projects.html", {
        "filters": filters, "cycle": cycle, "reports": reports, "label": label,
        "item": filters.item_fact if filters.plan else None, "node": node,
        "back": f"?{filters.query()}" if filters.plan else "",
    })


def _node(filters, params):
    """The row of the hierarchy a figure belongs to (`node=<path>`; `policy=` and
    `measure=` of older links name one the same way), if the plan has it."""
    if filters.plan is None:
        return None
    path = params.get("node") or params.get("measure") or params.get("policy")
    return filters.outline["items"].get(path) if path else None
