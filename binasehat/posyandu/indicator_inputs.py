"""SKDN of the monthly posyandu records as indicator inputs, per desa and month."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from binasehat.core.inputs import MONTH, Source, cell_filters


class PosyanduMonthSource(Source):
    name = "posyandu"
    inputs = {"skdn_s": MONTH, "skdn_k": MONTH, "skdn_d": MONTH, "skdn_n": MONTH,
              "posyandu_lapor": MONTH, "posyandu_buka": MONTH}

    def compute(self, cells):
        from .models import PosyanduMonth

        for month, codes in cell_filters(cells):
            qs = PosyanduMonth.objects.all()
            if month is not None:
                qs = qs.filter(month=month, posyandu__desa_id__in=codes)
            for r in (qs.values("posyandu__desa_id", "month")
                      .annotate(s=Sum("s"), k=Sum("k"), d=Sum("d"), n=Sum("n"), lapor=Count("id"),
                                buka=Count("id", filter=Q(opening_days__gt=0))).order_by()
                      .iterator(chunk_size=10_000)):
                region, m = r["posyandu__desa_id"], r["month"]
                for name, key in (("skdn_s", "s"), ("skdn_k", "k"), ("skdn_d", "d"), ("skdn_n", "n"),
                                  ("posyandu_lapor", "lapor"), ("posyandu_buka", "buka")):
                    yield name, region, m, float(r[key] or 0)
