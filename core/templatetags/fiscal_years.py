"""Template filters for fiscal years: {{ year|fy }}, {{ year|fy_short:plan.era }}."""

from django import template

from core import fiscal

register = template.Library()


@register.filter
def fy(year, era=None):
    """「平成28年度(2016年度)」"""
    if year in (None, ""):
        return ""
    return fiscal.fy_label(int(year), era or None)


@register.filter
def fy_era(year, era=None):
    """「平成28年度」"""
    if year in (None, ""):
        return ""
    return fiscal.fy_era(int(year), era or None)


@register.filter
def fy_short(year, era=None):
    """「28年度」, in the given era (a plan's) or the year's own."""
    if year in (None, ""):
        return ""
    return fiscal.fy_short(int(year), era or None)


@register.filter
def wareki(day):
    """「令和3年(2021年)3月25日」 (core.fiscal.day_label)."""
    return fiscal.day_label(day) if day else ""


@register.filter
def wareki_short(day):
    """「令和3年3月25日」: a date in the era alone, where space is short."""
    return fiscal.day_label(day, western=False) if day else ""
