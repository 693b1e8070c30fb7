from django import template

from binasehat.core import formatting

register = template.Library()


@register.filter
def num(value, decimals=0):
    """A number in the active language's format: 15.444 and 81,5 (Indonesian), 15,444 and 81.5 (English);
    ``decimals`` "" keeps the value's own decimals."""
    return formatting.number(value, None if decimals in ("", None) else int(decimals))


@register.filter
def percent(part, whole):
    """part/whole as a percentage with one decimal (Indonesian decimal comma); a dash without a denominator."""
    try:
        if not whole:
            return "—"
        return formatting.number(100 * part / whole, 1)
    except (TypeError, ValueError):
        return "—"


@register.filter
def z(value):
    """A z-score rounded to two decimals for the screen (stored unrounded)."""
    if value is None:
        return "—"
    return ("+" if value >= 0 else "-") + formatting.number(abs(value), 2)


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


@register.filter
def month_name(number):
    """A month number (1–12) as its name in the active language: 3 → Maret / March."""
    from django.utils.dates import MONTHS

    try:
        return MONTHS[int(number)]
    except (KeyError, TypeError, ValueError):
        return number


@register.filter
def period_name(value):
    """A reporting period as a user reads it: 2026-11 → November 2026, 2025Q4 → Triwulan 4 2025, 2026 → 2026
    (the input fields keep the machine form)."""
    from django.utils.dates import MONTHS

    from binasehat.core.periods import Period, PeriodError

    if not isinstance(value, Period):
        try:
            value = Period.parse(str(value))
        except PeriodError:
            return value
    return value.label([str(MONTHS[m]) for m in range(1, 13)])
