"""Programme data values as indicator inputs: ``de:<code>`` is the sum of an element's values, ``de#:<code>``
how many values were reported (a reported 0 counts), so that "no report" is told apart from "0 reported"."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from binasehat.core.inputs import MONTH, YEAR, Source, cell_filters

VALUE, COUNT = "de:", "de#:"


class ProgramsSource(Source):
    name = "programs"

    def kinds(self, names):
        from .models import DataElement

        codes: dict[str, list[str]] = {}
        for n in names:
            for prefix in (VALUE, COUNT):
                if n.startswith(prefix):
                    codes.setdefault(n[len(prefix):], []).append(n)
        out = {}
        for code, period_type in DataElement.objects.filter(code__in=codes).values_list("code", "data_set__period_type"):
            for n in codes[code]:
                out[n] = YEAR if period_type == "year" else MONTH
        return out

    def compute(self, cells):
        from .models import DataValue
        from .services import aggregate_key

        for month, codes in cell_filters(cells):
            qs = DataValue.objects.all()
            if month is not None:
                regions = [c for c in codes if ".#" not in c]
                puskesmas = [c.split(".#", 1)[1] for c in codes if ".#" in c]
                qs = qs.filter(Q(region_id__in=regions, puskesmas__isnull=True) | Q(puskesmas__code__in=puskesmas),
                               period_start=month)
            for code, region, pkm, start, v, n in (qs.values_list("element__code", "region_id", "puskesmas__code",
                                                                  "period_start")
                                                   .annotate(v=Sum("value"), n=Count("id")).order_by()
                                                   .iterator(chunk_size=10_000)):
                key = aggregate_key(region, pkm)
                yield f"{VALUE}{code}", key, start, float(v)
                yield f"{COUNT}{code}", key, start, float(n)
