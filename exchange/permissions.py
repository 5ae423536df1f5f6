"""Who may use the data pages' import."""

from accounts.permissions import is_ict_office, works_in_section


def can_import(user) -> bool:
    """情報推進課, and those who act for their section (its rows are all they can change)."""
    return is_ict_office(user) or works_in_section(user, getattr(user, "section_id", None))
