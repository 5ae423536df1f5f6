"""Action checks for sheets, used by views, templates and the admin alike.

Lookups are scoped first (ProjectSheet.objects.editable_by), so that another
section's edit page is a 404; these functions answer the remaining questions.
"""

from accounts.permissions import is_ict_office, works_in_section


def can_edit_sheet(user, sheet) -> bool:
    return is_ict_office(user) or works_in_section(user, sheet.section_id)


def can_assign_section(user, sheet=None) -> bool:
    """担当部署 is set by 情報推進課, never by the departments themselves."""
    return is_ict_office(user)
