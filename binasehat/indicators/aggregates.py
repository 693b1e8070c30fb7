"""Keeping the monthly aggregates current.

A write that changes records feeding indicators sends ``core.events.data_changed`` inside its transaction;
the cells it touched are written to ``Pending`` in that same transaction (so a crash can lose neither the
write nor the mark), and recomputed after commit. Readers call ``refresh_pending`` first, so a page never
shows aggregates older than the records. ``rebuild`` recomputes a whole source (``manage.py
indicators_rebuild``) for recovery or after bulk loads that bypass the services.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import defaultdict

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from binasehat.core.bulk import insert_dicts

from binasehat.core.inputs import CHUNK, SOURCES

from .models import YEAR_COUNTS, YEAR_VALUES, Aggregate, FillState, Pending, Rollup, RollupYear

log = logging.getLogger("binasehat.indicators")
#: One lock for every refresh (PostgreSQL advisory lock): two refreshes never interleave, so they cannot
#: deadlock on FillState rows or insert the same aggregate twice. SQLite serialises writers by itself.
REFRESH_LOCK = 0x42494E41  # "BINA"
RETRIES = 3
#: Code lengths of the areas kept as roll-ups, deepest first: kecamatan, kabupaten/kota, province.
ROLLUP_LENGTHS = (8, 5, 2)
#: Programme data inputs: ``de:<code>`` the sum of an element's values, ``de#:<code>`` how many were reported. A
#: roll-up keeps both in one row (``Rollup.value`` and ``Rollup.count`` under the ``de:`` name), so that an
#: indicator over programme data reads half the rows for areas above the desa.
VALUE_PREFIX, COUNT_PREFIX = "de:", "de#:"
_IS_COUNT = f"substr(input, 1, {len(COUNT_PREFIX)}) = '{COUNT_PREFIX}'"
#: SQL over aggregate rows (input, value): the roll-up row's input, value and count.
FOLDED = (f"CASE WHEN {_IS_COUNT} THEN '{VALUE_PREFIX}' || substr(input, {len(COUNT_PREFIX) + 1}) ELSE input END",
          f"CASE WHEN {_IS_COUNT} THEN NULL ELSE value END", f"CASE WHEN {_IS_COUNT} THEN value END")


def rollup_input(name: str) -> tuple[str, str]:
    """(the roll-up row's input, its column) where an aggregate input is kept in the roll-ups."""
    if name.startswith(COUNT_PREFIX):
        return VALUE_PREFIX + name[len(COUNT_PREFIX):], "count"
    return name, "value"


_ROLLUP_CODE = re.compile(r"\d\d(?:\.\d\d){0,2}")


def is_rollup_area(code: str) -> bool:
    """True for a Kemendagri code of a province, kabupaten/kota or kecamatan (``NN``, ``NN.NN``, ``NN.NN.NN``)."""
    return isinstance(code, str) and _ROLLUP_CODE.fullmatch(code) is not None


_BYTE_ORDER: dict[str, bool] = {}


def byte_ordered() -> bool:
    """True when the database compares region codes byte by byte (SQLite; PostgreSQL with a C, POSIX or C.UTF-8
    collation), so that "starts with P." is exactly the range P. ≤ code < P/ ('/' follows '.')."""
    key = connection.alias + ":" + str(connection.settings_dict.get("NAME", ""))
    if key not in _BYTE_ORDER:
        if connection.vendor == "sqlite":
            _BYTE_ORDER[key] = True
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
                collation = (cursor.fetchone() or [""])[0]
            _BYTE_ORDER[key] = collation.lower() in ("c", "posix", "c.utf-8", "c.utf8", "ucs_basic")
        else:
            _BYTE_ORDER[key] = False
    return _BYTE_ORDER[key]


def subtree(parent: str, field: str = "region_code") -> Q:
    """Rows of ``parent`` and of every area below it. Written as a range of codes where the database orders them
    byte by byte: PostgreSQL reads no index for ``LIKE 'P.%'`` under a C.UTF-8 collation (it filtered 1.9 million
    rows of a national table for one kabupaten); the range is read from the index."""
    if byte_ordered():
        return Q(**{field: parent}) | Q(**{f"{field}__gte": parent + ".", f"{field}__lt": parent + "/"})
    return Q(**{field: parent}) | Q(**{f"{field}__startswith": parent + "."})


def on_data_changed(sender, source: str, cells=None, **kwargs) -> None:
    if source not in SOURCES:
        return
    if cells is None:
        Pending.objects.create(source=source, region_code="", month=None)
    else:
        marks = set()
        for code, day in cells:
            marks.update(SOURCES[source].marks(code, day))
        Pending.objects.bulk_create([Pending(source=source, region_code=c, month=d) for c, d in sorted(marks)],
                                    batch_size=2000)
    transaction.on_commit(refresh_after_commit)


def refresh_after_commit() -> None:
    """Bring the aggregates up to date after a write committed. Never fails the request that wrote: the write is
    stored and its cells stay marked in ``Pending``, so a failed refresh is retried, and if it still fails the
    cells are recomputed by the next reader (``refresh_pending``) or ``indicators_rebuild``."""
    refresh_safely()


def refresh_safely() -> int:
    """``refresh_pending`` with retries; on lasting failure the marks stay pending (logged), nothing is raised."""
    for attempt in range(RETRIES):
        try:
            return refresh_pending()
        except DatabaseError:
            if attempt == RETRIES - 1:
                log.exception("aggregate refresh failed %d times; the cells stay pending", RETRIES)
                return 0
            time.sleep(0.05 * (attempt + 1))
    return 0


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])


