"""{{ mapping|get_item:key }} for dictionaries keyed by variables."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def row_of(node, field):
    """A dashboard node's (label, count, share, value) cells for one vocabulary."""
    return node.row(field)
