"""Evaluating posyandu per year: inputs from the monthly records and the kader registry, one evaluator, results
stored with the rule set version in force that year, the months covered, every criterion and what is missing.

Re-run when the records change, and when a month closes: a verdict of the current year covers January to the
last complete month and is provisional; once the next month closes (or the year ends) it is stale and is
refreshed by ``posyandu_assess --refresh-stale`` (cron) or, on read, by the selectors that show verdicts."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from binasehat.core.events import data_changed
from binasehat.facilities.models import Posyandu
from binasehat.posyandu.models import PosyanduMonth

from . import rules
from .loading import current, in_force, load_rulesets
from .models import PosyanduEvaluation

log = logging.getLogger("binasehat.assessments")
RULESETS = ("posyandu-strata-2011", "posyandu-aktif")


def months_covered(year: int, today: dt.date | None = None) -> int:
    """Months of ``year`` a verdict computed now covers (12 once the year is over; January to the last complete
    month for the current year). Only the month of ``today`` matters, never the day."""
    today = today or timezone.localdate()
    return rules.months_covered(year, today.year, today.month)


def posyandu_existing_in(year: int):
    """Posyandu that existed during ``year``: founded by its end, not closed before it began."""
    return Posyandu.objects.filter(
        Q(founded_on__isnull=True) | Q(founded_on__year__lte=year),
        Q(closed_on__isnull=True) | Q(closed_on__year__gte=year),
    )


#: Posyandu evaluated per pass: the monthly arrays of a pass (14 × CHUNK × 12 float64, ≈ 7 MB), its kader counts
#: and its rows stay small whatever the number of posyandu (a country is 60 passes).
CHUNK = 5_000


#: How the monthly fields travel from the database, packed into few integer columns (reading a value costs about
#: as much as the arithmetic that packs it): ``("pair", a, b)`` two counts, each -1 when not reported, as
#: (a + 1) × PAIR + (b + 1) — counts are at most 2³¹ − 1 (PostgreSQL's integer, ``core.limits``), so the pair is
#: below 2⁶³; ``("flags", ...)`` opening days, kader on duty in tenths and the two yes/no fields.
PAIR = 2**31 + 1
PACKED = (
    ("flags", "opening_days", "kader_on_duty", "alat_pantau", "kegiatan_tambahan"),
    ("pair", "s", "d"),
    ("pair", "ibu_hamil_sasaran", "ibu_hamil_dilayani"),
    ("pair", "kb_sasaran", "kb_dilayani"),
    ("pair", "imunisasi_sasaran", "imunisasi_dilayani"),
    ("pair", "kk_total", "kk_dana_sehat"),
)
TENTHS = 10_000  # kader on duty is a decimal(4, 1): at most 999.9, 9,999 tenths


def _ids_filter(pk: str, posyandu_ids) -> str:
    """SQL condition on the column ``pk`` for the sorted ``posyandu_ids``: a range when they are dense enough (rows
    of posyandu between them but not among them are read and dropped by the caller), else an ``IN`` list."""
    lo, hi = int(posyandu_ids[0]), int(posyandu_ids[-1])
    if hi - lo + 1 <= 4 * len(posyandu_ids):
        return f"{pk} BETWEEN {lo} AND {hi}"
    return f"{pk} IN ({', '.join(str(int(i)) for i in posyandu_ids)})"


def _month_query(posyandu_ids: np.ndarray, year: int) -> str:
    """SELECT of the monthly records of ``posyandu_ids`` (sorted) in ``year``: posyandu id × 16 + month index (0
    for January), then the fields of ``rules.MONTH_FIELDS`` packed as ``PACKED`` says: every value an integer, so
    that a block of rows becomes one int64 array at once. Ids and dates are formatted from integers (no user
    text), so the statement needs no parameters. A dense set of ids (a pass over
    a whole country, a province) is read as an id range, the rows of other posyandu in it are ignored; a sparse
    one through an IN list."""
    from binasehat.posyandu.models import PosyanduMonth

    meta = PosyanduMonth._meta
    q = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    big = "bigint" if postgres else "INTEGER"

    def col(name):
        return q(meta.get_field(name).column)

    def count(name):
        return f"(COALESCE(CAST({col(name)} AS {big}), -1) + 1)"

    columns = []
    for kind, *names in PACKED:
        if kind == "pair":
            columns.append(f"{count(names[0])} * {PAIR} + {count(names[1])}")
        else:
            opening, kader, alat, extra = map(col, names)
            columns.append(f"(CAST({opening} AS {big}) * {TENTHS} + CAST(ROUND({kader} * 10) AS {big})) * 4"
                           f" + CASE WHEN {alat} THEN 2 ELSE 0 END + CASE WHEN {extra} THEN 1 ELSE 0 END")
    month = col("month")
    month_index = (f"CAST(EXTRACT(MONTH FROM {month}) AS integer) - 1" if postgres
                   else f"CAST(substr({month}, 6, 2) AS INTEGER) - 1")
    pk = col("posyandu")
    which = _ids_filter(pk, posyandu_ids)
    first, last = dt.date(int(year), 1, 1).isoformat(), dt.date(int(year), 12, 31).isoformat()
    dates = (f"{month} BETWEEN DATE '{first}' AND DATE '{last}'" if postgres
             else f"{month} BETWEEN '{first}' AND '{last}'")
    return (f"SELECT CAST({pk} AS {big}) * 16 + {month_index}, {', '.join(columns)} FROM {q(meta.db_table)} "
            f"WHERE {which} AND {dates}")


def _month_blocks(sql: str):
    """The rows of ``_month_query`` as int64 arrays. PostgreSQL: the server joins every value into one
    comma-separated text (string_agg) that NumPy parses in C, no Python object per row or value; SQLite: a cursor
    read in blocks of 50,000 rows, each turned into an array at once."""
    width = 1 + len(PACKED)
    if connection.vendor == "postgresql":
        names = ", ".join(f"c{i}" for i in range(width))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT string_agg(concat_ws(',', {names}), ',') FROM ({sql}) AS t({names})")
            text = cursor.fetchone()[0]
        if text:
            values = np.fromstring(text, dtype=np.int64, sep=",")
            if len(values) % width:
                raise ValueError("monthly records: a row of the text does not have every column")
            yield values.reshape(-1, width)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while block := cursor.fetchmany(50_000):
            yield np.array(block, dtype=np.int64).reshape(len(block), width)


def _unpack(block: np.ndarray) -> np.ndarray:
    """The columns of a block of ``_month_query`` rows as floats in the order of ``rules.MONTH_FIELDS`` (NaN: not
    reported)."""
    out = {}
    for k, (kind, *names) in enumerate(PACKED, start=1):
        packed = block[:, k]
        if kind == "pair":
            a, b = np.divmod(packed, PAIR)
            for name, v in ((names[0], a), (names[1], b)):
                v = (v - 1).astype(np.float64)
                v[v < 0] = np.nan
                out[name] = v
        else:
            rest, extra = np.divmod(packed, 2)
            rest, alat = np.divmod(rest, 2)
            opening, tenths = np.divmod(rest, TENTHS)
            out.update({names[0]: opening.astype(np.float64), names[1]: tenths / 10,
                        names[2]: alat.astype(np.float64), names[3]: extra.astype(np.float64)})
    return np.stack([out[f] for f in rules.MONTH_FIELDS])


def month_arrays(posyandu_ids: list[int], year: int) -> dict[str, np.ndarray]:
    """The monthly records of ``posyandu_ids`` in ``year`` as P × 12 arrays (NaN where there is no record or a
    value is not reported), in the order of ``posyandu_ids``. One query (``_month_query``) read as numbers in
    blocks (``_month_blocks``) and placed with NumPy: no model instance, no Python per value."""
    fields = rules.MONTH_FIELDS
    stacked = np.full((len(fields), len(posyandu_ids), 12), np.nan)
    arrays = {f: stacked[k] for k, f in enumerate(fields)}
    if not len(posyandu_ids):
        return arrays
    ids = np.asarray(posyandu_ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    for block in _month_blocks(_month_query(sorted_ids, year)):
        pk, month = np.divmod(block[:, 0], 16)
        found = np.minimum(np.searchsorted(sorted_ids, pk), len(sorted_ids) - 1)
        known = sorted_ids[found] == pk
        stacked[:, order[found[known]], month[known]] = _unpack(block[known])
    return arrays


_ORDERED_INDEX: dict[str, str | None] = {}


def _ordered_index() -> str | None:
    """SQLite: the name of the unique index on (posyandu, month) of the monthly records, read from the schema
    (SQLite names it itself). ``month_sums`` reads through it so that a posyandu's records arrive in calendar
    order and its D/S sum is added in that order, as ``rules.sums_from_months`` adds it."""
    from binasehat.posyandu.models import PosyanduMonth

    meta = PosyanduMonth._meta
    key = connection.alias + ":" + str(connection.settings_dict.get("NAME", ""))
    if key not in _ORDERED_INDEX:
        wanted = [meta.get_field("posyandu").column, meta.get_field("month").column]
        found = None
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(meta.db_table)})")
            for row in cursor.fetchall():
                name, unique = row[1], row[2]
                cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(name)})")
                if unique and [r[2] for r in cursor.fetchall()] == wanted:
                    found = name
                    break
        _ORDERED_INDEX[key] = found
    return _ORDERED_INDEX[key]


def _sums_query(posyandu_ids: np.ndarray, year: int, months: int) -> str:
    """SELECT of ``rules.SUMS`` per posyandu of ``posyandu_ids`` (sorted) over January to month ``months`` of
    ``year``: one row per posyandu with records, its id first. Counts with FILTER, sums of the reported values
    (a value not reported adds nothing, as 0), the latest values as the maximum of month × 2³² + value (a month
    has one record per posyandu). D/S is summed in calendar order (PostgreSQL: ORDER BY in the aggregate; SQLite:
    read through the (posyandu, month) index). Ids and dates are formatted from integers: no parameters."""
    from binasehat.posyandu.models import PosyanduMonth

    meta = PosyanduMonth._meta
    q = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"

    def c(name):
        return q(meta.get_field(name).column)

    def flag(name):
        return f"CASE WHEN {c(name)} THEN 1 ELSE 0 END"

    big, real = ("bigint", "double precision") if postgres else ("INTEGER", "REAL")
    month = c("month")
    m = (f"CAST(date_part('month', {month}) AS bigint)" if postgres
         else f"CAST(substr({month}, 6, 2) AS INTEGER)")
    opened = f"{c('opening_days')} > 0"

    def good(served, target, extra=""):
        return f"COUNT(*) FILTER (WHERE {extra}{c(target)} > 0 AND 2 * CAST({c(served)} AS {big}) >= {c(target)})"

    by_month = f" ORDER BY {month}" if postgres else ""
    columns = [
        "COUNT(*)",
        f"COUNT(*) FILTER (WHERE {opened})",
        f"SUM(CAST(ROUND({c('kader_on_duty')} * 10) AS integer)) FILTER (WHERE {opened})",
        f"SUM(CAST({c('d')} AS {real}) / {c('s')}{by_month}) FILTER (WHERE {opened} AND {c('s')} > 0)",
        f"COUNT(*) FILTER (WHERE {opened} AND {c('s')} > 0)",
    ]
    for name in ("kia", "kb", "imunisasi"):
        served, target = rules.SERVICES[name]
        columns += [f"SUM({c(served)})", f"SUM({c(target)})"]
    for name, (served, target) in rules.SERVICES.items():
        columns.append(good(served, target, f"{opened} AND " if name == "gizi" else ""))
    columns += [
        f"MAX({flag('kegiatan_tambahan')})",
        f"MAX({m} * 2 + {flag('alat_pantau')})",
        f"MAX({m} * 4294967296 + {c('kk_total')}) FILTER (WHERE {c('kk_total')} > 0)",
        f"MAX({m} * 4294967296 + COALESCE({c('kk_dana_sehat')}, 0)) FILTER (WHERE {c('kk_total')} > 0)",
    ]
    pk = c("posyandu")
    which = _ids_filter(pk, posyandu_ids)
    first, last = dt.date(int(year), 1, 1).isoformat(), period_end(int(year), months).isoformat()
    dates = (f"{month} BETWEEN DATE '{first}' AND DATE '{last}'" if postgres
             else f"{month} BETWEEN '{first}' AND '{last}'")
    table = q(meta.db_table)
    if not postgres and (index := _ordered_index()):
        table += f" INDEXED BY {q(index)}"
    return f"SELECT {pk}, {', '.join(columns)} FROM {table} WHERE {which} AND {dates} GROUP BY {pk}"


def month_sums(posyandu_ids: list[int], year: int, months: int = 12) -> dict[str, np.ndarray]:
    """``rules.SUMS`` of ``posyandu_ids`` over January to month ``months`` of ``year``, computed by the database
    (``_sums_query``: one row per posyandu, not one per month), as float arrays in the order of ``posyandu_ids``;
    equal to ``rules.sums_from_months(month_arrays(...))``. A posyandu without records has zeros (NaN for the KK
    counts)."""
    n = len(posyandu_ids)
    out = np.zeros((len(rules.SUMS), n))
    kk = [rules.SUMS.index("kk_total"), rules.SUMS.index("kk_dana_sehat")]
    out[kk] = np.nan
    if n:
        ids = np.asarray(posyandu_ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        if connection.vendor == "postgresql":  # a cheap query: compiling it (JIT) would cost more than running it
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        with connection.cursor() as cursor:
            cursor.execute(_sums_query(sorted_ids, year, months))
            rows = cursor.fetchall()
        if rows:
            block = np.array(rows, dtype=np.float64)  # None (no value) becomes NaN
            pk = block[:, 0].astype(np.int64)
            found = np.minimum(np.searchsorted(sorted_ids, pk), n - 1)
            known = sorted_ids[found] == pk
            values = block[known, 1:].T
            latest = values[-3:]  # month × 2 + flag, month × 2³² + count: keep the flag or the count
            values[-3] = np.mod(latest[0], 2)
            values[-2:] = np.mod(latest[1:], 4294967296)
            none = np.isnan(values)
            values[none] = 0.0
            values[kk] = np.where(none[kk], np.nan, values[kk])
            out[:, order[found[known]]] = values
    return dict(zip(rules.SUMS, out))


def _kader_sk(posyandu_ids: list[int], on_date: dt.date) -> np.ndarray:
    """Per posyandu of ``posyandu_ids`` (sorted), its kader with an SK by ``on_date``: active, with an SK number,
    the SK undated or dated by then — ``n_sk`` of ``cadres.selectors.kader_counts_by_posyandu`` (a test holds them
    equal), read as (id, count) pairs of the kader with an SK only, over an id range like ``_month_query``."""
    from binasehat.cadres.models import Kader

    out = np.zeros(len(posyandu_ids), dtype=np.int64)
    if not posyandu_ids:
        return out
    ids = np.asarray(posyandu_ids, dtype=np.int64)
    lo, hi = int(ids[0]), int(ids[-1])
    qs = Kader.objects.filter(active=True).exclude(sk_number="").filter(Q(sk_date__isnull=True)
                                                                       | Q(sk_date__lte=on_date))
    qs = (qs.filter(posyandu_id__gte=lo, posyandu_id__lte=hi) if hi - lo + 1 <= 4 * len(ids)
          else qs.filter(posyandu_id__in=posyandu_ids))
    pairs = np.array(list(qs.order_by().values_list("posyandu_id").annotate(n=Count("id"))), dtype=np.int64)
    if len(pairs):
        found = np.minimum(np.searchsorted(ids, pairs[:, 0]), len(ids) - 1)
        known = ids[found] == pairs[:, 0]
        out[found[known]] = pairs[known, 1]
    return out


def period_end(year: int, months: int) -> dt.date:
    """The last day of the period of a verdict covering January to month ``months``."""
    return dt.date(year, 12, 31) if months >= 12 else dt.date(year, months + 1, 1) - dt.timedelta(days=1)


def _inputs_json(inputs: dict[str, np.ndarray], *, jsonb_order: bool = False) -> list[str]:
    """Per posyandu, its inputs as the JSON text ``json.dumps`` gives for {indicator: value} (ints, floats in
    their shortest exact form, true/false), written column by column: one template per row. ``jsonb_order``: the
    keys in the order PostgreSQL's jsonb keeps and prints them (shorter first, then bytewise), so that the text
    read back from a jsonb column equals the text written (the values print as written, except floats Python
    writes with an exponent, which jsonb prints in full: such a verdict only looks changed and is rewritten)."""
    keys = sorted(inputs, key=lambda k: (len(k.encode()), k.encode())) if jsonb_order else list(inputs)
    template = "{" + ", ".join(f'"{k}": %s' for k in keys) + "}"
    columns = []
    for k in keys:
        a = np.asarray(inputs[k])
        if a.dtype == bool:
            columns.append(np.where(a, "true", "false").tolist())
        elif a.dtype.kind in "iu":
            columns.append(list(map(str, a.tolist())))
        else:
            columns.append(list(map(float.__repr__, a.astype(float).tolist())))
    return [template % row for row in zip(*columns)]


def _store(rows: list[tuple]) -> None:
    """Insert evaluation rows (the columns of ``_STORED``, inputs as JSON text): COPY on PostgreSQL, one
    executemany on SQLite."""
    from django.db import connection

    q = connection.ops.quote_name
    table = q(PosyanduEvaluation._meta.db_table)
    columns = ", ".join(q(PosyanduEvaluation._meta.get_field(f).column) for f in _STORED)
    if connection.vendor == "postgresql":
        # Values are ids, numbers, rule set codes, level keys and JSON of numbers: no tab, newline or backslash to
        # escape in COPY's text format.
        # Year, rule set, code, months and time are the same in many rows: each distinct value becomes text once.
        text: dict = {}
        for row in rows:
            for k in (1, 2, 3, 7, 8):
                if row[k] not in text:
                    text[row[k]] = str(row[k])
        lines = "".join(f"{row[0]}\t{text[row[1]]}\t{text[row[2]]}\t{text[row[3]]}\t{row[4]}\t{row[5]}\t{row[6]}\t"
                        f"{text[row[7]]}\t{text[row[8]]}\n" for row in rows)
        with connection.wrap_database_errors, connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(lines)
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_STORED))})", rows)


_STORED = ("posyandu", "year", "ruleset", "ruleset_code", "result", "inputs", "next_level", "months_covered",
           "evaluated_at")


def _stored(year: int, *, ids: list[int] | None = None, lo: int | None = None, hi: int | None = None) -> dict:
    """The stored verdicts of ``year`` of posyandu ``ids`` (or with an id from ``lo`` to ``hi``, open-ended when
    None): {posyandu id: {rule set code: (rule set id, result, next level, months covered, inputs as stored text,
    fresh)}}; fresh: evaluated after its rule set version was last loaded (``stale_posyandu``). PostgreSQL keeps
    the inputs as jsonb, whose text has the keys in its own order (``_inputs_json`` with ``jsonb_order``)."""
    from .models import RuleSet

    q = connection.ops.quote_name
    e, r = PosyanduEvaluation._meta, RuleSet._meta

    def c(name):
        return "e." + q(e.get_field(name).column)

    where = [f"{c('year')} = {int(year)}"]
    if ids is not None:
        where.append(f"{c('posyandu')} IN ({', '.join(str(int(i)) for i in ids)})")
    if lo is not None:
        where.append(f"{c('posyandu')} >= {int(lo)}")
    if hi is not None:
        where.append(f"{c('posyandu')} <= {int(hi)}")
    sql = (f"SELECT {c('posyandu')}, {c('ruleset_code')}, {c('ruleset')}, {c('result')}, {c('next_level')}, "
           f"{c('months_covered')}, CAST({c('inputs')} AS text), CASE WHEN {c('evaluated_at')} >= "
           f"r.{q(r.get_field('loaded_at').column)} THEN 1 ELSE 0 END FROM {q(e.db_table)} e LEFT JOIN "
           f"{q(r.db_table)} r ON r.{q(r.pk.column)} = {c('ruleset')} WHERE {' AND '.join(where)}")
    out: dict[int, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for pk, code, *rest in cursor.fetchall():
            out.setdefault(pk, {})[code] = tuple(rest)
    return out


def _changed(rows: list[tuple], stored: dict) -> tuple[list[tuple], set[int]]:
    """The rows (columns of ``_STORED``) of the posyandu whose verdicts differ from ``stored`` (``_stored``), and
    the posyandu whose stored verdicts are to be deleted: those changed, and those stored but no longer evaluated.
    A posyandu is unchanged when each of its rule sets has a fresh stored verdict with the same rule set version,
    result, next level, months covered and inputs text."""
    new: dict[int, dict] = {}
    for row in rows:
        new.setdefault(row[0], {})[row[3]] = (row[2], row[4], row[6], row[7], row[5], 1)
    changed = {pk for pk, verdicts in new.items() if stored.get(pk) != verdicts}
    drop = (changed & stored.keys()) | (stored.keys() - new.keys())
    return [row for row in rows if row[0] in changed], drop


def _delete(year: int, posyandu_ids) -> int:
    """Delete the verdicts of ``year`` of these posyandu (IN lists of bounded size); returns how many."""
    ids, deleted = sorted(posyandu_ids), 0
    for start in range(0, len(ids), CHUNK):
        deleted += PosyanduEvaluation.objects.filter(year=year, posyandu_id__in=ids[start:start + CHUNK]).delete()[0]
    return deleted


#: More posyandu changed than this in one call: the indicators recompute the whole source rather than cell by cell.
WHOLE_SOURCE = 20_000


@transaction.atomic
def posyandu_evaluate(*, year: int, posyandu_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """(Re-)evaluate posyandu for ``year`` (all that existed that year when ``posyandu_ids`` is None) over the months
    the year has completed (see ``months_covered``); a year with no complete month has no verdict yet.

    In passes of CHUNK posyandu (bounded memory): the monthly records summed by the database per posyandu
    (``month_sums``), the inputs computed and both rule sets evaluated over the whole pass at once
    (``rules.evaluate_columns``; ``rules.evaluate`` per posyandu is the reference), one row per posyandu and rule
    set with the inputs its rule set uses (``rules.stored_inputs``), result and next level. Only verdicts that
    changed are written (compared with the stored ones: rule set version, result, next level, months, inputs;
    a verdict older than its rule set version is rewritten), and only their desa are marked for the indicators;
    for every posyandu, verdicts of posyandu that no longer exist that year are deleted."""
    qs = posyandu_existing_in(year)
    if posyandu_ids is not None:
        qs = qs.filter(pk__in=list(posyandu_ids))
    ids = sorted(qs.values_list("pk", flat=True))
    months = months_covered(year, today)
    if not ids and posyandu_ids is not None:
        return 0
    # One refresh of a posyandu at a time (pages refresh stale verdicts as they read them). SQLite: a writing
    # transaction holds the whole database. PostgreSQL: the posyandu's rows FOR UPDATE; for every posyandu of a
    # year, the table in EXCLUSIVE mode instead (it waits for, and holds off, the row locks of other refreshes;
    # reads go on), rather than marking 300,000 rows.
    if connection.vendor == "postgresql" and posyandu_ids is None:
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Posyandu._meta.db_table)} IN EXCLUSIVE MODE")
    elif connection.features.has_select_for_update:
        for start in range(0, len(ids), CHUNK):
            list(Posyandu.objects.select_for_update().filter(pk__in=ids[start:start + CHUNK]).values_list("pk"))
    if months <= 0 or not ids:  # no verdict (yet): none is kept
        if posyandu_ids is None:
            deleted, _ = PosyanduEvaluation.objects.filter(year=year).delete()
        else:
            deleted = _delete(year, ids)
        if deleted and posyandu_ids is None:
            data_changed.send(sender=PosyanduEvaluation, source="assessments", cells=None)
        return 0 if months <= 0 else len(ids)
    if not current(RULESETS[0]):
        load_rulesets()
    rulesets = {code: in_force(code, year) for code in RULESETS}
    jsonb_order = connection.vendor == "postgresql"
    stored_any = PosyanduEvaluation.objects.filter(year=year).exists()
    on_date = period_end(year, months)
    now = timezone.now()
    if connection.vendor != "postgresql":
        now = connection.ops.adapt_datetimefield_value(now)
    written: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        inputs = rules.inputs_from_sums(month_sums(chunk, year, months), _kader_sk(chunk, on_date))
        rows = []
        for code, ruleset in rulesets.items():
            results, next_levels = rules.evaluate_columns(ruleset.definition, inputs)
            texts = _inputs_json({k: inputs[k] for k in rules.stored_inputs(ruleset.definition)},
                                 jsonb_order=jsonb_order)
            rows += [(pk, year, ruleset.pk, code, result if isinstance(result, str) else ("ya" if result else "tidak"),
                      text, level or "", months, now)
                     for pk, result, text, level in zip(chunk, results, texts, next_levels)]
        if stored_any:
            if posyandu_ids is None:  # the ids from the last pass's to this pass's, so that none is left out
                last = start + CHUNK >= len(ids)
                stored = _stored(year, lo=ids[start - 1] + 1 if start else None, hi=None if last else chunk[-1])
            else:
                stored = _stored(year, ids=chunk)
            rows, drop = _changed(rows, stored)
            _delete(year, drop)
            written |= drop
        written.update(row[0] for row in rows)
        _store(rows)
    if not written:
        return len(ids)
    if len(written) > WHOLE_SOURCE:  # the indicators recompute this source at once
        data_changed.send(sender=PosyanduEvaluation, source="assessments", cells=None)
    else:
        changed = sorted(written)
        cells = set()
        for start in range(0, len(changed), CHUNK):
            desa = Posyandu.objects.filter(pk__in=changed[start:start + CHUNK]).values_list("desa_id", flat=True)
            cells |= {(d, dt.date(year, 1, 1)) for d in desa.distinct()}
        data_changed.send(sender=PosyanduEvaluation, source="assessments", cells=cells)
    return len(ids)


def stale_posyandu(*, year: int, posyandu_queryset=None, today: dt.date | None = None,
                   missing: bool = True) -> list[int]:
    """Posyandu of ``posyandu_queryset`` (default: all) that existed in ``year`` and whose verdict is missing or
    stale: it covers other months than the year has now completed (a month closed, or the year ended), it used
    another rule set version than the one in force that year, or that version's criteria changed after it (its
    ``loaded_at`` is later than the verdict). Two indexed queries; nothing is evaluated."""
    existing = posyandu_existing_in(year)
    if posyandu_queryset is not None:
        existing = existing.filter(pk__in=posyandu_queryset.values("pk"))
    months = months_covered(year, today)
    if months <= 0:
        return []
    if not current(RULESETS[0]):
        load_rulesets()
    in_force_ids = [r.pk for r in (in_force(code, year) for code in RULESETS) if r is not None]
    evaluated = PosyanduEvaluation.objects.filter(year=year, posyandu__in=existing)
    stale = set(evaluated.filter(~Q(months_covered=months) | ~Q(ruleset_id__in=in_force_ids)
                                 | Q(evaluated_at__lt=F("ruleset__loaded_at")))
                .values_list("posyandu_id", flat=True))
    complete = (evaluated.values("posyandu_id").annotate(n=Count("id")).filter(n=len(RULESETS))
                .values_list("posyandu_id", flat=True))
    if not missing:
        return sorted(stale)
    return sorted(stale | set(existing.exclude(pk__in=complete).values_list("pk", flat=True)))


def verdicts_refresh(*, year: int, posyandu_queryset=None, today: dt.date | None = None,
                     missing: bool = True) -> int:
    """Re-evaluate only the missing or stale verdicts of ``year`` (see ``stale_posyandu``); returns how many
    posyandu were re-evaluated. Called by the pages before they show verdicts and by ``posyandu_assess
    --refresh-stale`` (cron, after a month closes). ``missing=False``: only verdicts that exist and are stale."""
    ids = stale_posyandu(year=year, posyandu_queryset=posyandu_queryset, today=today, missing=missing)
    if ids:
        posyandu_evaluate(year=year, posyandu_ids=ids, today=today)
    return len(ids)


def ensure_evaluated(*, year: int, posyandu_queryset) -> int:
    """Kept for callers of the earlier name: refresh missing or stale verdicts of ``posyandu_queryset``."""
    return verdicts_refresh(year=year, posyandu_queryset=posyandu_queryset)


def years_with_verdicts() -> list[int]:
    """Years that have monthly records or verdicts (what ``--refresh-stale`` looks at)."""
    years = set(PosyanduEvaluation.objects.values_list("year", flat=True).distinct())
    years |= {d.year for d in PosyanduMonth.objects.dates("month", "year")}
    return sorted(years)


def on_records_changed(sender, posyandu_ids=(), months=None, **kwargs):
    """Re-evaluate the posyandu whose records changed, for the years touched."""
    years = sorted({m.year for m in months}) if months else [timezone.localdate().year]
    for year in years:
        posyandu_evaluate(year=year, posyandu_ids=posyandu_ids)
