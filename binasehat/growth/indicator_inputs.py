"""Child growth as indicator inputs: children 0–59 months measured, and how many are stunted, wasted,
underweight, overweight (with the number assessable for each). Each child counts **once per period, by its
latest measurement in that period** (aged 0–59 months then): a month's figure is that month's children; the
quarter's (``@q``) and January → month's (``@ytd``, December's being the year's) are counted over the whole
period, never as a sum of months."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import connection

from binasehat.core.inputs import DISTINCT, QUARTER_SUFFIX, YTD_SUFFIX, Source, chunks
from binasehat.core.periods import date_ordinal, ordinal_date

TERMS = ("stunting", "wasting", "underweight", "overweight")
NAMES = ("balita_diukur", *TERMS, *(f"{t}_n" for t in TERMS))
#: Aged 0–59 months at the measurement: below 60 completed months (WHO: 1826 days).
MAX_AGE_DAYS = 1827


def _shift(day: dt.date, months: int) -> dt.date:
    return ordinal_date(date_ordinal(day) + months)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class GrowthSource(Source):
    name = "growth"
    inputs = {n: DISTINCT for n in NAMES}

    def marks(self, code, day):
        """A change in a month changes that month, its quarter (stored on the quarter's first month) and the
        cumulative counts of every later month of the year."""
        first = day.replace(day=1)
        months = {quarter_start(first)} | {dt.date(first.year, m, 1) for m in range(first.month, 13)}
        return [(code, m) for m in sorted(months)]

    def _months(self) -> list[dt.date]:
        from .models import Measurement

        months = set(Measurement.objects.dates("measured_on", "month"))
        # Cumulative counts run to December and the quarter's count sits on its first month.
        for m in list(months):
            months.add(quarter_start(m))
            months.update(dt.date(m.year, k, 1) for k in range(m.month, 13))
        return sorted(months)

    def compute(self, cells):
        """Every window's counts from one read of the measurements per year and chunk of desa (rows sorted by
        child, date and id; the latest per child in a window is the last of its run), the same figures as one
        ``ROW_NUMBER() OVER (PARTITION BY child ORDER BY measured_on DESC, id DESC)`` query per window."""
        if cells is None:
            cells = {m: None for m in self._months()}
        by_year: dict[int, dict[dt.date, list[str] | None]] = {}
        for month, codes in cells.items():
            by_year.setdefault(month.year, {})[month] = codes
        for year, months in sorted(by_year.items()):
            if any(codes is None for codes in months.values()):
                wanted = self._all_desa()
            else:
                wanted = sorted({c for codes in months.values() for c in codes})
            for chunk in chunks(wanted):
                yield from self._year_counts(year, months, chunk)

    @staticmethod
    def _all_desa() -> list[str]:
        from .models import Child

        return sorted(Child.objects.order_by().values_list("desa_id", flat=True).distinct())

    def _year_counts(self, year: int, months: dict, chunk: list[str]):
        from .models import Child, Measurement

        m_table, c_table = Measurement._meta.db_table, Child._meta.db_table
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        cols = ", ".join(f"m.{t}" for t in TERMS)
        # The day as text: no date object made per row (the distinct days are converted once, below).
        sql = (f"SELECT m.child_id, c.desa_id, CAST(m.measured_on AS TEXT), m.id, {cols} FROM {m_table} m "
               f"JOIN {c_table} c ON c.id = m.child_id WHERE m.measured_on >= %s AND m.measured_on < %s "
               f"AND m.age_days < %s AND c.desa_id IN ({', '.join(['%s'] * len(chunk))})")
        desa_index = {code: i for i, code in enumerate(chunk)}
        days: dict = {}
        child, desa, day, pk, terms = [], [], [], [], [[] for _ in TERMS]
        with connection.cursor() as cur:
            cur.execute(sql, [start, end, MAX_AGE_DAYS, *chunk])
            while batch := cur.fetchmany(10_000):
                for row in batch:
                    child.append(row[0])
                    desa.append(desa_index[row[1]])
                    d = days.get(row[2])
                    if d is None:
                        d = days[row[2]] = (row[2] if isinstance(row[2], dt.date)
                                            else dt.date.fromisoformat(str(row[2])[:10])).toordinal()
                    day.append(d)
                    pk.append(row[3])
                    for i, column in enumerate(terms):
                        value = row[4 + i]
                        column.append(-1 if value is None else (1 if value else 0))
        if not child:
            return
        child_a, day_a, pk_a = np.array(child, np.int64), np.array(day, np.int32), np.array(pk, np.int64)
        order = np.lexsort((pk_a, day_a, child_a))
        child_a, day_a = child_a[order], day_a[order]
        desa_a = np.array(desa, np.int32)[order]
        term_a = [np.array(t, np.int8)[order] for t in terms]
        n_desa = len(chunk)
        for month, codes in sorted(months.items()):
            windows = [("", month, _shift(month, 1)), (YTD_SUFFIX, dt.date(month.year, 1, 1), _shift(month, 1))]
            if quarter_start(month) == month:
                windows.append((QUARTER_SUFFIX, month, _shift(month, 3)))
            shown = None if codes is None else {desa_index[c] for c in codes if c in desa_index}
            for suffix, first, after in windows:
                inside = np.flatnonzero((day_a >= first.toordinal()) & (day_a < after.toordinal()))
                if not len(inside):
                    continue
                last = np.ones(len(inside), bool)
                last[:-1] = child_a[inside[1:]] != child_a[inside[:-1]]
                latest = inside[last]
                where = desa_a[latest]
                counted = np.bincount(where, minlength=n_desa)
                sums = [(np.bincount(where, weights=(t[latest] == 1), minlength=n_desa),
                         np.bincount(where, weights=(t[latest] >= 0), minlength=n_desa)) for t in term_a]
                for i in np.flatnonzero(counted).tolist():
                    if shown is not None and i not in shown:
                        continue
                    code = chunk[i]
                    yield f"balita_diukur{suffix}", code, month, float(counted[i])
                    for t, (raised, assessed) in zip(TERMS, sums):
                        yield f"{t}{suffix}", code, month, float(raised[i])
                        yield f"{t}_n{suffix}", code, month, float(assessed[i])
