"""Yearly posyandu evaluations as indicator inputs: aktif (Kemenkes DO) and strata (2011), per desa and year."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from binasehat.core.inputs import YEAR, Source, cell_filters, year_marks


class EvaluationSource(Source):
    name = "assessments"
    inputs = {"posyandu_dinilai": YEAR, "posyandu_aktif": YEAR, "posyandu_strata_dinilai": YEAR,
              "posyandu_purnama_mandiri": YEAR}

    def marks(self, code, day):
        return year_marks(code, day)

    def compute(self, cells):
        from .models import PosyanduEvaluation

        for month, codes in cell_filters(cells):
            qs = PosyanduEvaluation.objects.all()
            if month is not None:
                qs = qs.filter(year=month.year, posyandu__desa_id__in=codes)
            out: dict[tuple, float] = {}
            for desa, year, code, result, n in (qs.values_list("posyandu__desa_id", "year", "ruleset_code", "result")
                                                 .annotate(n=Count("id")).order_by().iterator(chunk_size=10_000)):
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
