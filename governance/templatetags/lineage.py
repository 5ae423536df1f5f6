"""The project page's story across plans (governance.succession.lineage), for
templates of apps below governance that show a project."""

from django import template

from governance.succession.lineage import lineage

register = template.Library()


@register.inclusion_tag("governance/succession/_lineage.html")
def project_lineage(project):
    return {"stages": lineage(project), "project": project}
