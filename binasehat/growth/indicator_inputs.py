"""Child growth as indicator inputs: children 0–59 months measured, and how many are stunted, wasted,
underweight, overweight (with the number assessable for each). Each child counts **once per period, by its
latest measurement in that period** (aged 0–59 months then): a month's figure is that month's children; the
quarter's (``@q``) and January → month's (``@ytd``, December's being the year's) are counted over the whole
period, never as a sum of months."""

from __future__ import annotations

import datetime as dt

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

    def _counts(self, start: dt.date, end: dt.date, codes: list[str] | None):
        from .models import Child, Measurement

        m_table, c_table = Measurement._meta.db_table, Child._meta.db_table
        sums = ", ".join(f"SUM(CASE WHEN {t} THEN 1 ELSE 0 END), SUM(CASE WHEN {t} IS NOT NULL THEN 1 ELSE 0 END)"
                         for t in TERMS)
        cols = ", ".join(f"m.{t}" for t in TERMS)
        where, params = "m.measured_on >= %s AND m.measured_on < %s AND m.age_days < %s", \
            [start, end, MAX_AGE_DAYS]
        if codes is not None:
            where += f" AND c.desa_id IN ({', '.join(['%s'] * len(codes))})"
            params += codes
        sql = (f"SELECT desa_id, COUNT(*), {sums} FROM ("
               f"SELECT c.desa_id AS desa_id, {cols}, ROW_NUMBER() OVER (PARTITION BY m.child_id "
               f"ORDER BY m.measured_on DESC, m.id DESC) AS rn "
               f"FROM {m_table} m JOIN {c_table} c ON c.id = m.child_id WHERE {where}) t "
               f"WHERE rn = 1 GROUP BY desa_id")
        with connection.cursor() as cur:
            cur.execute(sql, params)
            yield from cur.fetchall()

    def compute(self, cells):
        if cells is None:
            cells = {m: None for m in self._months()}
        for month, codes in sorted(cells.items()):
            windows = [("", month, _shift(month, 1)),
                       (YTD_SUFFIX, dt.date(month.year, 1, 1), _shift(month, 1))]
            if quarter_start(month) == month:
                windows.append((QUARTER_SUFFIX, month, _shift(month, 3)))
            for chunk in ([None] if codes is None else list(chunks(sorted(set(codes))))):
                for suffix, start, end in windows:
                    for row in self._counts(start, end, chunk):
                        desa = row[0]
                        yield f"balita_diukur{suffix}", desa, month, float(row[1])
                        for i, t in enumerate(TERMS):
                            yield f"{t}{suffix}", desa, month, float(row[2 + 2 * i])
                            yield f"{t}_n{suffix}", desa, month, float(row[3 + 2 * i])