#: Rows computed before each COPY into the staging table (a source's rows come from a server-side cursor on the
#: same connection, and an open COPY holds it): bounds the memory of a full rebuild.
COPY_CHUNK = 50_000
_NEW_AGGREGATES, _NEW_ROLLUPS, _NEW_YEARS = "aggregate_new", "rollup_new", "rollupyear_new"
_KEY = ("input", "region_code", "month")
_YEAR_KEY = ("input", "region_code", "year")
MERGE_SETTINGS = {"work_mem": "256MB", "jit": "off", "enable_mergejoin": "off", "enable_nestloop": "off"}


def _replace_all(source: str, rows) -> int:
    """Replace every aggregate and roll-up row of ``source`` by ``rows`` (PostgreSQL): the rows are copied into a
    temporary table (COPY, no index), the roll-ups computed there, and each table is brought to the new rows by
    difference: rows gone deleted, changed values updated, new rows inserted in the unique key's order. A rebuild
    that changes little writes little; the first fill inserts once, without first deleting. Returns the number of
    aggregate rows of the source."""
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        # Hash joins over a source's rows, in memory (the default 4 MB of work_mem spills them to disk; a merge
        # join sorts the text keys, slow under a C.UTF-8 collation; a nested loop probes an index per row); the
        # settings are put back at the end.
        cur.execute("SELECT " + ", ".join(f"current_setting('{k}')" for k in MERGE_SETTINGS))
        previous = dict(zip(MERGE_SETTINGS, cur.fetchone()))
        cur.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _k in MERGE_SETTINGS),
                    [x for kv in MERGE_SETTINGS.items() for x in kv])
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{_NEW_AGGREGATES}, pg_temp.{_NEW_ROLLUPS}, pg_temp.{_NEW_YEARS}")
        for name, values in ((_NEW_AGGREGATES, "value double precision NOT NULL"),
                             (_NEW_ROLLUPS, "value double precision, count double precision")):
            cur.execute(f"CREATE TEMP TABLE {name} (input varchar(48) NOT NULL, region_code varchar(48) NOT NULL, "
                        f"month date NOT NULL, {values}) ON COMMIT DROP")
    written, chunk = 0, []
    for row in rows:
        if row[3]:
            chunk.append(row)
            if len(chunk) >= COPY_CHUNK:
                written += _copy_new(chunk)
                chunk = []
    if chunk:
        written += _copy_new(chunk)
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {_NEW_AGGREGATES}")
        for length in ROLLUP_LENGTHS:
            cur.execute(*_rollup_select(length, _NEW_AGGREGATES, _NEW_ROLLUPS, insert_into=_NEW_ROLLUPS))
        cur.execute(f"ANALYZE {_NEW_ROLLUPS}")
        cur.execute(f"CREATE TEMP TABLE {_NEW_YEARS} ON COMMIT DROP AS {year_rows_select(_NEW_ROLLUPS)}")
        for model, new, key, values in ((Aggregate, _NEW_AGGREGATES, _KEY, ("value",)),
                                        (Rollup, _NEW_ROLLUPS, _KEY, ("value", "count")),
                                        (RollupYear, _NEW_YEARS, _YEAR_KEY, YEAR_VALUES + YEAR_COUNTS)):
            table = q(model._meta.db_table)
            same = " AND ".join(f"t.{c} = n.{c}" for c in key)
            keys = ", ".join(key)
            columns = ", ".join(values)
            cur.execute(f"SELECT 1 FROM {table} WHERE source = %s LIMIT 1", [source])
            if cur.fetchone() is None:  # the first fill: nothing to compare with
                cur.execute(f"INSERT INTO {table} (source, {keys}, {columns}) "
                            f"SELECT %s, {keys}, {columns} FROM {new} ORDER BY {keys}", [source])
                continue
            cur.execute(f"DELETE FROM {table} t WHERE t.source = %s AND NOT EXISTS "
                        f"(SELECT 1 FROM {new} n WHERE {same})", [source])
            cur.execute(f"UPDATE {table} t SET {', '.join(f'{c} = n.{c}' for c in values)} FROM {new} n "
                        f"WHERE t.source = %s AND {same} AND "
                        f"({' OR '.join(f't.{c} IS DISTINCT FROM n.{c}' for c in values)})", [source])
            cur.execute(f"INSERT INTO {table} (source, {keys}, {columns}) "
                        f"SELECT %s, {', '.join(f'n.{c}' for c in key + values)} "
                        f"FROM {new} n WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same}) "
                        f"ORDER BY {', '.join(f'n.{c}' for c in key)}", [source])
        cur.execute(f"DROP TABLE pg_temp.{_NEW_AGGREGATES}, pg_temp.{_NEW_ROLLUPS}, pg_temp.{_NEW_YEARS}")
        # Fresh statistics for the planner (a sample: well under a second at national scale): without them the
        # engine's roll-up query filters every row of an input instead of reading its areas from the index.
        cur.execute(f"ANALYZE {q(Aggregate._meta.db_table)}, {q(Rollup._meta.db_table)}, "
                    f"{q(RollupYear._meta.db_table)}")
        cur.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _k in previous),
                    [x for kv in previous.items() for x in kv])
    return written


