"""{% if user|can_author_plans %}: the menu entry of 計画の管理."""

from django import template

from plans.permissions import can_author_plans as _can_author_plans

register = template.Library()


@register.filter
def can_author_plans(user) -> bool:
    return _can_author_plans(user)
