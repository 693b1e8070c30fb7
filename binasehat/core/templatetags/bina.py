from django import template

register = template.Library()


@register.filter
def percent(part, whole):
    """part/whole as a percentage with one decimal (Indonesian decimal comma); a dash without a denominator."""
    try:
        if not whole:
            return "—"
        return f"{100 * part / whole:.1f}".replace(".", ",")
    except (TypeError, ValueError):
        return "—"


@register.filter
def z(value):
    """A z-score rounded to two decimals for the screen (stored unrounded)."""
    if value is None:
        return "—"
    return f"{value:+.2f}".replace(".", ",")
