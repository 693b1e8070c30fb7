"""PIS-PK as indicator inputs, per desa and year, from each family's latest survey of the year (RULES.md §1.4)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from binasehat.core.inputs import YEAR, Source, chunks, year_marks


class FamilySource(Source):
    name = "families"
    inputs = {"keluarga_terdata": YEAR, "keluarga_lengkap": YEAR, "keluarga_sehat": YEAR,
              **{f"pispk_y_{i:02d}": YEAR for i in range(1, 13)},
              **{f"pispk_yt_{i:02d}": YEAR for i in range(1, 13)}}

    def marks(self, code, day):
        return year_marks(code, day)

    def compute(self, cells):
        from . import rules as family_rules
        from .models import Survey

        if cells is None:
            years = sorted({d.year for d in Survey.objects.dates("visited_on", "year")})
            cells = {dt.date(y, 1, 1): None for y in years}
        for month, codes in sorted(cells.items()):
            for chunk in ([None] if codes is None else list(chunks(sorted(set(codes))))):
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
