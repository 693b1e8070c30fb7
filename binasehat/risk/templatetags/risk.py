from django import template

from binasehat.core.formatting import number

register = template.Library()


@register.filter
def score(value):
    """A score without needless decimals (8, 2,5)."""
    if value is None:
        return "—"
    return number(float(f"{value:g}"), None) if value != int(value) else number(int(value))


@register.filter
def signed(value):
    if value is None:
        return "—"
    return ("+" if value >= 0 else "-") + score(abs(value))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
