from django import template

from binasehat.core.formatting import number

register = template.Library()


@register.filter
def pct(value, digits=1):
    """A percentage for display (computed from counts); a dash when there is no denominator."""
    if value is None:
        return "—"
    return number(value, int(digits))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
