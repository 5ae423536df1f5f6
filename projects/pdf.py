"""The sheet as a PDF (図3-2 layout, A4)."""

from core.pdf import render_pdf
from projects.layout import SheetLayout


def render_sheet_pdf(layout: SheetLayout) -> bytes:
    return render_pdf(
        "projects/pdf/sheet.html", {"layout": layout}, stylesheets=("pdf/base.css", "pdf/sheet.css")
    )
