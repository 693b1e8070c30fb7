"""Where the inputs of indicators come from. Each source computes its inputs per (smallest area, month) from
the records, for a set of cells or for everything; ``aggregates`` stores the results.

Inputs that describe a whole year (population, yearly targets, yearly evaluations, the year's family survey)
are stored on January of that year ("year" inputs); the rest are counts of one month ("month" inputs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import numpy as np
from django.db import connection
from django.db.models import Count, Q, Sum

from binasehat.core.periods import date_ordinal, ordinal_date

#: cells: {first day of month: [region codes]}; None means every cell of the source.
Cells = dict[dt.date, list[str]] | None
Row = tuple[str, str, dt.date, float]
CHUNK = 500


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), CHUNK):
        yield codes[start:start + CHUNK]


def _cell_filters(cells: Cells) -> Iterator[tuple[dt.date | None, list[str] | None]]:
    if cells is None:
        yield None, None
        return
    for month, codes in sorted(cells.items()):
        for chunk in _chunks(sorted(set(codes))):
            yield month, chunk


def _next_month(day: dt.date) -> dt.date:
    return ordinal_date(date_ordinal(day) + 1)


class Source:
    name = ""
    #: input → "month" or "year"
    inputs: dict[str, str] = {}

    def compute(self, cells: Cells) -> Iterable[Row]:
        raise NotImplementedError


class ProgramsSource(Source):
    """Programme data values: input ``de:<code>`` per element."""

    name = "programs"

    def compute(self, cells):
        from binasehat.programs.models import DataValue
        from binasehat.programs.services import aggregate_key

        for month, codes in _cell_filters(cells):
            qs = DataValue.objects.all()
            if month is not None:
                regions = [c for c in codes if ".#" not in c]
                puskesmas = [c.split(".#", 1)[1] for c in codes if ".#" in c]
                qs = qs.filter(Q(region_id__in=regions, puskesmas__isnull=True) | Q(puskesmas__code__in=puskesmas),
                               period_start=month)
            for code, region, pkm, start, v in (qs.values_list("element__code", "region_id", "puskesmas__code",
                                                               "period_start").annotate(v=Sum("value")).order_by()):
                yield f"de:{code}", aggregate_key(region, pkm), start, float(v)


class PopulationSource(Source):
    name = "regions"
    inputs = {"penduduk": "year"}

    def compute(self, cells):
        from binasehat.regions.models import Population

        for month, codes in _cell_filters(cells):
            qs = Population.objects.all()
            if month is not None:
                qs = qs.filter(year=month.year, region_id__in=codes)
            for region, year, total in qs.values_list("region_id", "year", "total"):
                yield "penduduk", region, dt.date(year, 1, 1), float(total)


class PosyanduMonthSource(Source):
    """SKDN of the monthly posyandu records, per desa."""

    name = "posyandu"
    inputs = {"skdn_s": "month", "skdn_k": "month", "skdn_d": "month", "skdn_n": "month",
              "posyandu_lapor": "month", "posyandu_buka": "month"}

    def compute(self, cells):
        from binasehat.posyandu.models import PosyanduMonth

        for month, codes in _cell_filters(cells):
            qs = PosyanduMonth.objects.all()
            if month is not None:
                qs = qs.filter(month=month, posyandu__desa_id__in=codes)
            for r in (qs.values("posyandu__desa_id", "month")
                      .annotate(s=Sum("s"), k=Sum("k"), d=Sum("d"), n=Sum("n"), lapor=Count("id"),
                                buka=Count("id", filter=Q(opening_days__gt=0))).order_by()):
                region, m = r["posyandu__desa_id"], r["month"]
                for name, key in (("skdn_s", "s"), ("skdn_k", "k"), ("skdn_d", "d"), ("skdn_n", "n"),
                                  ("posyandu_lapor", "lapor"), ("posyandu_buka", "buka")):
                    yield name, region, m, float(r[key] or 0)


class EvaluationSource(Source):
    """Yearly posyandu evaluations: aktif (Kemenkes DO) and strata (2011)."""

    name = "assessments"
    inputs = {"posyandu_dinilai": "year", "posyandu_aktif": "year", "posyandu_strata_dinilai": "year",
              "posyandu_purnama_mandiri": "year"}

    def compute(self, cells):
        from binasehat.assessments.models import PosyanduEvaluation

        for month, codes in _cell_filters(cells):
            qs = PosyanduEvaluation.objects.all()
            if month is not None:
                qs = qs.filter(year=month.year, posyandu__desa_id__in=codes)
            out: dict[tuple, float] = {}
            for desa, year, code, result, n in (qs.values_list("posyandu__desa_id", "year", "ruleset_code", "result")
                                                 .annotate(n=Count("id")).order_by()):
                if code == "posyandu-aktif":
                    names = ["posyandu_dinilai"] + (["posyandu_aktif"] if result == "ya" else [])
                else:
                    names = ["posyandu_strata_dinilai"] + \
                        (["posyandu_purnama_mandiri"] if result in ("Purnama", "Mandiri") else [])
                for name in names:
                    key = (name, desa, dt.date(year, 1, 1))
                    out[key] = out.get(key, 0.0) + n
            for (name, desa, m), v in out.items():
                yield name, desa, m, v


GROWTH_TERMS = ("stunting", "wasting", "underweight", "overweight")


class GrowthSource(Source):
    """Children 0–59 months measured in a month (each counted once, with the month's last measurement), and
    how many are stunted, wasted, underweight, overweight, with the number assessable for each."""

    name = "growth"
    inputs = {"balita_diukur": "month", **{t: "month" for t in GROWTH_TERMS},
              **{f"{t}_n": "month" for t in GROWTH_TERMS}}

    def _months(self) -> list[dt.date]:
        from binasehat.growth.models import Measurement

        return list(Measurement.objects.dates("measured_on", "month"))

    def compute(self, cells):
        from binasehat.growth.models import Child, Measurement

        if cells is None:
            cells = {m: None for m in self._months()}
        m_table, c_table = Measurement._meta.db_table, Child._meta.db_table
        sums = ", ".join(f"SUM(CASE WHEN {t} THEN 1 ELSE 0 END), SUM(CASE WHEN {t} IS NOT NULL THEN 1 ELSE 0 END)"
                         for t in GROWTH_TERMS)
        cols = ", ".join(f"m.{t}" for t in GROWTH_TERMS)
        for month, codes in sorted(cells.items()):
            chunks = [None] if codes is None else list(_chunks(sorted(set(codes))))
            for chunk in chunks:
                where, params = "m.measured_on >= %s AND m.measured_on < %s AND m.age_days < 1827", \
                    [month, _next_month(month)]
                if chunk is not None:
                    where += f" AND c.desa_id IN ({', '.join(['%s'] * len(chunk))})"
                    params += chunk
                sql = (f"SELECT desa_id, COUNT(*), {sums} FROM ("
                       f"SELECT c.desa_id AS desa_id, {cols}, ROW_NUMBER() OVER (PARTITION BY m.child_id "
                       f"ORDER BY m.measured_on DESC, m.id DESC) AS rn "
                       f"FROM {m_table} m JOIN {c_table} c ON c.id = m.child_id WHERE {where}) t "
                       f"WHERE rn = 1 GROUP BY desa_id")
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    for row in cur.fetchall():
                        desa = row[0]
                        yield "balita_diukur", desa, month, float(row[1])
                        for i, t in enumerate(GROWTH_TERMS):
                            yield t, desa, month, float(row[2 + 2 * i])
                            yield f"{t}_n", desa, month, float(row[3 + 2 * i])


class FamilySource(Source):
    """PIS-PK per desa and year, from each family's latest survey of the year (RULES.md §1.4)."""

    name = "families"
    inputs = {"keluarga_terdata": "year", "keluarga_lengkap": "year", "keluarga_sehat": "year",
              **{f"pispk_y_{i:02d}": "year" for i in range(1, 13)},
              **{f"pispk_yt_{i:02d}": "year" for i in range(1, 13)}}

    def compute(self, cells):
        from binasehat.families import rules as family_rules
        from binasehat.families.models import Survey

        if cells is None:
            years = sorted({d.year for d in Survey.objects.dates("visited_on", "year")})
            cells = {dt.date(y, 1, 1): None for y in years}
        for month, codes in sorted(cells.items()):
            chunks = [None] if codes is None else list(_chunks(sorted(set(codes))))
            for chunk in chunks:
                qs = Survey.objects.filter(visited_on__year=month.year)
                if chunk is not None:
                    qs = qs.filter(family__desa_id__in=chunk)
                rows, last = [], None
                for r in (qs.order_by("family_id", "-visited_on", "-id")
                          .values_list("family_id", "family__desa_id", "values", "complete").iterator(chunk_size=5000)):
                    if r[0] != last:
                        rows.append(r)
                        last = r[0]
                if not rows:
                    continue
                desas = sorted({r[1] for r in rows})
                index = {d: i for i, d in enumerate(desas)}
                group = np.array([index[r[1]] for r in rows], dtype=np.int64)
                values = family_rules.values_from_text([r[2] for r in rows])
                complete = np.array([r[3] for r in rows], dtype=bool)
                counts = family_rules.area_counts(values, group, len(desas), complete)
                for i, desa in enumerate(desas):
                    yield "keluarga_terdata", desa, month, float(counts["families"][i])
                    yield "keluarga_lengkap", desa, month, float(counts["complete"][i])
                    yield "keluarga_sehat", desa, month, float(counts["sehat"][i])
                    for k in range(12):
                        yield f"pispk_y_{k + 1:02d}", desa, month, float(counts["y"][i, k])
                        yield f"pispk_yt_{k + 1:02d}", desa, month, float(counts["y"][i, k] + counts["t"][i, k])


SOURCES: dict[str, Source] = {s.name: s for s in (ProgramsSource(), PopulationSource(), PosyanduMonthSource(),
                                                   EvaluationSource(), GrowthSource(), FamilySource())}


def kinds_of(input_names) -> dict[str, str]:
    """{input: "month" | "year"} for these inputs (one query for all programme data elements); inputs no source
    knows are left out."""
    from binasehat.programs.models import DataElement

    names = set(input_names)
    out = {}
    for s in SOURCES.values():
        for name in names & set(s.inputs):
            out[name] = s.inputs[name]
    codes = {n[3:]: n for n in names if n.startswith("de:")}
    for code, period_type in DataElement.objects.filter(code__in=codes).values_list("code", "data_set__period_type"):
        out[codes[code]] = "year" if period_type == "year" else "month"
    return out
