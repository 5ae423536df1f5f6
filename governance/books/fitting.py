"""Each project of a book on its own page, without near-blank pages.

A project's results, sheet and schedule are laid out from a new page. Most fit on it; one
that runs over would leave its last lines alone on a page (the papers used to be half such
pages). WeasyPrint cannot shrink a block to fit, so the book is laid out, measured and laid
out again: a project whose last page holds less than a quarter of a page is set dense (a
smaller type, tighter tables); one still running over after that lets the next project
follow on its last page instead of a new one. The template reads `fit.dense` and
`fit.follow` (sets of the projects' numbers, from 1) and marks each project with
id="paper-N" at its start and id="paper-N-end" at its end.

At most three layouts, two or three only when something ran over; the PDF is written from
the last one.
"""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.pdf import StaticOnlyURLFetcher, static_path

PAGE_HEIGHT = 297 / 25.4 * 96  # A4 in CSS px, as page.anchors gives positions
BODY_TOP, BODY_BOTTOM = 18 / 25.4 * 96, (297 - 20) / 25.4 * 96  # base.css: @page margin 18mm 15mm 20mm
THIN = 0.25  # a last page holding less than this share of the body is near-blank


@dataclass
class Fit:
    dense: set = field(default_factory=set)
    follow: set = field(default_factory=set)


def render_fitted(template_name, context, *, stylesheets, count) -> bytes:
    """The template as a tagged PDF, its `count` projects fitted as the module says."""
    fetcher = StaticOnlyURLFetcher(timeout=5)
    fonts = FontConfiguration()
    css = [CSS(filename=str(static_path(name)), url_fetcher=fetcher, font_config=fonts) for name in stylesheets]
    base_url = static_path(stylesheets[0]).parent.as_uri() + "/"
    fit = Fit()
    for attempt in range(3):
        html = render_to_string(template_name, {**context, "fit": fit})
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=css, font_config=fonts, pdf_tags=True)
        thin = thin_endings(document, count)
        if not thin or attempt == 2:
            return document.write_pdf(pdf_tags=True)
        if attempt == 0:
            fit.dense |= thin
        else:
            fit.follow |= {number + 1 for number in thin}
        document = None  # one layout in memory at a time (a layout of 100 projects is hundreds of MiB)


def thin_endings(document, count) -> set[int]:
    """The projects (numbers from 1) that run over onto a page they fill less than THIN of."""
    where = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():  # (x1, y1, x2, y2) in CSS px
            if name.startswith("paper-"):
                where.setdefault(name, (index, box[1]))  # a split box is anchored on each of its pages
    thin = set()
    for number in range(1, count + 1):
        start, end = where.get(f"paper-{number}"), where.get(f"paper-{number}-end")
        if start and end and end[0] > start[0] and (end[1] - BODY_TOP) / (BODY_BOTTOM - BODY_TOP) < THIN:
            thin.add(number)
    return thin
