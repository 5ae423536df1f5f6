"""Template tags of the dashboard."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()
ZERO = mark_safe('<td class="num"><span class="muted">0</span></td>')


@register.simple_tag
def count_cells(row, node_label, plain=False):
    """The <td> cells of one vocabulary's counts for a node (governance.dashboard.facts.Node.row),
    each count linking to the projects behind it, with its share.

    Built here rather than by an include per row: the dashboard has hundreds of cells.
    Counts and shares are printed as str() prints them, which is what the template's
    localisation prints for the ja locale (no digit grouping, "." before the decimal)."""
    if plain:  # on paper: the count and its share, no link
        return format_html_join("", '<td class="num">{} <span class="muted">({}%)</span></td>', (
            (str(count), str(share)) for _, count, share, _, _ in row))
    return format_html_join("", "{}", (
        (_cell(label, count, share, url, node_label),) for label, count, share, _, url in row
    ))


def _cell(label, count, share, url, node_label):
    if not count:
        return ZERO
    return format_html(
        '<td class="num"><a href="{}" aria-label="{} {} {}件">{}</a> <span class="muted">({}%)</span></td>',
        url, node_label, label, str(count), str(count), str(share),
    )


@register.filter
def change(n):
    """A change from the previous year as text (「+2」「−1」「±0」), or 「前年度なし」."""
    if n is None:
        return "前年度なし"
    return f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "±0"


@register.filter
def decision_label(value):
    from governance.vocab import Decision

    return Decision(value).label if value in Decision.values else ""


@register.filter
def state_label(value):
    from governance.models import ReportState

    return ReportState(value).label if value in ReportState.values else ""
