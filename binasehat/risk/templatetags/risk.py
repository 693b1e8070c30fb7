from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def score(value):
    """A score without needless decimals (8, 2,5)."""
    if value is None:
        return "—"
    text = f"{value:g}"
    return text if (get_language() or "id").startswith("en") else text.replace(".", ",")


@register.filter
def signed(value):
    if value is None:
        return "—"
    text = f"{value:+g}"
    return text if (get_language() or "id").startswith("en") else text.replace(".", ",")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
