"""Each project of a book on its own page, without near-blank pages.

A project's results, sheet and schedule are laid out from a new page. Most fit on it; one
that runs over would leave its last lines alone on a page (the papers used to be half such
pages). WeasyPrint cannot shrink a block to fit, so the book is laid out, measured and laid
out again: a project whose last page holds less than a quarter of a page is set dense (a
smaller type, tighter tables); one still running over after that lets the next project
follow on its last page instead of a new one. The template marks each project with
id="paper-N" class="paper…" at its start (N from 1) and id="paper-N-end" at its end; the
classes paper--dense and paper--follow are added here (static/pdf/briefing.css).

At most three layouts, two or three only when something ran over; the PDF is written from
the last one.
"""

import re

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.pdf import StaticOnlyURLFetcher, static_path

BODY_TOP, BODY_BOTTOM = 18 / 25.4 * 96, (297 - 20) / 25.4 * 96  # CSS px; base.css: @page margin 18mm 15mm 20mm
THIN = 0.25  # a last page holding less than this share of the body is near-blank
PAPER = re.compile(r'id="paper-(\d+)" class="paper')


def render_fitted(template_name, context, *, stylesheets) -> bytes:
    """The template as a tagged PDF, its projects fitted as the module says."""
    fetcher = StaticOnlyURLFetcher(timeout=5)
    fonts = FontConfiguration()
    css = [CSS(filename=str(static_path(name)), url_fetcher=fetcher, font_config=fonts) for name in stylesheets]
    base_url = static_path(stylesheets[0]).parent.as_uri() + "/"
    document = fitted_layout(render_to_string(template_name, context), base_url=base_url, fetcher=fetcher,
                             stylesheets=css, fonts=fonts, pdf_tags=True)
    return document.write_pdf(pdf_tags=True)


def fitted_layout(html, *, base_url, fetcher, stylesheets, fonts, **options):
    """The WeasyPrint document of `html` whose projects (id="paper-N" class="paper…", each
    with an id="paper-N-end" marker) are set dense or made to follow as the module says."""
    dense, follow = set(), set()
    for attempt in range(3):
        marked = PAPER.sub(lambda found: _marked(found, dense, follow), html)
        document = HTML(string=marked, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=fonts, **options)
        thin = thin_endings(document)
        if not thin or attempt == 2:
            return document
        if attempt == 0:
            dense |= thin
        else:
            follow |= {number + 1 for number in thin}
        document = None  # one layout in memory at a time (a layout of 100 projects is hundreds of MiB)


def _marked(found, dense, follow):
    number = int(found.group(1))
    return (found.group(0) + (" paper--dense" if number in dense else "")
            + (" paper--follow" if number in follow else ""))


def thin_endings(document) -> set[int]:
    """The projects (numbers from 1) that run over onto a page they fill less than THIN of."""
    where = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():  # (x1, y1, x2, y2) in CSS px
            if name.startswith("paper-"):
                where.setdefault(name, (index, box[1]))  # a split box is anchored on each of its pages
    thin = set()
    for name, (start, _) in where.items():
        if name.endswith("-end"):
            continue
        end = where.get(f"{name}-end")
        if end and end[0] > start and (end[1] - BODY_TOP) / (BODY_BOTTOM - BODY_TOP) < THIN:
            thin.add(int(name.removeprefix("paper-")))
    return thin
