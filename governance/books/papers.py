"""The papers of a meeting as one PDF: agenda, summary tables, each report with its sheet."""

from core.pdf import render_pdf
from governance.cycles.quality import result_rows, with_covered_results
from governance.cycles.tables import summary_tables
from governance.meetings.bodies import presiding_over
from governance.models import AnnualReport
from projects.layout import layout_for


def render_meeting_papers(meeting) -> bytes:
    reports = (
        AnnualReport.objects.filter(agenda_items__meeting=meeting).with_details()
        .order_by("agenda_items__position")
    )
    chair, _ = presiding_over(meeting)
    papers = [(report, result_rows(report), layout_for(report.sheet)) for report in with_covered_results(reports)]
    return render_pdf("governance/pdf/papers.html", {
        "meeting": meeting, "chair": chair, "papers": papers,
        "attendees": meeting.attendees.select_related("section__department", "department"),
        "tables": summary_tables(meeting.cycle),
    }, stylesheets=("pdf/base.css", "pdf/sheet.css"))
