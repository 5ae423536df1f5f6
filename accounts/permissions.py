"""Who holds which role: the building block of every app's permissions module."""

from accounts.models import Position
from accounts.roles import Role


def role_names(user) -> frozenset[str]:
    """The user's role groups, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_role_names"):
        user._role_names = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names


def has_role(user, role: Role) -> bool:
    return user.is_authenticated and user.is_active and role.value in role_names(user)


def is_ict_office(user) -> bool:
    """情報推進課 (the 事務局): keeps the plan, the master data and every sheet."""
    return has_role(user, Role.ICT_OFFICE)


def works_in_section(user, section_id) -> bool:
    """Department staff and the 課長 of a section act for it: the rule of
    User.objects.acting_for, for a user already loaded (no query beyond the roles)."""
    if not (user.is_authenticated and user.is_active and section_id):
        return False
    if user.section_id != section_id:
        return False
    return has_role(user, Role.DEPARTMENT_STAFF) or user.position == Position.SECTION_CHIEF


def can_view_audit_log(user) -> bool:
    """The 監査ログ is read by 情報推進課 (and superusers, who run the system)."""
    return user.is_authenticated and user.is_active and (user.is_superuser or is_ict_office(user))
