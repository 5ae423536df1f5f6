"""Who may see and shape plans."""

from django.core.exceptions import PermissionDenied

from accounts.permissions import is_ict_office


def can_author_plans(user) -> bool:
    """Making plans, their levels and their trees: 情報推進課 only. They alone
    see a plan in preparation."""
    return is_ict_office(user)


def require_plan_author(user) -> None:
    if not can_author_plans(user):
        raise PermissionDenied