def _copy_new(chunk: list) -> int:
    with connection.wrap_database_errors, connection.cursor() as cursor, \
            cursor.cursor.copy(f"COPY {_NEW_AGGREGATES} (input, region_code, month, value) FROM STDIN") as copy:
        for row in chunk:
            copy.write_row(row)
    return len(chunk)


def _insert(source: str, rows) -> int:
    """Insert computed rows in chunks. A source's rows come from queries, and PostgreSQL's COPY holds the
    connection: each chunk is computed completely before it is copied."""
    written, chunk = 0, []
    for i, r, m, v in rows:
        if v:
            chunk.append({"source": source, "input": i, "region_code": r, "month": m, "value": v})
            if len(chunk) >= 50_000:
                written += _insert_sorted(chunk)
                chunk = []
    if chunk:
        written += _insert_sorted(chunk)
    return written


def _insert_sorted(chunk: list[dict]) -> int:
    # In the unique index's order: about a third faster to insert on PostgreSQL at national scale.
    chunk.sort(key=lambda r: (r["input"], r["region_code"], r["month"]))
    return insert_dicts(Aggregate, chunk)


def _covered(length: int) -> str:
    """SQL: the row's region code is an area of ``length`` characters or lies below one (its next character is the
    dot). Every row counted in an area's roll-up is one of these with the area's code as its first characters."""
    return f"(length(region_code) = {length} OR substr(region_code, {length + 1}, 1) = '.')"


def rollup_areas(codes, length: int) -> set[str]:
    """The areas of ``length`` characters whose roll-ups hold rows of these region codes."""
    return {c[:length] for c in codes if len(c) == length or (len(c) > length and c[length] == ".")}


