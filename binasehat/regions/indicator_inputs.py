"""Population as an indicator input (``penduduk``, per area and year)."""

from __future__ import annotations

import datetime as dt

from binasehat.core.inputs import YEAR, Source

from . import rules


class PopulationSource(Source):
    """Population by the rule of ``rules.population_rows``: an area's own figure where one exists, otherwise the
    sum of its children's. A change anywhere recomputes the rows of that area and of its ancestors."""

    name = "regions"
    inputs = {"penduduk": YEAR}

    def marks(self, code, day):
        jan = dt.date(day.year, 1, 1)
        return [(c, jan) for c in [code, *rules.ancestors_of(code)]]

    def compute(self, cells):
        from .models import Population

        if cells is None:
            wanted = {year: None for year in Population.objects.values_list("year", flat=True).distinct()}
        else:
            wanted: dict[int, set | None] = {}
            for month, codes in cells.items():
                wanted.setdefault(month.year, set()).update(codes)
        for year, codes in sorted(wanted.items()):
            own = {code: float(total) for code, total in
                   Population.objects.filter(year=year).values_list("region_id", "total")}
            for code, value in sorted(rules.population_rows(own).items()):
                if codes is None or code in codes:
                    yield "penduduk", code, dt.date(year, 1, 1), value
