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


@register.filter
def nik(value, sensitive=False):
    """A NIK in full when ``sensitive`` (the viewer has ``sensitive.view``), else masked without a digit; a dash
    when none is recorded."""
    from binasehat.core.personal import nik_for

    return nik_for(value, bool(sensitive)) or "—"


@register.filter
def no_kk(value, sensitive=False):
    """A No. KK (area code, issue date, serial: built like a NIK) in full when ``sensitive``, else masked."""
    from binasehat.core.personal import nik_for

    return nik_for(value, bool(sensitive)) or "—"
