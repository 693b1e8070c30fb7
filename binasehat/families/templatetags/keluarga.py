from django import template

from binasehat.core.formatting import decimal_mark
from binasehat.families import rules

register = template.Library()


@register.filter
def frac(value, places=3):
    """An exact ratio (Fraction) as 0,452 (half up, Indonesian decimal comma); a dash when undefined."""
    if value is None:
        return "—"
    return rules.ratio_text(value.numerator, value.denominator, int(places), decimal_mark())


@register.filter
def pct(value):
    """An exact ratio as a percentage with one decimal: 30,3."""
    if value is None:
        return "—"
    return rules.ratio_text(100 * value.numerator, value.denominator, 1, decimal_mark())
