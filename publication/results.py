"""A published cycle's figures for citizens: the summary tables (表4-2〜4-4) and the
chart of 進捗度, counted by the same code and rounding as inside (governance.cycles
.tables, governance.dashboard.charts), over the published reports only; and the
public PDFs (the results page on A4, the plan book), kept in the cache under the data
stamps so that a visitor never makes the server render them twice."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import stamps
from core.pdf import render_pdf
from governance.cycles.tables import summary_tables
from governance.dashboard import charts
from governance.vocab import Progress
from publication import querysets
from publication.services import DECIDED_STATES


def figures(cycle) -> dict:
    """The tables and the chart of one published cycle, and its projects' results.
    A fixed number of queries whatever the size of the plan."""
    tables = summary_tables(cycle, states=DECIDED_STATES, depths=[1])
    progress = next(summary for summary in tables if summary.field == "progress")
    bars = [(label, [row.count for row in rows], None) for _, label, rows in progress.scoped
            if _ != "department"]
    reports = (querysets.published_reports().filter(cycle=cycle)
               .select_related("sheet__project__plan").order_by("sheet__project__code"))
    return {
        "tables": tables,
        "chart": charts.responsive_bars("進捗度(計画全体・項目別)", list(Progress.labels), bars, uid="progress"),
        "print_chart": charts.stacked_bars("進捗度(計画全体・項目別)", list(Progress.labels), bars, uid="progress"),
        # (label, [(column, count)], total): each cell named for the phone's card layout.
        "chart_rows": [(label, list(zip(Progress.labels, counts)), sum(counts)) for label, counts, _ in bars],
        "progress_labels": list(Progress.labels),
        "reports": reports,
        "city_name": settings.CITY_NAME,
    }


def pdf(context) -> bytes:
    """The results page on A4."""
    cycle = context["cycle"]
    key = f"open-results-pdf|{stamps.current('plans', 'work')}|{cycle.pk}|{cycle.publication.published_on}"
    return cache.get_or_set(key, lambda: render_pdf(
        "publication/pdf/cycle_results.html", {**context, "printed_on": timezone.localdate()},
        stylesheets=("pdf/base.css", "pdf/book.css", "pdf/briefing.css")), stamps.CACHE_TIMEOUT)


def plan_book(plan) -> bytes:
    """The plan book without the sheets (the chapters and the parts the data draws)."""
    from governance.books.render import plan_book as render_plan_book

    key = f"open-plan-book|{stamps.current('plans')}|{plan.pk}|{plan.publication.published_on}"
    return cache.get_or_set(key, lambda: render_plan_book(plan), stamps.CACHE_TIMEOUT)
