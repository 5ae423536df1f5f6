"""The PDF books: the plan (chapters 1-3 as the data holds them, optionally
every sheet), the yearly 進行管理報告書, and a meeting's papers. Each is an HTML
template rendered by core.pdf; the same functions serve the background task
and the command line."""

from django.db.models import Prefetch
from django.utils import timezone

from core.pdf import render_pdf
from governance import charts
from governance.models import BookKind, Meeting, ReviewCycle
from governance.quality import result_rows
from governance.reports import summary_tables
from governance.vocab import Progress
from plans.models import Measure, Placement, Plan, Policy
from projects.layout import layout_for
from projects.models import ProjectSheet

STYLESHEETS = ("pdf/base.css", "pdf/sheet.css", "pdf/book.css")


def plan_book(plan: Plan, *, with_sheets=False) -> bytes:
    measures = Measure.objects.select_related("reposted_from__policy__goal").prefetch_related(
        Prefetch("placements", queryset=Placement.objects.select_related("project").order_by("position"))
    )
    goals = plan.goals.prefetch_related(
        Prefetch("policies", queryset=Policy.objects.prefetch_related(Prefetch("measures", queryset=measures)))
    )
    sheets = []
    if with_sheets:
        sheets = [layout_for(sheet) for sheet in
                  ProjectSheet.objects.in_plan(plan).with_details().order_by("project__code")]
    return render_pdf("governance/pdf/plan_book.html", {
        "plan": plan, "goals": goals, "sheets": sheets, "printed_on": timezone.localdate(),
    }, stylesheets=STYLESHEETS)


def cycle_report(cycle: ReviewCycle) -> bytes:
    reports = cycle.reports.with_details().order_by("sheet__project__code")
    tables = summary_tables(cycle)
    # The chart shows the plan as a whole, each goal and each department (the
    # policies are in the tables that follow).
    groups = next(t for t in tables if t.field == "progress").groups
    chart_rows = [(label, [row.count for row in rows], None) for label, rows in groups
                  if label == "計画全体" or label.startswith("目標") or not label[:1] in "ⅠⅡⅢⅣⅤ"]
    chart = charts.stacked_bars("進捗度(計画全体・目標別・部別)", list(Progress.labels), chart_rows,
                                uid="report", width=680, label_width=220)
    papers = [(report, result_rows(report), layout_for(report.sheet)) for report in reports]
    return render_pdf("governance/pdf/cycle_report.html", {
        "cycle": cycle, "tables": tables, "chart": chart, "papers": papers,
        "printed_on": timezone.localdate(),
    }, stylesheets=STYLESHEETS)


def meeting_papers(meeting: Meeting) -> bytes:
    from governance.pdf import render_meeting_papers

    return render_meeting_papers(meeting)


def render(kind, params) -> bytes:
    """Render a book from a job's kind and params."""
    if kind == BookKind.PLAN:
        return plan_book(Plan.objects.get(code=params["plan"]), with_sheets=params.get("with_sheets", False))
    if kind == BookKind.REPORT:
        return cycle_report(ReviewCycle.objects.select_related("plan").get(pk=params["cycle"]))
    if kind == BookKind.PAPERS:
        return meeting_papers(Meeting.objects.select_related("body", "cycle__plan").get(pk=params["meeting"]))
    raise ValueError(f"unknown book kind {kind}")


