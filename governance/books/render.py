"""The PDF books: the plan (chapters 1-3 as the data holds them, optionally
every sheet), the yearly 進行管理報告書, and a meeting's papers. Each is an HTML
template rendered by core.pdf; the same functions serve the background task
and the command line."""

import io
import multiprocessing
import os
import subprocess
from functools import lru_cache

import django
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration

from core.pdf import StaticOnlyURLFetcher, render_pdf, static_path
from governance.books import plan_book as plan_book_parts
from governance.cycles.quality import result_rows, with_covered_results
from governance.cycles.tables import summary_tables
from governance.books.briefing import briefing
from governance.books.fitting import fitted_layout, render_fitted
from governance.models import BookKind, Meeting, ReviewCycle
from plans import tree
from plans.models import Plan
from projects.layout import layout_for
from projects.models import ProjectSheet

STYLESHEETS = ("pdf/base.css", "pdf/sheet.css", "pdf/book.css", "pdf/briefing.css")
# A yearly report of more reports than this is rendered in parts of PART_SIZE
# reports, PROCESSES at a time, then joined (see _report_in_parts).
SINGLE_UP_TO = 100
PART_SIZE = 40
PROCESSES = max(1, min(os.cpu_count() or 1, 4))


def plan_book(plan: Plan, *, with_sheets=False) -> bytes:
    """The plan book: its chapters in order with the parts the data draws
    (governance.books.plan_book), or, for a plan without chapters, chapters 1-2
    as the hierarchy holds them, at any depth and with the plan's own level names;
    then (optionally) every sheet. Queries: the chapters and each part they
    place (or the levels and the tree), and the sheets."""
    chapters = plan_book_parts.chapter_views(plan)
    top = []
    if not chapters:
        top = tree.build(plan, limit=None)
        for item in top:
            item.below = list(_preorder(item.child_list))
    sheets = []
    if with_sheets:
        sheets = [layout_for(sheet) for sheet in
                  ProjectSheet.objects.in_plan(plan).with_details().order_by("project__code")]
    return render_pdf("governance/pdf/plan_book.html", {
        "plan": plan, "levels": plan.level_list, "top": top, "sheets": sheets, "chapters": chapters,
        "printed_on": timezone.localdate(), "city_name": settings.CITY_NAME,
    }, stylesheets=STYLESHEETS)


def _preorder(items):
    for item in items:
        yield item
        yield from _preorder(item.child_list)


def cycle_report(cycle: ReviewCycle) -> bytes:
    """The yearly 進行管理報告書: cover, contents, the briefing pages (governance.books.briefing:
    the front page, the dashboard's charts with their tables, the summary tables, the bodies'
    conclusions), then each report with its sheet."""
    reports = cycle.reports.with_details().order_by("sheet__project__code")
    papers = [(report, result_rows(report), layout_for(report.sheet)) for report in with_covered_results(reports)]
    today = timezone.localdate()
    context = {"cycle": cycle, "tables": summary_tables(cycle), "briefing": briefing(cycle, today=today),
               "papers": papers, "printed_on": today, "city_name": settings.CITY_NAME}
    if len(papers) <= SINGLE_UP_TO:
        return render_fitted("governance/pdf/cycle_report.html", context, stylesheets=STYLESHEETS)
    return _report_in_parts(context)


