"""Action checks for cycles, reports and meetings."""

from accounts.permissions import is_ict_office, works_in_section
from governance.workflow import EDITABLE_STATES


def can_manage_cycles(user) -> bool:
    """Opening cycles, checking results, preparing meetings: 情報推進課."""
    return is_ict_office(user)


def can_view_report(user, report) -> bool:
    return user.is_authenticated and user.is_active


def can_edit_report(user, report) -> bool:
    """The department fills in its report until it is submitted; after that it is
    locked for them until 情報推進課 returns it."""
    return report.state in EDITABLE_STATES and works_in_section(user, report.section_id)
