"""Action checks for cycles, reports and meetings."""

from django.core.exceptions import PermissionDenied

from accounts.permissions import is_ict_office, works_in_section
from governance.cycles.workflow import EDITABLE_STATES


def can_manage_cycles(user) -> bool:
    """Opening cycles, checking results, preparing meetings: 情報推進課."""
    return is_ict_office(user)


def can_manage_mail(user) -> bool:
    """メール送信状況 and its 再送: 情報推進課, who sends the cycle's mails."""
    return is_ict_office(user)


def require_cycle_manager(user) -> None:
    """A view's guard for the secretariat's screens and actions: 403 for anyone else."""
    if not can_manage_cycles(user):
        raise PermissionDenied



def can_edit_report(user, report) -> bool:
    """The department fills in its report until it is submitted; after that it is
    locked for them until 情報推進課 returns it."""
    return report.state in EDITABLE_STATES and works_in_section(user, report.section_id)
