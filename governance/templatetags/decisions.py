"""The 戦略本部's decision a department acts on (Action), for the sheet edit form, a
template of an app below governance."""

from django import template

from governance.models import AnnualReport, ReportState

register = template.Library()


@register.inclusion_tag("governance/includes/_decision_to_reflect.html")
def decision_to_reflect(sheet):
    """The sheet's decided reports not yet reflected (判断済), newest first (one query)."""
    reports = (AnnualReport.objects.filter(sheet=sheet, state=ReportState.DECIDED)
               .select_related("cycle__plan", "decided_in").order_by("-cycle__fiscal_year", "-pk"))
    return {"reports": list(reports)}
