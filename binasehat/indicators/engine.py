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

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max, Q, Sum
from django.db.models.functions import Substr

from binasehat.core.periods import Period, ordinal_date

from binasehat.core.inputs import DISTINCT, MONTH, QUARTER_SUFFIX, YEAR, YTD_SUFFIX, kinds_of

from . import rules
from .aggregates import COUNT_PREFIX, ROLLUP_LENGTHS, VALUE_PREFIX, byte_ordered, is_rollup_area, refresh_safely, \
    rollup_input, subtree
from .models import Aggregate, FillState, Indicator, Pending, Rollup

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
    """SQL part (input, area, month, value, count) of the roll-ups of these areas: written by hand (it is the part
    every page reads), one index range of the (input, region_code, month) key per input and area. A report count
    is read from its values' row (``aggregates.FOLDED``)."""
    adapt = connection.ops.adapt_datefield_value
    where, params = _in("input", sorted({rollup_input(i)[0] for i in inputs}))
    clauses = [where, "month >= %s", "month <= %s"]
    params += [adapt(months[0]), adapt(months[-1])]
    if len(months) < 40 and len(months) != _month_span(months[0], months[-1]):
        clause, more = _in("month", [adapt(m) for m in months])
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
    table = connection.ops.quote_name(Rollup._meta.db_table)
    return f"SELECT input, region_code, month, value, count FROM {table} WHERE {' AND '.join(clauses)}", params, \
        _ROLLUP_COLUMNS


_ROLLUP_COLUMNS = ("input", "region_code", "month", "value", "count")


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


