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
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from binasehat.cadres.selectors import kader_counts_by_posyandu
from binasehat.core.bulk import insert_dicts
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


def month_arrays(posyandu_ids: list[int], year: int) -> dict[str, np.ndarray]:
    """The monthly records of ``posyandu_ids`` in ``year`` as P × 12 arrays (NaN where there is no record).
    Read through a chunked cursor (server-side on PostgreSQL) in blocks turned into arrays (None → NaN) and placed
    with NumPy: no Python per value, no model or converter per row."""
    from django.db import connection

    arrays = rules.empty_months(len(posyandu_ids))
    if not len(posyandu_ids):
        return arrays
    ids = np.asarray(posyandu_ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    fields = rules.MONTH_FIELDS
    qs = PosyanduMonth.objects.filter(month__year=year)
    if len(posyandu_ids) <= 5000:  # a whole country: read the year's records once instead of a huge IN list
        qs = qs.filter(posyandu_id__in=posyandu_ids)
    sql, params = qs.values_list("posyandu_id", "month", *fields).query.sql_with_params()

    def place(block):
        rows = np.array(block, dtype=object)
        pk = rows[:, 0].astype(np.int64)
        # a date (PostgreSQL) or 'YYYY-MM-DD' (SQLite) → 0 for January … 11 for December
        month = rows[:, 1].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        values = rows[:, 2:]
        values = np.where(values == None, np.nan, values).astype(float)  # noqa: E711 (element-wise)
        found = np.minimum(np.searchsorted(sorted_ids, pk), len(sorted_ids) - 1)
        known = sorted_ids[found] == pk
        i, j = order[found[known]], month[known]
        for k, f in enumerate(fields):
            column = values[known, k]
            present = ~np.isnan(column)
            arrays[f][i[present], j[present]] = column[present]

    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while block := cursor.fetchmany(50_000):
            place(block)
    return arrays


def compute(posyandu_ids: list[int], year: int, months: int) -> tuple[dict[str, np.ndarray], dict]:
    """Inputs of every posyandu over January..``months`` (vectorised) and the rule set versions in force that year."""
    if not current(RULESETS[0]):
        load_rulesets()
    arrays = month_arrays(posyandu_ids, year)
    on_date = dt.date(year, 12, 31) if months >= 12 else dt.date(year, months + 1, 1) - dt.timedelta(days=1)
    counts = kader_counts_by_posyandu(posyandu_ids, on_date=on_date)
    kader_sk = np.array([counts.get(pk, {}).get("n_sk", 0) for pk in posyandu_ids])
    inputs = rules.yearly_inputs(arrays, kader_sk, months_in_period=months)
    return inputs, {code: in_force(code, year) for code in RULESETS}


@transaction.atomic
def posyandu_evaluate(*, year: int, posyandu_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """(Re-)evaluate posyandu for ``year`` (all that existed that year when ``posyandu_ids`` is None) over the months
    the year has completed (see ``months_covered``); a year with no complete month has no verdict yet."""
    qs = posyandu_existing_in(year)
    if posyandu_ids is not None:
        qs = qs.filter(pk__in=list(posyandu_ids))
    ids = sorted(qs.values_list("pk", flat=True))
    months = months_covered(year, today)
    if not ids:
        return 0
    for start in range(0, len(ids), 5000):  # one refresh of a posyandu at a time (concurrent reads refresh too)
        list(Posyandu.objects.select_for_update().filter(pk__in=ids[start:start + 5000]).values_list("pk"))
    if posyandu_ids is None:  # every posyandu of the year is re-evaluated
        PosyanduEvaluation.objects.filter(year=year).delete()
    else:
        for start in range(0, len(ids), 5000):  # IN lists of bounded size
            PosyanduEvaluation.objects.filter(year=year, posyandu_id__in=ids[start:start + 5000]).delete()
    if months <= 0:
        return 0
    inputs, rulesets = compute(ids, year, months)
    # every rule set evaluated over all posyandu at once (rules.evaluate, per posyandu, is the reference)
    outcomes = {code: rules.evaluate_many(ruleset.definition, inputs) for code, ruleset in rulesets.items()}
    plain = {k: np.asarray(v).tolist() for k, v in inputs.items()}
    keys = list(plain)
    rows = []
    for i, pk in enumerate(ids):
        one = {k: plain[k][i] for k in keys}
        for code, ruleset in rulesets.items():
            outcome = outcomes[code][i]
            result = outcome.result if isinstance(outcome.result, str) else ("ya" if outcome.result else "tidak")
            rows.append({
                "posyandu_id": pk, "year": year, "ruleset_id": ruleset.pk, "ruleset_code": code, "result": result,
                "inputs": one, "criteria": outcome.criteria, "missing": outcome.missing,
                "next_level": outcome.next_level or "", "months_covered": months,
            })
    del outcomes
    insert_dicts(PosyanduEvaluation, rows)
    data_changed.send(sender=PosyanduEvaluation, source="assessments",
                      cells={(desa, dt.date(year, 1, 1)) for desa in qs.values_list("desa_id", flat=True).distinct()})
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
