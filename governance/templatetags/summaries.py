"""{{ rows|summary_total }}: the 合計 row of a summary table (表4-2〜4-4)."""

from django import template

register = template.Library()


@register.filter
def summary_total(rows):
    """(count, share) of the rows of governance.cycles.shares.table: the shares add up to
    100.0% (0.0% when nothing is counted), as the plan's tables print them."""
    rows = list(rows)
    return sum(row.count for row in rows), sum((row.share for row in rows), start=0)
