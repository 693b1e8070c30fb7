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


@register.simple_tag
def check_value(check, indicator):
    """A checked value with the indicator's decimals, or two more where the value is within rounding of the
    threshold (94,950 against "≥ 95", not a misleading 95,0). Localised decimal mark and grouping."""
    from django.utils.formats import number_format

    from binasehat.risk.rules import near_threshold

    if check.value is None:
        return "—"
    decimals = indicator.decimals
    if near_threshold(check.value, check.threshold, decimals):
        decimals += 2
    return number_format(check.value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