def _month_span(first: dt.date, last: dt.date) -> int:
    """How many months from ``first`` to ``last`` (both first days of a month), both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


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
    by_part = _read(parts, refresh)
    if by_part is None:  # cells were pending: refreshed, read again
        refresh_safely()
        by_part = _read(parts, False)
    out: dict[tuple, dict[str, float]] = {}
    as_date = dt.date.fromisoformat if connection.vendor == "sqlite" else None
    for wanted, rows in zip(handlers, by_part):
        if as_date is not None:
            rows = [(r[0], r[1], as_date(r[2]) if type(r[2]) is str else r[2], *r[3:]) for r in rows]
        if type(wanted) is tuple:
            _add_rollup_rows(out, rows, *wanted)
        elif type(wanted) is set:
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


def _add_rollup_rows(out: dict, rows, areas: set[str], names: dict[str, list]) -> None:
    """Roll-up rows (input, area, month, value, count, …) into ``out``'s cells: the value under its input's name and
    the count under its report count's name, each when asked for."""
    get = out.get
    for inp, code, month, v, n, _pending in rows:
        if code in areas:
            value_name, count_name = names[inp]
            cell = get((code, month))
            if cell is None:
                cell = out[(code, month)] = {}
            if v is not None and value_name is not None:
                cell[value_name] = v
            if n is not None and count_name is not None:
                cell[count_name] = n


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
    """The rows of each part (SQL, parameters, the names of its columns: input, area, month, value and, for
    roll-ups, count) in one statement: per part, rows (input, area, month, value, count or None, pending flag).
    With ``pending``, None when cells are pending: every row carries the flag, read by the same statement (a
    write marks its cells in its own transaction and a refresh removes the marks in the one that rewrites the
    aggregates, so in the statement's snapshot no mark means every aggregate it read is current). A read that
    returns no row at all is made again in a form that always returns one (the flag beside no data)."""
    q = connection.ops.quote_name
    flag = f"(SELECT 1 FROM {q(Pending._meta.db_table)} LIMIT 1)" if pending else "NULL"
    several = len(parts) > 1
    selects, params = [], []
    for i, (sql, ps, cols) in enumerate(parts):
        columns = [f"p{i}.{q(c)}" for c in cols] + ["NULL"] * (5 - len(cols))
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
    """For inputs of these (name, kind) and a period: ((name, its stored cells), ...), the month when every input
    is read from one stored cell under its own name in that one month (a month of monthly data, the common case:
    the area's inputs of that month are taken as they are), and the stored inputs and months read."""
    cells = tuple((name, _reads(name, kind, period)) for name, kind in kinds)
    first = cells[0][1] if cells else ()
    month = first[0][1] if len(first) == 1 else None
    if month is None or any(c != ((name, month),) for name, c in cells):
        month = None
    return (cells, month, frozenset(inp for _n, c in cells for inp, _m in c),
            frozenset(m for _n, c in cells for _i, m in c))


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
    integer parts (``rules.value_parts``): the same values, bit for bit, as ``value_of`` with fractions."""
    names = input_names(indicators)
    known = _kinds(names)
    kinds = tuple(sorted((name, known.get(name, MONTH)) for name in names))
    stored, months = set(), set()
    reads = {p: _period_reads(kinds, p) for p in periods}
    for _cells, _month, p_stored, p_months in reads.values():
        stored |= p_stored
        months |= p_months
    by_cell = cell_sums(stored, areas, months, refresh=True)
    plans = [_Plan.of(ind) for ind in indicators]
    density = Indicator.Formula.DENSITY_FIGURE
    # Per period and indicator: scale, target (parts and floats) and comparison; the same for every period of one
    # kind, year and length (the months of a year).
    per_period, rows = [], {}
    for period in periods:
        count = period.month_count
        cells, month, _s, _m = reads[period]
        key = (period.kind, period.year, count)
        row = rows.get(key)
        if row is None:
            row = rows[key] = []
            for plan in plans:
                ind = plan.indicator
                scale = rules.scale_parts(ind.behaviour, period.kind, count)
                target = rules.target_parts(ind.target_for(period.year), ind.behaviour, period.kind, count)
                row.append((plan, ind, ind.code, ind.formula == density, ind.target_op, plan.counts,
                             plan.numerator, plan.denominator, scale, target, rules.to_float(target),
                             scale[0] / scale[1], plan.factor[0] * scale[0], plan.factor[1] * scale[1],
                             _COMPARE.get(ind.target_op), *(target or (None, None))))
        per_period.append((str(period), cells, month, row))
    # Filled period by period and indicator by indicator (each one's constants unpacked once, not once per area),
    # in the order of the result: area, then period, then indicator.
    codes = [area.code if isinstance(area, AreaGroup) else area for area in areas]
    width = sum(len(row) for *_p, row in per_period)
    out: list = [None] * (len(codes) * width)
    cell, none = by_cell.get, {}
    value_parts, compare_parts, exact_max = rules.value_parts, rules.compare_parts, _EXACT
    first = 0
    for text, cells, month, row in per_period:
        if month is not None:
            by_area = [cell((area, month), none) for area in codes]
        else:
            by_area = [{name: sum(cell((area, m), none).get(inp, 0.0) for inp, m in reads_) for name, reads_ in cells}
                       for area in codes]
        for (plan, ind, code, is_density, op, counts, numerator, denominator, scale, target, target_float,
             scale_float, fp, fq, compare, tp, tq) in row:
            at = first
            first += 1
            for area, values in zip(codes, by_area):
                vget = values.get
                for c in counts:
                    if vget(c, 0.0) > 0:
                        break
                else:
                    if counts:  # no element reported: no data
                        v = _new(Value)
                        _set(v, "__dict__", {"indicator": code, "area": area, "period": text, "numerator": None,
                                             "denominator": None, "value": None, "target": target_float,
                                             "meets": None, "scale": scale_float})
                        out[at] = v
                        at += width
                        continue
                if is_density:
                    num, den, df = value_of(ind, values)
                    out[at] = _value(code, area, text, num, den, None if df is None else float(df), target_float,
                                     compare_parts(None if df is None else (df, 1), target, op), scale_float)
                    at += width
                    continue
                # rules.combine, adding in the terms' order (a float sum depends on it)
                num = 0.0
                for name, sign in numerator:
                    if sign > 0:
                        num += vget(name, 0.0)
                    else:
                        num -= vget(name, 0.0)
                if denominator is None:
                    den = None
                else:
                    den = 0.0
                    for name, sign in denominator:
                        if sign > 0:
                            den += vget(name, 0.0)
                        else:
                            den -= vget(name, 0.0)
                if den and num.is_integer() and den.is_integer() and -exact_max < num < exact_max \
                        and -exact_max < den < exact_max:  # whole counts: value_parts' own result, without its calls
                    p, q = int(num) * fp, int(den) * fq
                    if q < 0:
                        p, q = -p, -q
                    value = p / q
                    # compare_parts, inlined (its operator looked up once per period)
                    meets = None if target is None else compare(p * tq, tp * q) if compare is not None \
                        else compare_parts((p, q), target, op)
                else:
                    exact = value_parts(num, den, plan.factor, scale)
                    value = None if exact is None else exact[0] / exact[1]
                    meets = None if target is None else compare_parts(exact, target, op)
                v = _new(Value)
                _set(v, "__dict__", {"indicator": code, "area": area, "period": text, "numerator": num,
                                     "denominator": den, "value": value, "target": target_float, "meets": meets,
                                     "scale": scale_float})
                out[at] = v
                at += width
    return out


_new, _set = object.__new__, object.__setattr__
#: ``rules.compare_parts``' operators (an operator not here goes through it, and fails there as it would).
_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
#: Whole floats below this in magnitude are the integers they hold (``rules.parts``).
_EXACT = rules._EXACT_INT


def _value(indicator, area, period, numerator, denominator, value, target, meets, scale) -> Value:
    """``Value(...)`` with its fields set at once (a frozen dataclass's ``__init__`` sets them one by one through
    ``object.__setattr__``): the same object, equal and pickled alike."""
    v = _new(Value)
    _set(v, "__dict__", {"indicator": indicator, "area": area, "period": period, "numerator": numerator,
                         "denominator": denominator, "value": value, "target": target, "meets": meets,
                         "scale": scale})
    return v


def table(indicators, areas, periods) -> dict[tuple[str, str, str], Value]:
    """``evaluate`` keyed by (indicator code, area, period text)."""
    return {(v.indicator, v.area, v.period): v for v in evaluate(indicators, areas, periods)}
