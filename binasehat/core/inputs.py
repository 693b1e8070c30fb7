"""The registry of indicator input sources.

Each app that holds records feeding indicators (regions, posyandu, growth, families, assessments, programs)
defines a ``Source`` and registers it here in its ``AppConfig.ready``. The indicator engine knows only this
registry, so an app that reads indicators (risk areas, Desa Siaga, Kabupaten/Kota Sehat) never imports an app
that feeds them through the engine, and no cycle can form.

A source computes its inputs per (smallest area, month) from the records, for a set of cells or for
everything; ``indicators.aggregates`` stores the results. Every input has a kind:

* ``month`` — a count within one month; a longer period sums its months.
* ``year`` — holds for a whole year (population, yearly estimates and targets, yearly evaluations, the year's
  family survey); stored on January and read once for any period of that year.
* ``distinct`` — people counted once per period (children by their latest measurement). A month is stored as
  ``name`` on that month; the same count over the quarter as ``name@q`` on the quarter's first month, and over
  January → that month as ``name@ytd`` on each month (December's is the year's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

MONTH, YEAR, DISTINCT = "month", "year", "distinct"
QUARTER_SUFFIX, YTD_SUFFIX = "@q", "@ytd"

#: cells: {first day of month: [region codes]}; None means every cell of the source.
Cells = dict[dt.date, list[str]] | None
Row = tuple[str, str, dt.date, float]
CHUNK = 500


class Source:
    name = ""
    #: input → MONTH, YEAR or DISTINCT
    inputs: dict[str, str] = {}

    def kinds(self, names: set[str]) -> dict[str, str]:
        """{input: kind} for the names this source provides."""
        return {n: self.inputs[n] for n in names & set(self.inputs)}

    def marks(self, code: str, day: dt.date) -> Iterable[tuple[str, dt.date]]:
        """The (region code, month) cells to recompute when records of ``code`` changed in ``day``'s month."""
        return [(code, day.replace(day=1))]

    def compute(self, cells: Cells) -> Iterable[Row]:
        raise NotImplementedError


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.name] = source
    return source


def kinds_of(names: Iterable[str]) -> dict[str, str]:
    """{input: kind} for these inputs; inputs no source knows are left out."""
    names = set(names)
    out: dict[str, str] = {}
    for source in SOURCES.values():
        out.update(source.kinds(names))
    return out


def chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), CHUNK):
        yield codes[start:start + CHUNK]


def cell_filters(cells: Cells) -> Iterator[tuple[dt.date | None, list[str] | None]]:
    """(month, codes) chunks of ``cells``; one (None, None) for everything."""
    if cells is None:
        yield None, None
        return
    for month, codes in sorted(cells.items()):
        for chunk in chunks(sorted(set(codes))):
            yield month, chunk


def year_marks(code: str, day: dt.date) -> list[tuple[str, dt.date]]:
    """For sources whose inputs hold for a year: any change marks January."""
    return [(code, dt.date(day.year, 1, 1))]
