"""The papers of a meeting as one PDF: the cover, the front page (どこが遅れているか), the agenda,
the dashboard's charts, the summary tables, the bodies' conclusions, then each report with its
sheet and the box the member writes in (governance.books.briefing for the front pages)."""

from django.conf import settings
from django.utils import timezone

from governance.books.briefing import briefing
from governance.books.fitting import render_fitted
from governance.cycles.quality import result_rows, with_covered_results
from governance.cycles.tables import summary_tables
from governance.meetings.bodies import presiding_over
from governance.models import AnnualReport, BodyKind
from governance.vocab import Decision
from projects.layout import layout_for

STYLESHEETS = ("pdf/base.css", "pdf/sheet.css", "pdf/book.css", "pdf/briefing.css")


def render_meeting_papers(meeting) -> bytes:
    reports = (
        AnnualReport.objects.filter(agenda_items__meeting=meeting).with_details()
        .order_by("agenda_items__position")
    )
    chair, _ = presiding_over(meeting)
    papers = [(report, result_rows(report), layout_for(report.sheet)) for report in with_covered_results(reports)]
    today = timezone.localdate()
    return render_fitted("governance/pdf/papers.html", {
        "meeting": meeting, "cycle": meeting.cycle, "chair": chair, "papers": papers,
        "attendees": meeting.attendees.select_related("section__department", "department"),
        "tables": summary_tables(meeting.cycle),
        "briefing": briefing(meeting.cycle, today=today),
        "is_committee": meeting.body.kind == BodyKind.COMMITTEE,
        "is_headquarters": meeting.body.kind == BodyKind.HEADQUARTERS,
        "decision_labels": Decision.labels,
        "printed_on": today, "city_name": settings.CITY_NAME,
    }, stylesheets=STYLESHEETS)
