"""Reading GET parameters that pages take (year, month, period, a number, a choice) without ever failing.

A page answers odd input — ``tahun=-1``, ``tahun=99999``, ``bulan=2025-13``, ``periode=abc``, a huge number —
with a sensible default, never a server error. Each reader takes the request, the parameter's name and a default,
and returns a plain value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from django.utils import timezone

from .periods import Period, PeriodError

#: The years any page may show: no record in this system is older, and no page looks further ahead.
FIRST_YEAR = 2000
YEARS_AHEAD = 1


def _raw(request, name: str) -> str:
    value = request.GET.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def int_param(request, name: str, *, default: int, lo: int | None = None, hi: int | None = None) -> int:
    """An integer within [lo, hi]; the default when absent, not a number, or out of range."""
    raw = _raw(request, name)
    if not raw or len(raw) > 18:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return default
    return value


def year_param(request, name: str = "tahun", *, default: int | None = None,
               choices: Sequence[int] | None = None, last: int | None = None) -> int:
    """A year: one of ``choices`` when given (else the default, or the first choice), otherwise between
    ``FIRST_YEAR`` and ``last`` (default: next year) — out-of-range years fall back to the default (this year)."""
    this_year = timezone.localdate().year
    if choices:
        fallback = default if default is not None else choices[0]
        year = int_param(request, name, default=fallback)
        return year if year in choices else fallback
    fallback = default if default is not None else this_year
    return int_param(request, name, default=fallback, lo=FIRST_YEAR, hi=last if last is not None else
                     this_year + YEARS_AHEAD)


def month_param(request, name: str = "bulan", *, default: dt.date) -> dt.date:
    """The first day of a month written ``YYYY-MM`` (``<input type=month>``), within the years pages show."""
    raw = _raw(request, name)
    try:
        year, month = (int(x) for x in raw.split("-"))
        if FIRST_YEAR <= year <= timezone.localdate().year + YEARS_AHEAD and 1 <= month <= 12:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return default


def period_param(request, name: str = "periode", *, default: Period | None = None) -> Period | None:
    """A period (``2025-10``, ``202510``, ``2025Q4``, ``2025``) within the years pages show; else the default."""
    raw = _raw(request, name)
    if not raw:
        return default
    try:
        period = Period.parse(raw)
    except PeriodError:
        return default
    if not FIRST_YEAR <= period.year <= timezone.localdate().year + YEARS_AHEAD:
        return default
    return period


def choice_param(request, name: str, choices: Collection[str], default: str = "") -> str:
    """One of ``choices``; the default for anything else."""
    raw = _raw(request, name)
    return raw if raw in choices else default
