"""Evaluating posyandu per year: inputs from the monthly records and the kader registry, one evaluator, results
stored with the rule set version, every criterion and what is missing. Re-run when the records change."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from binasehat.cadres.selectors import kader_counts_by_posyandu
from binasehat.core.bulk import insert_dicts
from binasehat.core.events import data_changed
from binasehat.facilities.models import Posyandu
from binasehat.posyandu.models import PosyanduMonth

from . import rules
from .loading import current, load_rulesets
from .models import PosyanduEvaluation

log = logging.getLogger("binasehat.assessments")
RULESETS = ("posyandu-strata-2011", "posyandu-aktif")


def months_in_period(year: int, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def posyandu_existing_in(year: int):
    """Posyandu that existed during ``year``: founded by its end, not closed before it began."""
    return Posyandu.objects.filter(
        Q(founded_on__isnull=True) | Q(founded_on__year__lte=year),
        Q(closed_on__isnull=True) | Q(closed_on__year__gte=year),
    )


def month_arrays(posyandu_ids: list[int], year: int) -> dict[str, np.ndarray]:
    """The monthly records of ``posyandu_ids`` in ``year`` as P × 12 arrays (NaN where there is no record)."""
    index = {pk: i for i, pk in enumerate(posyandu_ids)}
    arrays = rules.empty_months(len(posyandu_ids))
    fields = rules.MONTH_FIELDS
    rows = (PosyanduMonth.objects.filter(month__year=year, posyandu_id__in=posyandu_ids)
            .values_list("posyandu_id", "month", *fields))
    if len(posyandu_ids) > 5000:  # a whole country: read the year's records once instead of a huge IN list
        rows = PosyanduMonth.objects.filter(month__year=year).values_list("posyandu_id", "month", *fields)
    for row in rows.iterator(chunk_size=20_000):
        i = index.get(row[0])
        if i is None:
            continue
        j = row[1].month - 1
        for f, value in zip(fields, row[2:]):
            if value is not None:
                arrays[f][i, j] = float(value)
    return arrays


def compute(posyandu_ids: list[int], year: int) -> tuple[dict[str, np.ndarray], dict]:
    """Inputs of every posyandu (vectorised) and the rule sets used."""
    if not current(RULESETS[0]):
        load_rulesets()
    arrays = month_arrays(posyandu_ids, year)
    counts = kader_counts_by_posyandu(posyandu_ids, on_date=dt.date(year, 12, 31))
    kader_sk = np.array([counts.get(pk, {}).get("n_sk", 0) for pk in posyandu_ids])
    inputs = rules.yearly_inputs(arrays, kader_sk, months_in_period=max(months_in_period(year), 1))
    return inputs, {code: current(code) for code in RULESETS}


@transaction.atomic
def posyandu_evaluate(*, year: int, posyandu_ids: Iterable[int] | None = None) -> int:
    """(Re-)evaluate posyandu for ``year`` (all that existed that year when ``posyandu_ids`` is None)."""
    qs = posyandu_existing_in(year)
    if posyandu_ids is not None:
        qs = qs.filter(pk__in=list(posyandu_ids))
    ids = sorted(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    inputs, rulesets = compute(ids, year)
    rows = []
    for i, pk in enumerate(ids):
        one = {k: rules._plain(v[i]) for k, v in inputs.items()}
        for code, ruleset in rulesets.items():
            outcome = rules.evaluate(ruleset.definition, one)
            result = outcome.result if isinstance(outcome.result, str) else ("ya" if outcome.result else "tidak")
            rows.append({
                "posyandu_id": pk, "year": year, "ruleset_id": ruleset.pk, "ruleset_code": code, "result": result,
                "inputs": one, "criteria": outcome.criteria, "missing": outcome.missing,
                "next_level": outcome.next_level or "",
            })
    if posyandu_ids is None:  # every posyandu of the year is re-evaluated
        PosyanduEvaluation.objects.filter(year=year).delete()
    else:
        for start in range(0, len(ids), 5000):  # IN lists of bounded size
            PosyanduEvaluation.objects.filter(year=year, posyandu_id__in=ids[start:start + 5000]).delete()
    insert_dicts(PosyanduEvaluation, rows)
    data_changed.send(sender=PosyanduEvaluation, source="assessments",
                      cells={(desa, dt.date(year, 1, 1)) for desa in qs.values_list("desa_id", flat=True).distinct()})
    return len(ids)


def ensure_evaluated(*, year: int, posyandu_queryset) -> int:
    """Evaluate the posyandu of ``posyandu_queryset`` that existed in ``year`` but have no evaluation yet (a
    posyandu without any record that year, or evaluations never built); returns how many were added."""
    existing = posyandu_existing_in(year).filter(pk__in=posyandu_queryset.values("pk"))
    missing = list(existing.exclude(evaluations__year=year).values_list("pk", flat=True))
    if missing:
        posyandu_evaluate(year=year, posyandu_ids=missing)
    return len(missing)


def on_records_changed(sender, posyandu_ids=(), months=None, **kwargs):
    """Re-evaluate the posyandu whose records changed, for the years touched."""
    years = sorted({m.year for m in months}) if months else [timezone.localdate().year]
    for year in years:
        posyandu_evaluate(year=year, posyandu_ids=posyandu_ids)
