"""One engine: the value of indicators for areas and periods, as rows of (indicator, area, period, numerator,
denominator, value). Read from the monthly aggregates; areas and months are combined by summing numerators
and denominators (never by averaging percentages)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import operator
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max, Sum
from django.db.models.functions import Substr

from binasehat.core.periods import Period, ordinal_date

from binasehat.core.inputs import DISTINCT, MONTH, QUARTER_SUFFIX, YEAR, YTD_SUFFIX, kinds_of

from . import rules
from .aggregates import COUNT_PREFIX, ROLLUP_LENGTHS, VALUE_PREFIX, byte_ordered, is_rollup_area, refresh_safely, \
    rollup_input, subtree
from .models import YEAR_COUNTS, YEAR_VALUES, Aggregate, FillState, Indicator, Pending, RollupYear

#: Up to this many areas of one level are filtered in SQL (substring IN …); beyond, the common parent's prefix
#: filters and the rest is dropped in Python.
MAX_AREAS_IN = 1000


@dataclass(frozen=True)
class Value:
    indicator: str
    area: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float | None = None
    meets: bool | None = None
    #: The annualisation factor applied to the value (12 ÷ months for an annualised indicator over a month or a
    #: quarter; 1 otherwise).
    scale: float = 1.0


@dataclass(frozen=True)
class AreaGroup:
    """An area that is not one subtree: a puskesmas' wilayah kerja (its desa) with the puskesmas' own data
    (``<kecamatan>.#<code>`` aggregate keys). ``members`` are matched exactly."""

    code: str
    members: tuple[str, ...]


def _common_parent(codes: Sequence[str]) -> str:
    prefix = os.path.commonprefix(list(codes))
    if all(c == prefix for c in codes):
        return prefix
    return prefix[: prefix.rfind(".")] if "." in prefix else ""


def _group_part(inputs, groups: Sequence[AreaGroup], months) -> tuple[str, list, tuple, dict[str, list[str]]]:
    """SQL part (input, member, month, Σ value) of the groups' members, its columns, and {member: its groups}."""
    owners: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        for m in g.members:
            owners[m].append(g.code)
    qs = Aggregate.objects.filter(input__in=inputs, month__gte=months[0], month__lte=months[-1],
                                  region_code__in=sorted(owners))
    if len(months) < 40:
        qs = qs.filter(month__in=months)
    sql, params = qs.values_list("input", "region_code", "month").annotate(v=Sum("value")).order_by() \
        .query.sql_with_params()
    return sql, list(params), ("input", "region_code", "month", "v"), owners


def rolled_up(length: int, codes: Sequence[str]) -> bool:
    """True when the areas (all of one code length) are kecamatan, kabupaten/kota or provinces, read from the
    roll-ups: one row per area, input and month, the sum of every aggregate row in the area."""
    return length in ROLLUP_LENGTHS and all(is_rollup_area(c) for c in codes)


def _in(column: str, values: Sequence) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _rollup_part(inputs: list[str], codes: list[str], months: list[dt.date]) -> tuple[str, list, tuple]:
    """SQL part (input, area, the twelve months' values, their report counts, year) of the roll-ups of these areas
    (``RollupYear``: one row per input, area and year): written by hand (it is the part every page reads), one
    index range of the (input, region_code, year) key per input and area. A report count is read from its values'
    row (``aggregates.FOLDED``); the months asked for are taken from the rows when read."""
    where, params = _in("input", sorted({rollup_input(i)[0] for i in inputs}))
    years = sorted({m.year for m in months})
    clauses = [where, "year >= %s", "year <= %s"]
    params += [years[0], years[-1]]
    if len(years) != years[-1] - years[0] + 1:
        clause, more = _in("year", years)
        clauses.append(clause)
        params += more
    kecamatan_of = _kecamatan_parent(codes)
    if kecamatan_of:  # one range of the key per input: the kab/kota's roll-ups below it are its kecamatan
        clauses.append("region_code >= %s AND region_code < %s")
        params += [kecamatan_of + ".", kecamatan_of + "/"]
    elif len(codes) <= MAX_AREAS_IN:
        clause, more = _in("region_code", codes)
        clauses.append(clause)
        params += more
    else:  # the areas' common parent (or the whole country), the rest dropped when read
        parent = _common_parent(codes)
        if parent:
            clauses.append("(region_code = %s OR (region_code >= %s AND region_code < %s))"
                           if byte_ordered() else "(region_code = %s OR region_code LIKE %s)")
            params += [parent, parent + ".", parent + "/"] if byte_ordered() else [parent, parent + ".%"]
    table = connection.ops.quote_name(RollupYear._meta.db_table)
    return f"SELECT {', '.join(c for c in _ROLLUP_COLUMNS if c)} FROM {table} WHERE {' AND '.join(clauses)}", \
        params, _ROLLUP_COLUMNS


#: A roll-up part's columns as ``_read`` returns them. Its third is NULL where other parts have their month (a
#: UNION's column has one type; SQLite converts a column by the type of its first part's), the year last.
_ROLLUP_COLUMNS = ("input", "region_code", None, *YEAR_VALUES, *YEAR_COUNTS, "year")
#: Where month m's value and report count are in a roll-up row: at ``_FIRST_VALUE + m - 1``, ``_FIRST_COUNT + m - 1``;
#: its year at ``_YEAR``.
_FIRST_VALUE, _FIRST_COUNT = 3, 3 + len(YEAR_VALUES)
_YEAR = _FIRST_COUNT + len(YEAR_COUNTS)


#: From this many kecamatan of one kab/kota, the roll-ups are read as the kab/kota's range of the key (the rows of
#: kecamatan not asked for dropped when read) instead of one index descent per kecamatan and input.
KECAMATAN_RANGE_FROM = 4


def _kecamatan_parent(codes: list[str]) -> str:
    """The kab/kota of these kecamatan when there are enough of them, all of one kab/kota, and the database orders
    codes byte by byte (then the roll-ups from ``K.`` to ``K/`` are exactly K's kecamatan: a roll-up's area is at
    most a kecamatan); "" otherwise."""
    if len(codes) < KECAMATAN_RANGE_FROM or len(codes[0]) != ROLLUP_LENGTHS[0]:
        return ""
    parent = codes[0][: ROLLUP_LENGTHS[1]]
    if codes[-1][: ROLLUP_LENGTHS[1]] != parent or not byte_ordered():
        return ""
    return parent


def _aggregate_part(inputs: list[str], codes: list[str], months: list[dt.date]) -> tuple[str, list, tuple]:
    """SQL part (input, area, month, Σ value) of the aggregates below areas of one code length."""
    length = len(codes[0])
    qs = Aggregate.objects.filter(input__in=inputs, month__gte=months[0], month__lte=months[-1])
    if len(months) < 40:
        qs = qs.filter(month__in=months)
    parent = _common_parent(codes)
    if parent:  # one index-friendly prefix range around all the areas
        qs = qs.filter(subtree(parent))
    qs = qs.annotate(area=Substr("region_code", 1, length))
    if len(codes) <= MAX_AREAS_IN and len(codes) > 1:
        qs = qs.filter(area__in=codes)
    sql, params = qs.values_list("input", "area", "month").annotate(v=Sum("value")).order_by().query.sql_with_params()
    return sql, list(params), ("input", "area", "month", "v")




def input_sums(inputs: Iterable[str], areas: Sequence, months: Iterable[dt.date], *, refresh: bool = False
               ) -> dict[tuple, float]:
    """{(input, area, month): Σ value} for areas given by Kemendagri code (any level, mixed) or as AreaGroups.

    One statement for every part (roll-ups, aggregates per area length, area groups). With ``refresh``, the same
    statement also says whether any cell is pending (``Pending``): a write marks its cells in its own transaction
    and a refresh removes the marks in the one that rewrites the aggregates, so in the statement's snapshot no
    mark means every aggregate it read is current. When marks are seen, the aggregates are refreshed
    (``refresh_pending``) and read again."""
    cells = cell_sums(inputs, areas, months, refresh=refresh)
    return {(inp, code, month): v for (code, month), by_input in cells.items() for inp, v in by_input.items()}


def cell_sums(inputs: Iterable[str], areas: Sequence, months: Iterable[dt.date], *, refresh: bool = False
              ) -> dict[tuple, dict[str, float]]:
    """``input_sums`` by cell: {(area, month): {input: Σ value}}, as the evaluation reads them (one dict per area
    and month, built straight from the rows)."""
    inputs, months = sorted(set(inputs)), sorted(set(months))
    if not inputs or not months or not areas:
        return {}
    parts: list[tuple[str, list, tuple]] = []
    handlers: list = []  # per part: None (keep the areas asked for: a set) or {member: its groups}
    groups = [a for a in areas if isinstance(a, AreaGroup)]
    if groups:
        *part, owners = _group_part(inputs, groups, months)
        parts.append(tuple(part))
        handlers.append(owners)
    by_length: dict[int, list[str]] = defaultdict(list)
    for a in sorted({a for a in areas if not isinstance(a, AreaGroup)}):
        by_length[len(a)].append(a)
    # A roll-up row holds an input's values and, for programme data, its report count: the inputs asked for as
    # {row input: (its values' name or None, its count's name or None)}.
    folded: dict[str, list] = {}
    for name in inputs:
        row_input, column = rollup_input(name)
        folded.setdefault(row_input, [None, None])[column == "count"] = name
    for length, codes in by_length.items():
        if rolled_up(length, codes):
            parts.append(_rollup_part(inputs, codes, months))
            handlers.append((set(codes), folded))
        else:
            parts.append(_aggregate_part(inputs, codes, months))
            handlers.append(set(codes))
    by_part = _fresh_read(parts) if refresh else _read(parts, False)
    out: dict[tuple, dict[str, float]] = {}
    as_date = dt.date.fromisoformat if connection.vendor == "sqlite" else None
    for wanted, rows in zip(handlers, by_part):
        if type(wanted) is tuple:
            _add_rollup_rows(out, rows, *wanted, months)
            continue
        if as_date is not None:
            rows = [(r[0], r[1], as_date(r[2]) if type(r[2]) is str else r[2], *r[3:]) for r in rows]
        if type(wanted) is set:
            get = out.get
            for inp, code, month, v, *_rest in rows:
                if code in wanted:
                    cell = get((code, month))
                    if cell is None:
                        out[(code, month)] = {inp: float(v)}
                    else:
                        cell[inp] = float(v)
        else:
            for inp, code, month, v, *_rest in rows:
                for owner in wanted.get(code, ()):
                    cell = out.setdefault((owner, month), {})
                    cell[inp] = cell.get(inp, 0.0) + float(v)
    return out


def _add_rollup_rows(out: dict, rows, areas: set[str], names: dict[str, list], months: list[dt.date]) -> None:
    """Roll-up rows (input, area, NULL, twelve values, twelve counts, year, …) into ``out``'s cells of these months: the
    value under its input's name and the count under its report count's name, each when asked for and stored."""
    get = out.get
    by_year: dict[int, list] = defaultdict(list)
    for month in months:
        by_year[month.year].append((_FIRST_VALUE + month.month - 1, _FIRST_COUNT + month.month - 1, month))
    for row in rows:
        code = row[1]
        if code not in areas:
            continue
        value_name, count_name = names[row[0]]
        for at_value, at_count, month in by_year.get(row[_YEAR], ()):
            v = None if value_name is None else row[at_value]
            n = None if count_name is None else row[at_count]
            if v is None and n is None:
                continue
            cell = get((code, month))
            if cell is None:
                cell = out[(code, month)] = {}
            if v is not None:
                cell[value_name] = v
            if n is not None:
                cell[count_name] = n


def _fresh_read(parts: list[tuple[str, list, tuple]]) -> list[list]:
    """``_read`` with the check for pending cells: when cells were pending, refreshed and read again."""
    by_part = _read(parts, True)
    if by_part is None:
        refresh_safely()
        by_part = _read(parts, False)
    return by_part


def _statement_cursor(prepared: bool):
    """A cursor for the engine's read. With ``prepared``, on PostgreSQL, one whose statements are prepared on the
    server and whose rows come in binary: the read is the same text for every request of a page (the areas and
    months are parameters), so after its first execution on a connection it is bound and run without being parsed
    and planned again (when the connection allows prepared statements: ``prepare_threshold`` in settings).
    Wrapped as Django's own cursors are (logged with the other queries, ``execute_wrappers`` applied)."""
    db = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` looks it up again on every attribute
    if not prepared or db.vendor != "postgresql":
        return db.cursor()
    db.close_if_health_check_failed()  # what db.cursor() does first
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        cursor = _prepared_cursor_class()(db.connection)
    return db.make_debug_cursor(cursor) if db.queries_logged else db.make_cursor(cursor)


@functools.cache
def _prepared_cursor_class():
    """psycopg's server-binding cursor (Django's, with its ``callproc``) that prepares every statement it runs."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True, binary=True, **kwargs)

        def _convert_query(self, query, params=None):
            # Kept where Django's query log reads the statement (``last_executed_query``): psycopg sets it only
            # when it sends the text, not when it runs a statement already prepared.
            self._query = converted = super()._convert_query(query, params)
            return converted

    return PreparedCursor


def _read(parts: list[tuple[str, list, tuple]], pending: bool, *, always_a_row: bool = False) -> list[list] | None:
    """The rows of each part (SQL, parameters, the names of its columns: input, area, month and value, or a
    roll-up part's columns) in one statement: per part, its rows (its columns, NULLs up to the widest part's, and
    the pending flag).
    With ``pending``, None when cells are pending: every row carries the flag, read by the same statement (a
    write marks its cells in its own transaction and a refresh removes the marks in the one that rewrites the
    aggregates, so in the statement's snapshot no mark means every aggregate it read is current). A read that
    returns no row at all is made again in a form that always returns one (the flag beside no data)."""
    q = connection.ops.quote_name
    flag = f"(SELECT 1 FROM {q(Pending._meta.db_table)} LIMIT 1)" if pending else "NULL"
    several = len(parts) > 1
    widest = max((cols for _s, _p, cols in parts), key=len)
    selects, params = [], []
    for i, (sql, ps, cols) in enumerate(parts):
        columns = [f"p{i}.{q(c)}" if c else _null(c) for c in cols] + [_null(c) for c in widest[len(cols):]]
        if always_a_row:
            selects.append(f"SELECT {i}, {', '.join(columns)}, f.pending FROM (SELECT {flag} AS pending) f "
                           f"LEFT JOIN ({sql}) p{i} ON 1 = 1")
        else:
            selects.append(f"SELECT {f'{i}, ' if several else ''}{', '.join(columns)}, {flag} FROM ({sql}) p{i}")
        params += ps
    # Only the roll-up reads (written by hand, the pages' common case) are prepared: a generic plan of the ORM's
    # aggregate parts could lose their index ranges.
    with _statement_cursor(all(cols is _ROLLUP_COLUMNS for _s, _p, cols in parts)) as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        rows = cursor.fetchall()
    if pending and not rows:
        return _read(parts, pending, always_a_row=True)
    if pending and rows[0][-1] is not None:
        return None
    if always_a_row:  # the row of the flag beside no data left out
        rows = [r for r in rows if r[1] is not None]
    elif not several:
        return [rows]
    by_part: list[list] = [[] for _p in parts]
    for row in rows:
        by_part[row[0]].append(row[1:])
    return by_part


def _null(column: str | None) -> str:
    """A NULL in place of a part's column, typed as the roll-up part's column there (the month's place, a value or
    count, the year): a UNION's column has one type, and PostgreSQL takes bare NULLs of two parts for text."""
    return "CAST(NULL AS date)" if column is None else "CAST(NULL AS integer)" if column == "year" \
        else "CAST(NULL AS double precision)"


@functools.lru_cache(maxsize=8192)
def _reads(name: str, kind: str, period: Period) -> tuple[tuple[str, dt.date], ...]:
    """The stored (input, month) cells an input of ``kind`` is read from for ``period`` (summed). Cached: it is
    asked for every area, period and input of an evaluation, and depends only on its arguments."""
    if kind == YEAR:
        return ((name, dt.date(period.year, 1, 1)),)
    if kind == DISTINCT:
        if period.kind == "month":
            return ((name, period.start),)
        if period.kind == "quarter":
            return ((name + QUARTER_SUFFIX, period.start),)
        return ((name + YTD_SUFFIX, ordinal_date(period.last_month)),)
    return tuple((name, ordinal_date(m)) for m in period.months())


@functools.lru_cache(maxsize=4096)
def _period_reads(kinds: tuple[tuple[str, str], ...], period: Period) -> tuple:
    """For inputs of these (name, kind) and a period: ((name, its stored cells), ...), the stored inputs and months
    read, and whether every input is read from one stored cell under its own name (a month of monthly data, the
    year's figure of yearly data: read straight from the roll-ups' year rows)."""
    cells = tuple((name, _reads(name, kind, period)) for name, kind in kinds)
    own = all(len(c) == 1 and c[0][0] == name for name, c in cells)
    return (cells, frozenset(inp for _n, c in cells for inp, _m in c),
            frozenset(m for _n, c in cells for _i, m in c), own)


def _period_inputs(sums: dict, kinds: dict[str, str], area: str, period: Period) -> dict[str, float]:
    return {inp: sum(sums.get((stored, area, month), 0.0) for stored, month in _reads(inp, kind, period))
            for inp, kind in kinds.items()}


def _reported(indicator: Indicator, values: dict[str, float]) -> bool:
    """False when the indicator reads programme data and none of its elements has a value reported in the area
    and period (no report is "no data", never 0)."""
    elements = [t for t in indicator.inputs() if t.startswith(VALUE_PREFIX)]
    if not elements:
        return True
    return any(values.get(COUNT_PREFIX + t[len(VALUE_PREFIX):], 0.0) > 0 for t in elements)


def value_of(indicator: Indicator, values: dict[str, float], scale: Fraction = Fraction(1)
             ) -> tuple[float | None, float | None, Fraction | float | None]:
    """(numerator, denominator, exact value) of one indicator from its inputs' sums."""
    if not _reported(indicator, values):
        return None, None, None
    if indicator.formula == Indicator.Formula.DENSITY_FIGURE:
        houses_pos, containers_pos = (rules.combine([t], values) for t in indicator.numerator)
        houses, containers = (rules.combine([t], values) for t in indicator.denominator)
        hi, ci, bi = rules.larva_indices(houses_pos, containers_pos, houses, containers)
        return None, None, None if hi is None and ci is None else rules.density_figure(hi, ci, bi)
    num = rules.combine(indicator.numerator, values)
    den = rules.combine(indicator.denominator, values) if indicator.denominator else None
    return num, den, rules.exact_value(num, den, indicator.factor, scale)


def input_names(indicators: Sequence[Indicator]) -> set[str]:
    """Every input the indicators read, with the report counts of their programme data elements."""
    names = set()
    for ind in indicators:
        for name in ind.inputs():
            names.add(name)
            if name.startswith(VALUE_PREFIX):
                names.add(COUNT_PREFIX + name[len(VALUE_PREFIX):])
    return names


# Evaluated values are kept in Django's cache (shared by the server's processes: see ``CACHES`` in settings),
# keyed by everything they are computed from: the indicators' definitions, the areas, the periods, and a data
# version per year read. A write that marks aggregate cells (``core.events.data_changed``) gives every year it
# touches a new random version, inside its transaction (with the database cache the new version is committed or
# rolled back with the write) and again once it commits (for a cache outside the database), so the next reader
# computes afresh. A full rebuild (``indicators_rebuild``, which sends no signal) changes
# ``FillState.rebuilt_at``, also part of every key. Readers take the versions before they refresh the pending
# cells: a value stored under a version was computed from every write that version stands for (or later ones).
VERSION_KEY = "engine:data-version:"
ALL_YEARS = "all"
#: How long an evaluated table is kept (seconds). Versions are kept until evicted; a lost version only means
#: a fresh computation.
CACHE_SECONDS = 6 * 3600


def version_keys(years: Iterable) -> list[str]:
    """The cache keys of the data versions of these years (and of the whole store)."""
    return [VERSION_KEY + ALL_YEARS, *(VERSION_KEY + str(y) for y in sorted(set(years)))]


def _shared_database_cache() -> bool:
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    return isinstance(caches["default"], DatabaseCache)


def _bump_versions(years: list) -> None:
    """New versions for these years (with the database cache: one statement, keys in order, so concurrent writers
    lock the rows in the same order)."""
    from binasehat.core import pagecache

    pagecache.renew(VERSION_KEY + str(y) for y in years)


def on_data_changed(sender, source: str, cells=None, **kwargs) -> None:
    """``data_changed`` receiver: new data versions for the years the write touched (every year when it marks a
    whole source), inside the writing transaction. With the database cache the new versions are committed (or
    rolled back) with the write itself; a cache outside the database gets them again once the write commits, so
    that a reader that took the new version before the commit cannot keep a value computed from the old data."""
    from binasehat.core.inputs import SOURCES

    if cells is None or source not in SOURCES:
        years = [ALL_YEARS]
    else:
        years = sorted({day.year for code, first in cells for _c, day in SOURCES[source].marks(code, first)})
    if years:
        _bump_versions(years)
        if not _shared_database_cache():
            transaction.on_commit(lambda: _bump_versions(years))


def rebuilt() -> None:
    """A full rebuild replaced a source's aggregates: every stored value is out of date."""
    _bump_versions([ALL_YEARS])


def data_version(years: Iterable[int]) -> str:
    """The version of the data of these years (and of the whole store) as one text. A full rebuild renews the
    whole store's version (``rebuilt``); a cache outside the database, which a rebuild in another process does not
    reach, also follows the rebuild time of the aggregates."""
    from binasehat.core import pagecache

    keys = version_keys(years)
    found = pagecache.current(keys)
    parts = [str(found[k]) for k in keys]
    if not _shared_database_cache():
        parts.insert(0, str(FillState.objects.aggregate(at=Max("rebuilt_at"))["at"]))
    return "|".join(parts)


def _definition(ind: Indicator) -> list:
    return [ind.code, ind.numerator, ind.denominator, ind.factor, ind.formula, ind.behaviour, ind.targets,
            ind.target_op]


def _cache_key(indicators, areas, periods, version: str) -> str:
    spec = json.dumps([[_definition(i) for i in indicators],
                       [[a.code, list(a.members)] if isinstance(a, AreaGroup) else a for a in areas],
                       [str(p) for p in periods], version], default=str, sort_keys=True)
    return "engine:values:" + hashlib.sha256(spec.encode()).hexdigest()


def evaluate(indicators: Sequence[Indicator], areas: Sequence, periods: Sequence[Period]) -> list[Value]:
    """Every indicator × area × period. Areas are Kemendagri codes (or AreaGroups) the caller has already checked
    against the user's scope; a group's rows carry its ``code``. Periods: month, quarter, year, or January →
    month (``Period.to_month``), each with the behaviour its indicator declares (``rules.py``). Served from the
    cache when nothing it reads has changed since it was last computed (see ``on_data_changed``)."""
    if not indicators or not areas or not periods:
        return []
    key = _cache_key(indicators, areas, periods, data_version(p.year for p in periods))
    values = cache.get(key)
    if values is None:
        values = evaluate_uncached(indicators, areas, periods)
        cache.set(key, values, CACHE_SECONDS)
    return values


@dataclass(frozen=True)
class _Plan:
    """What the evaluation needs of one indicator, worked out once per call instead of once per value."""

    indicator: Indicator
    counts: tuple[str, ...]  # report counts of its programme data elements (none: always reported)
    numerator: tuple[tuple[str, int], ...]  # (input, +1 or −1)
    denominator: tuple[tuple[str, int], ...] | None
    factor: tuple[int, int]

    @classmethod
    def of(cls, ind: Indicator) -> _Plan:
        def terms(ts):
            return tuple((t[1:], -1) if t.startswith("-") else (t, 1) for t in ts)
        counts = tuple(COUNT_PREFIX + t[len(VALUE_PREFIX):] for t in ind.inputs() if t.startswith(VALUE_PREFIX))
        return cls(ind, counts, terms(ind.numerator), terms(ind.denominator) if ind.denominator else None,
                   rules.parts(ind.factor))


#: {input names: (their kinds, when read)}. An input's kind (for programme data, its data set's period type) changes
#: only when a data set is edited: kept per process for a minute, and forgotten at once in the process that edits
#: (``forget_kinds`` on saving or deleting a data set or element), instead of a query per evaluation.
KINDS_SECONDS = 60
_KINDS: dict[frozenset, tuple[dict[str, str], float]] = {}


def _kinds(names: set[str]) -> dict[str, str]:
    key, now = frozenset(names), time.monotonic()
    hit = _KINDS.get(key)
    if hit is not None and now - hit[1] < KINDS_SECONDS:
        return hit[0]
    kinds = kinds_of(names)
    if len(_KINDS) > 512:
        _KINDS.clear()
    _KINDS[key] = (kinds, now)
    return kinds


def forget_kinds(**kwargs) -> None:
    """Receiver: a data set or element changed, the kinds of inputs are read again."""
    _KINDS.clear()


def evaluate_uncached(indicators: Sequence[Indicator], areas: Sequence, periods: Sequence[Period]) -> list[Value]:
    """``evaluate`` computed from the aggregates, without the cache. The arithmetic is ``rules``' exact one on
    integer parts (``rules.value_parts``): the same values, bit for bit, as ``value_of`` with fractions. Whole
    counts are computed on arrays, an indicator and a kind of period at a time, when there are enough of them
    (``VECTOR_FROM``); the same floats and comparisons as value by value."""
    names = input_names(indicators)
    known = _kinds(names)
    kinds = tuple(sorted((name, known.get(name, MONTH)) for name in names))
    reads = [_period_reads(kinds, p) for p in periods]
    codes = [area.code if isinstance(area, AreaGroup) else area for area in areas]
    grid = _rollup_grid(names, codes, areas, reads)
    if grid is None:
        grid = _cell_grid(names, codes, areas, reads)
    plans = [_Plan.of(ind) for ind in indicators]
    # Periods of one kind, year and length (the months of a year) share each indicator's scale and target.
    groups: dict[tuple, list[int]] = {}
    for j, period in enumerate(periods):
        groups.setdefault((period.kind, period.year, period.month_count), []).append(j)
    texts = [str(p) for p in periods]
    n = len(codes)
    # Per period, then indicator: (its code, the period, numerators, denominators, values and meets of a kind of
    # period — period by period, area by area —, where this period's start in them, target, scale).
    results: list = [None] * (len(periods) * len(plans))
    arrays: dict[str, np.ndarray] = {}
    for (kind, year, count), js in groups.items():
        every = len(js) == len(periods)
        for i, plan in enumerate(plans):
            ind = plan.indicator
            scale = rules.scale_parts(ind.behaviour, kind, count)
            target = rules.target_parts(ind.target_for(year), ind.behaviour, kind, count)
            c = _Constants(ind, plan, scale, target)
            if ind.formula == Indicator.Formula.DENSITY_FIGURE:
                computed = _density(c, grid, js, n)
            elif len(js) * n >= VECTOR_FROM:
                computed = _vector(c, grid, arrays, None if every else js, n)
            else:
                computed = _scalar(c, grid, js, n)
            target_float, scale_float = rules.to_float(target), scale[0] / scale[1]
            for jj, j in enumerate(js):
                results[j * len(plans) + i] = (ind.code, texts[j], *computed, jj * n, target_float, scale_float)
    # In the order of the result: area, then period, then indicator.
    out = []
    append = out.append
    for a, area in enumerate(codes):
        for code, text, nums, dens, values, meets, at, target_float, scale_float in results:
            k = at + a
            v = _new(Value)
            _set(v, "__dict__", {"indicator": code, "area": area, "period": text, "numerator": nums[k],
                                 "denominator": dens[k], "value": values[k], "target": target_float,
                                 "meets": meets[k], "scale": scale_float})
            append(v)
    return out


#: From this many values of one indicator and one kind of period (areas × periods), whole counts are computed on
#: arrays (``_vector``) instead of value by value (``_scalar``): the same floats and comparisons, bit for bit.
VECTOR_FROM = 24


def _rollup_grid(names: set[str], codes: list[str], areas: Sequence, reads: list) -> dict | None:
    """{input name: per period, its sums over the areas} straight from the roll-ups' year rows, when every area is a
    roll-up area (of one level, each once) and every period reads each input from one stored cell under its own
    name (a month of monthly data, the year's figure of yearly data); None otherwise."""
    if not codes or not reads or not names or not all(read[3] for read in reads) or len(set(codes)) != len(codes) \
            or any(isinstance(a, AreaGroup) for a in areas) or not rolled_up(len(codes[0]), codes):
        return None
    # {name: {year: [(column of the row, period index)]}}: where each period finds each input in the year rows
    picks: dict[str, dict[int, list]] = {name: defaultdict(list) for name in names}
    months = set()
    for j, (cells, *_rest) in enumerate(reads):
        for name, its_reads in cells:
            month = its_reads[0][1]
            first = _FIRST_COUNT if name.startswith(COUNT_PREFIX) else _FIRST_VALUE
            picks[name][month.year].append((first + month.month - 1, j))
            months.add(month)
    rows = _fresh_read([_rollup_part(sorted(names), sorted(codes), sorted(months))])[0]
    at = {code: a for a, code in enumerate(codes)}
    folded: dict[str, list] = {}
    for name in names:
        row_input, column = rollup_input(name)
        folded.setdefault(row_input, [None, None])[column == "count"] = name
    grid = {name: [[0.0] * len(codes) for _r in reads] for name in names}
    for row in rows:
        a = at.get(row[1])
        if a is None:
            continue
        year = row[_YEAR]
        for name in folded[row[0]]:  # its value's name, its report count's name
            if name is not None:
                by_period = grid[name]
                for k, j in picks[name].get(year, ()):
                    x = row[k]
                    if x is not None:
                        by_period[j][a] = x
    return grid


def _cell_grid(names: set[str], codes: list[str], areas: Sequence, reads: list) -> dict:
    """``_rollup_grid`` for any areas and periods, from ``cell_sums``: an input read from several stored cells (a
    quarter, a year) is their sum, added in the order of its reads (a float sum depends on it)."""
    stored, months = set(), set()
    for _cells, p_stored, p_months, _own in reads:
        stored |= p_stored
        months |= p_months
    by_cell = cell_sums(stored, areas, months, refresh=True)
    cell, none = by_cell.get, {}
    by_month: dict[dt.date, list[dict]] = {}  # {month: each area's cell}

    def cells_of(month: dt.date) -> list[dict]:
        found = by_month.get(month)
        if found is None:
            found = by_month[month] = [cell((area, month), none) for area in codes]
        return found

    grid: dict[str, list] = {name: [None] * len(reads) for name in names}
    for j, (cells, *_rest) in enumerate(reads):
        for name, its_reads in cells:
            if len(its_reads) == 1:  # sum() of one value: 0 + it
                stored_input, month = its_reads[0]
                grid[name][j] = [0 + values.get(stored_input, 0.0) for values in cells_of(month)]
            else:
                grid[name][j] = [sum(cell((area, m), none).get(inp, 0.0) for inp, m in its_reads) for area in codes]
    return grid


class _Constants:
    """One indicator's terms and its scale and target (as parts and as operator) for one kind of period."""

    __slots__ = ("ind", "counts", "numerator", "denominator", "factor", "scale", "target", "op", "compare", "fp",
                 "fq", "tp", "tq")

    def __init__(self, ind: Indicator, plan: _Plan, scale: tuple[int, int], target: tuple[int, int] | None):
        self.ind, self.counts, self.numerator, self.denominator = ind, plan.counts, plan.numerator, plan.denominator
        self.factor, self.scale, self.target, self.op = plan.factor, scale, target, ind.target_op
        self.compare = _COMPARE.get(ind.target_op)
        self.fp, self.fq = plan.factor[0] * scale[0], plan.factor[1] * scale[1]
        self.tp, self.tq = target or (None, None)


def _one(c: _Constants, num: float, den: float | None) -> tuple[float | None, bool | None]:
    """(value, meets) of one area and period from its numerator and denominator."""
    if den and num.is_integer() and den.is_integer() and -_EXACT < num < _EXACT and -_EXACT < den < _EXACT:
        # whole counts: value_parts' own result, without its calls
        p, q = int(num) * c.fp, int(den) * c.fq
        if q < 0:
            p, q = -p, -q
        meets = None if c.target is None else c.compare(p * c.tq, c.tp * q) if c.compare is not None \
            else rules.compare_parts((p, q), c.target, c.op)
        return p / q, meets
    exact = rules.value_parts(num, den, c.factor, c.scale)
    return (None if exact is None else exact[0] / exact[1],
            None if c.target is None else rules.compare_parts(exact, c.target, c.op))


def _scalar(c: _Constants, grid: dict, js: list[int], n: int) -> tuple[list, list, list, list]:
    """(numerators, denominators, values, meets) of the periods ``js``, period by period and area by area (period
    ``js[jj]``, area ``a`` at ``jj × n + a``), value by value."""
    counts = [grid[name] for name in c.counts]
    numerator = [(grid[name], sign > 0) for name, sign in c.numerator]
    denominator = None if c.denominator is None else [(grid[name], sign > 0) for name, sign in c.denominator]
    fp, fq, target, compare, tp, tq = c.fp, c.fq, c.target, c.compare, c.tp, c.tq
    total = len(js) * n
    nums, dens, values, meets = [None] * total, [None] * total, [None] * total, [None] * total
    k = -1
    for j in js:
        for a in range(n):
            k += 1
            for by_period in counts:
                if by_period[j][a] > 0:
                    break
            else:
                if counts:  # no element reported: no data
                    continue
            # rules.combine, adding in the terms' order (a float sum depends on it)
            num = 0.0
            for by_period, plus in numerator:
                if plus:
                    num += by_period[j][a]
                else:
                    num -= by_period[j][a]
            den = None
            if denominator is not None:
                den = 0.0
                for by_period, plus in denominator:
                    if plus:
                        den += by_period[j][a]
                    else:
                        den -= by_period[j][a]
            nums[k], dens[k] = num, den
            if den and num.is_integer() and den.is_integer() and -_EXACT < num < _EXACT and -_EXACT < den < _EXACT:
                # whole counts: value_parts' own result, without its calls (``_one``, inlined)
                p, q = int(num) * fp, int(den) * fq
                if q < 0:
                    p, q = -p, -q
                values[k] = p / q
                meets[k] = None if target is None else compare(p * tq, tp * q) if compare is not None \
                    else rules.compare_parts((p, q), target, c.op)
            else:
                values[k], meets[k] = _one(c, num, den)
    return nums, dens, values, meets


#: Whole floats up to this magnitude are integers held exactly: a product of two of them that stays within it is
#: exact in floating point too.
_EXACT_PRODUCT = 2 ** 53
#: Target parts below this in magnitude: numerator × target part fits in 64 bits (2⁵³ × 2¹⁰ = 2⁶³).
_TARGET_PART = 2 ** 10


def _vector(c: _Constants, grid: dict, arrays: dict, js: list[int] | None, n: int) -> tuple[list, list, list, list]:
    """``_scalar`` for the periods ``js`` (None: all) at once, on arrays (periods × areas). A value of whole counts
    is (numerator × fp) ÷ (denominator × fq), both products whole and exact as floats: IEEE division rounds the
    exact quotient correctly, as Python's ``int / int`` does, so the float is the same bit for bit; the comparison
    with the target is made on 64-bit integers. Any other value (decimals, a zero denominator, numbers too large
    to be exact) is computed by ``_one``."""
    def values_of(name: str) -> np.ndarray:
        array = arrays.get(name)
        if array is None:
            array = arrays[name] = np.array(grid[name], dtype=np.float64).reshape(len(grid[name]), n)
        return array if js is None else array[js]

    shape = (len(next(iter(grid.values()))) if js is None else len(js), n)
    reported = None
    for name in c.counts:
        reported = values_of(name) > 0 if reported is None else reported | (values_of(name) > 0)
    num = np.zeros(shape)
    for name, sign in c.numerator:
        num = num + values_of(name) if sign > 0 else num - values_of(name)
    fp, fq = c.fp, c.fq
    whole = (num == np.floor(num)) & (np.abs(num) <= min(_EXACT - 1, _EXACT_PRODUCT // abs(fp) if fp else _EXACT))
    with np.errstate(all="ignore"):
        p = num * float(fp)  # exact where whole (|fp| beyond 2⁵³ leaves only 0 whole)
        if c.denominator is None:
            den, q = None, np.full(shape, float(fq))
        else:
            den = np.zeros(shape)
            for name, sign in c.denominator:
                den = den + values_of(name) if sign > 0 else den - values_of(name)
            whole &= (den != 0) & (den == np.floor(den)) & (np.abs(den) <= min(_EXACT - 1, _EXACT_PRODUCT // fq))
            q = den * float(fq)
            negative = q < 0
            p, q = np.where(negative, -p, p), np.abs(q)
        value = p / q + 0.0  # + 0.0: 0 ÷ q is +0.0, as with integers
    nums, values = num.ravel().tolist(), value.ravel().tolist()
    dens = [None] * len(nums) if den is None else den.ravel().tolist()
    if c.target is not None and c.compare is not None and abs(c.tp) < _TARGET_PART and c.tq < _TARGET_PART:
        meets = c.compare(np.where(whole, p, 0.0).astype(np.int64) * c.tq,
                          c.tp * np.where(whole, q, 1.0).astype(np.int64)).ravel().tolist()
    else:
        meets = [None] * len(nums)
        if c.target is not None:  # compared value by value
            whole = np.zeros(shape, dtype=bool)
    ok = (whole if reported is None else whole & reported).ravel()
    if not ok.all():
        unreported = None if reported is None else ~reported.ravel()
        for k in np.flatnonzero(~ok).tolist():
            if unreported is not None and unreported[k]:
                nums[k] = dens[k] = values[k] = meets[k] = None
            else:
                values[k], meets[k] = _one(c, nums[k], dens[k])
    return nums, dens, values, meets


def _density(c: _Constants, grid: dict, js: list[int], n: int) -> tuple[list, list, list, list]:
    """``_scalar`` for a density figure (from the larva indices): through ``value_of``."""
    nums, dens, values, meets = [], [], [], []
    for j in js:
        for a in range(n):
            num, den, df = value_of(c.ind, {name: by_period[j][a] for name, by_period in grid.items()})
            nums.append(num)
            dens.append(den)
            values.append(None if df is None else float(df))
            meets.append(rules.compare_parts(None if df is None else (df, 1), c.target, c.op))
    return nums, dens, values, meets


_new, _set = object.__new__, object.__setattr__
#: ``rules.compare_parts``' operators (an operator not here goes through it, and fails there as it would).
_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
#: Whole floats below this in magnitude are the integers they hold (``rules.parts``).
_EXACT = rules._EXACT_INT


def table(indicators, areas, periods) -> dict[tuple[str, str, str], Value]:
    """``evaluate`` keyed by (indicator code, area, period text)."""
    return {(v.indicator, v.area, v.period): v for v in evaluate(indicators, areas, periods)}