def _report_in_parts(context) -> bytes:
    """The yearly report of many projects, in parts rendered side by side.

    WeasyPrint lays a document out on one core, in memory growing with its pages
    (500 reports: 1,020 pages, 2 GiB): the summary and each run of PART_SIZE
    reports are separate documents, rendered by PROCESSES worker processes; the
    cover and contents are rendered last, with the page numbers the parts gave;
    pikepdf joins them and lays the 「- n -」 numbers over the pages. The running
    header stays each part's own. The joined book is not a tagged PDF (no tool
    merges structure trees; a book up to SINGLE_UP_TO reports is one tagged document).
    """
    papers = context["papers"]

    def part(**extra):
        return render_to_string("governance/pdf/cycle_report_part.html", {**context, **extra})

    runs = range(0, len(papers), PART_SIZE)
    parts = render_parts([part(part="summary")] + [
        part(part="papers", papers=papers[i:i + PART_SIZE], first=i == 0) for i in runs])
    front_pages = 2  # cover and contents; rendered again if the contents ran longer
    while True:
        toc = {"summary": front_pages + 1, "reports": front_pages + 1 + parts[0][1]}
        front, pages = write_part(part(part="front", toc_pages=toc))
        if pages == front_pages:
            break
        front_pages = pages
    return join_parts([front, *(data for data, _ in parts)], title=f"{context['cycle']} 進行管理報告書")


def write_part(html: str) -> tuple[bytes, int]:
    """One part as an untagged PDF without page numbers, and its number of pages, its
    projects fitted to their pages (governance.books.fitting). Runs in the worker
    processes: fetches only static files, as core.pdf does."""
    fetcher = StaticOnlyURLFetcher(timeout=5)
    fonts = FontConfiguration()
    css = [CSS(filename=str(static_path(name)), url_fetcher=fetcher, font_config=fonts)
           for name in (*STYLESHEETS, "pdf/parts.css")]
    base_url = static_path(STYLESHEETS[0]).parent.as_uri() + "/"
    document = fitted_layout(html, base_url=base_url, fetcher=fetcher, stylesheets=css, fonts=fonts)
    return document.write_pdf(), len(document.pages)


def render_parts(htmls: list[str]) -> list[tuple[bytes, int]]:
    """write_part of each, in order, in PROCESSES fresh worker processes (spawned,
    so that each holds only Django and its part). An error in a part is raised here;
    leaving early (an error, the task's time limit) terminates the workers."""
    if PROCESSES == 1 or len(htmls) == 1:
        return [write_part(html) for html in htmls]
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(PROCESSES, initializer=django.setup, maxtasksperchild=2) as pool:
        return pool.map(write_part, htmls, chunksize=1)


def join_parts(pdfs: list[bytes], *, title: str, numbered_from=2) -> bytes:
    """The parts as one PDF, with 「- n -」 laid over every page from `numbered_from`."""
    import pikepdf

    book = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(data)) for data in pdfs]
    try:
        for source in sources:
            book.pages.extend(source.pages)
        numbers = pikepdf.open(io.BytesIO(page_numbers(len(book.pages), numbered_from)))
        for page, number in list(zip(book.pages, numbers.pages))[numbered_from - 1:]:
            page.add_overlay(number)
        book.docinfo["/Title"] = title
        book.Root.Lang = pikepdf.String("ja")
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    finally:
        for source in sources:
            source.close()


FOOTER_BASELINE = 24.93  # pt above the bottom edge: where base.css's @bottom-center puts it


def page_numbers(count: int, first: int) -> bytes:
    """A PDF of `count` A4 pages, blank but for 「- n -」 as base.css prints it (from `first`)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "BIZUDGothic" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("BIZUDGothic", _font_file("BIZ UDGothic")))
    out = io.BytesIO()
    pages = canvas.Canvas(out, pagesize=A4)
    for number in range(1, count + 1):
        if number >= first:
            pages.setFont("BIZUDGothic", 9)
            pages.drawCentredString(A4[0] / 2, FOOTER_BASELINE, f"- {number} -")
        pages.showPage()
    pages.save()
    return out.getvalue()


@lru_cache
def _font_file(family: str) -> str:
    """The font file fontconfig gives WeasyPrint for `family` (not a fallback)."""
    found = subprocess.run(["fc-match", "-f", "%{file}\n%{family}", family], capture_output=True,
                           text=True, check=True).stdout.split("\n")
    if family not in found[1].split(","):
        raise FileNotFoundError(f"フォント {family} がありません(sh scripts/bootstrap-system.sh)")
    return found[0]


def meeting_papers(meeting: Meeting) -> bytes:
    from governance.books.papers import render_meeting_papers

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


