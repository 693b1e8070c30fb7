"""Numbers and dates as a user reads them, in the active language's format (binasehat/formats):
Indonesian 1.234,5 and 31 Des 2025, English 1,234.5 and 31 Dec 2025. Exports keep machine values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats

DASH = "—"


def number(value, decimals: int | None = 0) -> str:
    """A number with the thousands separator and decimal mark of the active language; ``decimals`` None keeps
    the value's own decimals (a Decimal 81.50 stays 81,50). A dash for None."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        return value  # codes and texts are shown as they are
    if isinstance(value, float):
        # Rounded as Python's format() rounds (as the figures were shown before), then grouped.
        value = Decimal(repr(value) if decimals is None else f"{value:.{decimals}f}")
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def decimal_mark() -> str:
    return formats.get_format("DECIMAL_SEPARATOR")


def date_text(value, short: bool = False) -> str:
    """A date (or a datetime, in local time) as 31 Des 2025 / 31 Des 2025 10.30; ``short``: 31/12/2025."""
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")


def value_text(value) -> str:
    """Any plain value for a sentence: dates and numbers formatted, booleans as ya/tidak, None as a dash."""
    from django.utils.translation import gettext as _

    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, (dt.date, dt.datetime)):
        return date_text(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, (float, Decimal)):
        return number(value, None)
    return str(value)
