"""Reporting periods as values: ``2025-10`` (month), ``2025Q4`` (quarter), ``2025`` (year).

DHIS2 writes the same periods as ``202510``, ``2025Q4`` and ``2025``; both spellings parse. Months are also
handled as integer ordinals (``year * 12 + month - 1``) so that ranges and sums stay arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH, QUARTER, YEAR = "month", "quarter", "year"
#: January through a month of the same year (``2026-01..11``): the cumulative period of the current year's
#: dashboard (PWS, Pemantauan Wilayah Setempat).
YTD = "ytd"
_PATTERNS = (
    (re.compile(r"^(\d{4})-01\.\.(\d{1,2})$"), YTD),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
    (re.compile(r"^(\d{4})(\d{2})$"), MONTH),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
)


class PeriodError(ValueError):
    """The text is not a period this system knows."""


def month_ordinal(year: int, month: int) -> int:
    return year * 12 + month - 1


def ordinal_date(ordinal: int) -> dt.date:
    """The first day of the month with this ordinal."""
    return dt.date(ordinal // 12, ordinal % 12 + 1, 1)


def date_ordinal(day: dt.date) -> int:
    return month_ordinal(day.year, day.month)


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str = YEAR
    #: Month 1–12, quarter 1–4, or 1 for a year.
    index: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip()
        for pattern, kind in _PATTERNS:
            m = pattern.match(text)
            if m:
                year = int(m.group(1))
                index = int(m.group(2)) if kind != YEAR else 1
                if not 1900 <= year <= 2200 or (kind in (MONTH, YTD) and not 1 <= index <= 12):
                    break
                return cls(year, kind, index)
        raise PeriodError(f"Periode {text!r} tidak dikenal: tulis 2025-10 (bulan), 2025Q4 (triwulan) atau 2025 (tahun).")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, MONTH, month)

    @classmethod
    def to_month(cls, year: int, month: int) -> Period:
        """January through ``month`` of ``year``."""
        return cls(year, YTD, month)

    @classmethod
    def of_date(cls, day: dt.date, kind: str = MONTH) -> Period:
        if kind == MONTH:
            return cls(day.year, MONTH, day.month)
        if kind == QUARTER:
            return cls(day.year, QUARTER, (day.month - 1) // 3 + 1)
        return cls(day.year)

    def __str__(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind == YTD:
            return f"{self.year}-01..{self.index:02d}"
        return str(self.year)

    @property
    def dhis2(self) -> str:
        """The DHIS2 period identifier."""
        return f"{self.year}{self.index:02d}" if self.kind == MONTH else str(self)

    @property
    def first_month(self) -> int:
        if self.kind == MONTH:
            return month_ordinal(self.year, self.index)
        if self.kind == QUARTER:
            return month_ordinal(self.year, 3 * self.index - 2)
        return month_ordinal(self.year, 1)

    @property
    def last_month(self) -> int:
        return self.first_month + {MONTH: 0, QUARTER: 2, YEAR: 11, YTD: self.index - 1}[self.kind]

    @property
    def start(self) -> dt.date:
        return ordinal_date(self.first_month)

    @property
    def end(self) -> dt.date:
        nxt = ordinal_date(self.last_month + 1)
        return nxt - dt.timedelta(days=1)

    def months(self) -> range:
        """Month ordinals covered by the period."""
        return range(self.first_month, self.last_month + 1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.index)

    @property
    def month_count(self) -> int:
        return self.last_month - self.first_month + 1

    def previous(self) -> Period:
        if self.kind in (YEAR, YTD):
            return Period(self.year - 1, self.kind, self.index)
        n = 12 if self.kind == MONTH else 4
        return Period(self.year, self.kind, self.index - 1) if self.index > 1 else Period(self.year - 1, self.kind, n)

    def label(self, month_names: list[str] | None = None) -> str:
        if self.kind == MONTH and month_names:
            return f"{month_names[self.index - 1]} {self.year}"
        if self.kind == QUARTER:
            from django.utils.translation import gettext

            return gettext("Triwulan %(n)s %(y)s") % {"n": self.index, "y": self.year}
        if self.kind == YTD and month_names:
            return f"{month_names[0]}–{month_names[self.index - 1]} {self.year}"
        return str(self)


def months_of_year(year: int) -> list[Period]:
    return [Period.month(year, m) for m in range(1, 13)]