def _rollup_select(length: int, aggregates: str, rollups: str, *, source: str | None = None, month=None,
                   areas: list[str] | None = None, insert_into: str | None = None) -> tuple[str, list]:
    """SQL and parameters: the roll-ups for areas of ``length`` characters (in ``month`` and ``areas``, or all) from
    the tables ``aggregates`` and ``rollups`` (rows of ``source`` only, when given): the aggregate rows of the area
    and below it that no deeper roll-up holds, plus the deeper roll-ups. Inserted into ``insert_into`` (with the
    source when given)."""
    deeper = ROLLUP_LENGTHS[ROLLUP_LENGTHS.index(length) - 1] if length != ROLLUP_LENGTHS[0] else None
    where, params = "", []
    if source is not None:
        where += " AND source = %s"
        params.append(source)
    if month is not None:
        where += " AND month = %s"
        params.append(connection.ops.adapt_datefield_value(month))
    if areas is not None:
        # One index range around the areas (they share a province), then the areas themselves.
        where += (f" AND region_code >= %s AND region_code < %s AND substr(region_code, 1, {length}) IN "
                  f"({', '.join(['%s'] * len(areas))})")
        params += [min(areas), max(areas) + "/", *areas]
    # The aggregate rows with each report count folded into its value's row (``FOLDED``), then the deeper
    # roll-ups, which hold them so already.
    parts = [f"SELECT {FOLDED[0]} AS input, substr(region_code, 1, {length}) AS area, month, {FOLDED[1]} AS value, "
             f"{FOLDED[2]} AS count FROM {aggregates} "
             f"WHERE {_covered(length)}" + (f" AND NOT {_covered(deeper)}" if deeper else "") + where]
    part_params = list(params)
    if deeper:
        parts.append(f"SELECT input, substr(region_code, 1, {length}) AS area, month, value, count FROM {rollups} "
                     f"WHERE length(region_code) = {deeper} AND substr(region_code, {length + 1}, 1) = '.'" + where)
        part_params += params
    summed = (f"input, area, month, SUM(value), SUM(count) FROM ({' UNION ALL '.join(parts)}) t "
              f"GROUP BY input, area, month")
    if source is not None:
        return (f"INSERT INTO {insert_into} (source, input, region_code, month, value, count) SELECT %s, {summed}",
                [source, *part_params])
    return f"INSERT INTO {insert_into} (input, region_code, month, value, count) SELECT {summed}", part_params


