"""Who may publish: 情報推進課 only (the service checks it again)."""

from django.core.exceptions import PermissionDenied

from accounts.permissions import is_ict_office


def can_publish(user) -> bool:
    return is_ict_office(user)


def require_publisher(user) -> None:
    if not can_publish(user):
        raise PermissionDenied
