"""Yearly posyandu evaluations as indicator inputs: aktif (Kemenkes DO) and strata (2011), per desa and year."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from binasehat.core.inputs import YEAR, Source, cell_filters, year_marks

AKTIF = "posyandu-aktif"
#: The strata results that count as "Purnama or Mandiri".
PURNAMA_MANDIRI = ("Purnama", "Mandiri")


def _counts_query(year: int | None, codes: list[str] | None) -> tuple[str, list]:
    """Per desa and year, the four inputs counted by the database (one row per desa-year, conditional sums): the
    posyandu assessed for aktif and found aktif, the posyandu given a stratum and found Purnama or Mandiri. The
    evaluations are first counted per posyandu (read in the order of their unique index), then per desa."""
    from binasehat.facilities.models import Posyandu

    from .models import PosyanduEvaluation

    q = connection.ops.quote_name
    e = PosyanduEvaluation._meta
    code, result = q(e.get_field("ruleset_code").column), q(e.get_field("result").column)
    pk, year_col = q(e.get_field("posyandu").column), q(e.get_field("year").column)
    aktif, other = f"{code} = %s", f"{code} <> %s"
    params: list = [AKTIF, AKTIF, "ya", AKTIF, AKTIF, *PURNAMA_MANDIRI]
    where = ""
    if year is not None:
        where = f" WHERE {year_col} = %s AND {pk} IN (SELECT {q(Posyandu._meta.pk.column)} FROM " \
                f"{q(Posyandu._meta.db_table)} WHERE {q(Posyandu._meta.get_field('desa').column)} IN " \
                f"({', '.join(['%s'] * len(codes))}))"
        params += [year, *codes]
    per_posyandu = (
        f"SELECT {pk} AS posyandu_id, {year_col} AS year, "
        f"SUM(CASE WHEN {aktif} THEN 1 ELSE 0 END) AS dinilai, "
        f"SUM(CASE WHEN {aktif} AND {result} = %s THEN 1 ELSE 0 END) AS aktif, "
        f"SUM(CASE WHEN {other} THEN 1 ELSE 0 END) AS strata, "
        f"SUM(CASE WHEN {other} AND {result} IN (%s, %s) THEN 1 ELSE 0 END) AS purnama_mandiri "
        f"FROM {q(e.db_table)}{where} GROUP BY {pk}, {year_col}")
    p = Posyandu._meta
    desa = q(p.get_field("desa").column)
    sql = (f"SELECT p.{desa}, t.year, SUM(t.dinilai), SUM(t.aktif), SUM(t.strata), SUM(t.purnama_mandiri) "
           f"FROM ({per_posyandu}) t JOIN {q(p.db_table)} p ON p.{q(p.pk.column)} = t.posyandu_id "
           f"GROUP BY p.{desa}, t.year")
    return sql, params


class EvaluationSource(Source):
    name = "assessments"
    inputs = {"posyandu_dinilai": YEAR, "posyandu_aktif": YEAR, "posyandu_strata_dinilai": YEAR,
              "posyandu_purnama_mandiri": YEAR}

    def marks(self, code, day):
        return year_marks(code, day)

    def compute(self, cells):
        names = ("posyandu_dinilai", "posyandu_aktif", "posyandu_strata_dinilai", "posyandu_purnama_mandiri")
        for month, codes in cell_filters(cells):
            sql, params = _counts_query(None if month is None else month.year, codes)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            for desa, year, *counts in rows:
                day = dt.date(int(year), 1, 1)
                for name, n in zip(names, counts):
                    if n:
                        yield name, desa, day, float(n)