def _rollup_level(source: str, length: int, month=None, areas: list[str] | None = None) -> None:
    """Insert the roll-ups of ``source`` for areas of ``length`` characters (in ``month`` and ``areas``, or all):
    the aggregate rows of the area and below it that no deeper roll-up holds, plus the deeper roll-ups."""
    q = connection.ops.quote_name
    rollups = q(Rollup._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(*_rollup_select(length, q(Aggregate._meta.db_table), rollups, source=source, month=month,
                                    areas=areas, insert_into=rollups))


def year_rows_select(monthly: str, *, source: bool = False, where: str = "") -> str:
    """SQL: the year rows (``RollupYear``: input, region_code, year, v01…v12, n01…n12, with the source first when
    ``source``) of the monthly roll-up rows in table ``monthly`` (``where``: a condition on them)."""
    if connection.vendor == "postgresql":
        year, month = "CAST(EXTRACT(YEAR FROM month) AS integer)", "CAST(EXTRACT(MONTH FROM month) AS integer)"
    else:  # SQLite keeps a date as its ISO text
        year, month = "CAST(substr(month, 1, 4) AS integer)", "CAST(substr(month, 6, 2) AS integer)"
    months = [f"MAX(CASE WHEN {month} = {m} THEN {column} END) AS {name}" for column, names in
              (("value", YEAR_VALUES), ("count", YEAR_COUNTS)) for m, name in enumerate(names, start=1)]
    key = f"{'source, ' if source else ''}input, region_code, {year}"
    return (f"SELECT {'source, ' if source else ''}input, region_code, {year} AS year, {', '.join(months)} "
            f"FROM {monthly}{f' WHERE {where}' if where else ''} GROUP BY {key}")


def _rollup_years(source: str, years: dict[int, set[str]] | None) -> None:
    """Recompute the year rows of ``source`` from its monthly roll-ups: of these {year: areas} (None: all)."""
    q = connection.ops.quote_name
    table, monthly = q(RollupYear._meta.db_table), q(Rollup._meta.db_table)
    insert = f"INSERT INTO {table} (source, input, region_code, year, {', '.join(YEAR_VALUES + YEAR_COUNTS)}) "
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cur:
        if years is None:
            RollupYear.objects.filter(source=source).delete()
            cur.execute(insert + year_rows_select(monthly, source=True, where="source = %s"), [source])
            return
        for year, areas in sorted(years.items()):
            areas = sorted(areas)
            for start in range(0, len(areas), CHUNK):
                chunk = areas[start:start + CHUNK]
                RollupYear.objects.filter(source=source, year=year, region_code__in=chunk).delete()
                where = (f"source = %s AND month >= %s AND month <= %s "
                         f"AND region_code IN ({', '.join(['%s'] * len(chunk))})")
                cur.execute(insert + year_rows_select(monthly, source=True, where=where),
                            [source, adapt(dt.date(year, 1, 1)), adapt(dt.date(year, 12, 1)), *chunk])


def _rollup(source: str, cells) -> None:
    """Recompute the roll-ups of ``source`` above ``cells`` ({month: region codes}; None: every roll-up), deepest
    level first: each level adds the one below it; then their year rows."""
    if cells is None:
        Rollup.objects.filter(source=source).delete()
        for length in ROLLUP_LENGTHS:
            _rollup_level(source, length)
        _rollup_years(source, None)
        return
    years: dict[int, set[str]] = defaultdict(set)
    for month, codes in sorted(cells.items()):
        levels = {length: sorted(rollup_areas(codes, length)) for length in ROLLUP_LENGTHS}
        every = sorted(area for areas in levels.values() for area in areas)
        years[month.year].update(every)
        for start in range(0, len(every), CHUNK):  # every level's old rows at once; then level by level, deepest first
            Rollup.objects.filter(source=source, month=month, region_code__in=every[start:start + CHUNK]).delete()
        for length in ROLLUP_LENGTHS:
            by_province: dict[str, list[str]] = defaultdict(list)
            for area in levels[length]:
                by_province[area[:2]].append(area)
            for areas in by_province.values():
                for start in range(0, len(areas), CHUNK):
                    _rollup_level(source, length, month, areas[start:start + CHUNK])
    _rollup_years(source, years)


def _rebuild_source(source: str) -> int:
    """Every aggregate and roll-up of ``source`` computed afresh (inside the caller's transaction)."""
    if connection.vendor == "postgresql":
        return _replace_all(source, SOURCES[source].compute(None))
    Aggregate.objects.filter(source=source).delete()
    n = _insert(source, SOURCES[source].compute(None))
    _rollup(source, None)
    return n


def _touch(source: str, *, rows: int, seconds: float, rebuilt: bool) -> None:
    """Note when ``source`` was brought up to date (one UPDATE of its row, created when missing)."""
    now = timezone.now()
    changes = {"refreshed_at": now, "seconds": seconds}
    if rebuilt:
        from . import engine

        changes.update(rebuilt_at=now, rows=Aggregate.objects.filter(source=source).count())
        engine.rebuilt()
    if not FillState.objects.filter(source=source).update(**changes, **({} if rebuilt else {"rows": F("rows") + rows})):
        FillState.objects.create(source=source, **({"rows": rows} | changes))


def rebuild(sources: list[str] | None = None) -> dict[str, int]:
    """Recompute every aggregate of these sources (all when None) from the records."""
    done = {}
    for name in sources or list(SOURCES):
        started = time.monotonic()
        with transaction.atomic():
            _lock()
            FillState.objects.select_for_update().get_or_create(source=name)
            max_id = Pending.objects.filter(source=name).order_by("-id").values_list("id", flat=True).first()
            done[name] = _rebuild_source(name)
            if max_id is not None:
                Pending.objects.filter(source=name, id__lte=max_id).delete()
            _touch(name, rows=done[name], seconds=time.monotonic() - started, rebuilt=True)
    return done


def refresh_pending() -> int:
    """Recompute the cells marked pending; returns the number of aggregate rows written."""
    if not Pending.objects.exists():
        return 0
    written = 0
    with transaction.atomic():
        _lock()
        marks = list(Pending.objects.order_by("id").values_list("id", "source", "region_code", "month"))
        if not marks:
            return 0
        max_id = marks[-1][0]
        by_source: dict[str, dict | None] = {}
        for _id, source, code, month in marks:
            if source not in SOURCES:
                continue
            if not code or month is None:
                by_source[source] = None
            elif source not in by_source or by_source[source] is not None:
                by_source.setdefault(source, defaultdict(set))[month].add(code)
        for source, cells in by_source.items():
            started = time.monotonic()
            FillState.objects.select_for_update().get_or_create(source=source)
            if cells is None:
                n = _rebuild_source(source)
            else:
                cells = {m: sorted(codes) for m, codes in cells.items()}
                for month, codes in cells.items():
                    for start in range(0, len(codes), CHUNK):
                        Aggregate.objects.filter(source=source, month=month,
                                                 region_code__in=codes[start:start + CHUNK]).delete()
                n = _insert(source, SOURCES[source].compute(cells))
                _rollup(source, cells)
            written += n
            _touch(source, rows=n, seconds=time.monotonic() - started, rebuilt=cells is None)
        Pending.objects.filter(id__lte=max_id).delete()
    return written


def fill_state() -> dict:
    """What a dashboard shows about freshness: when each source was last brought up to date, and how many
    cells still wait (0 once ``refresh_pending`` has run)."""
    return {
        "pending": Pending.objects.count(),
        "sources": {s.source: s for s in FillState.objects.all()},
    }
