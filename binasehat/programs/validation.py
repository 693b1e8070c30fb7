"""Validation of programme data (DHIS2 "Validation rules" and "Outlier detection").

* :func:`load_rules` keeps the shipped rules (``reference/validation_rules.json``) in the database.
* :func:`run_rules` evaluates rules per organisation unit and period over the stored values the user may see:
  a monthly rule uses each month's values, and the year's value of a yearly element; a yearly rule uses yearly
  values only (DHIS2 uses values whose period contains the rule's period). A unit and period is evaluated
  when it has a value for one of the rule's elements of the rule's own period type.
* :func:`outliers` scores each data element × unit series of the last N periods (all years for yearly data
  sets) with one query per data set, vectorised over all series at once.
* :func:`validation_run` stores what both found as :class:`ValidationResult` rows (keeping the follow-up of
  a violation still present, dropping the ones that are gone); :func:`result_follow_up` marks one followed up.
* :func:`results_for` is the scoped read for the page and the export.

The arithmetic is in :mod:`validation_rules` (pure, tested against hand-worked cases).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core.periods import Period, date_ordinal, month_ordinal, ordinal_date

from . import validation_rules as vr
from .models import DataElement, DataSet, DataValue, MinMax, PeriodType, ValidationResult, ValidationRule
from .selectors import values_q

log = logging.getLogger("binasehat.validation")

RULES_FILE = Path(__file__).resolve().parent / "reference" / "validation_rules.json"
METHODS = ("z", "modified_z", "minmax")
#: Outliers have no rule to say how important they are.
OUTLIER_IMPORTANCE = ValidationRule.Importance.MEDIUM


# --- the shipped rules ------------------------------------------------------------------------------

def rules_definition() -> dict:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def _rule_fields(spec: dict) -> dict:
    return {
        "name": spec["name"], "name_en": spec.get("name_en", ""), "instruction": spec["instruction"],
        "importance": spec["importance"], "period_type": spec["period_type"], "operator": spec["operator"],
        "left_expression": spec["left"]["expression"], "left_description": spec["left"].get("description", ""),
        "left_missing": spec["left"].get("missing", vr.SKIP_IF_ANY_VALUE_MISSING),
        "right_expression": spec["right"]["expression"], "right_description": spec["right"].get("description", ""),
        "right_missing": spec["right"].get("missing", vr.SKIP_IF_ANY_VALUE_MISSING),
    }


def load_rules(**kwargs) -> None:
    """Create the shipped rules, and update the ones still as shipped; a rule the district edited in the admin
    (``from_reference`` cleared) is left as the district made it."""
    existing = {r.code: r for r in ValidationRule.objects.all()}
    for spec in rules_definition()["rules"]:
        fields = _rule_fields(spec)
        rule = existing.get(spec["code"])
        if rule is None:
            ValidationRule.objects.create(code=spec["code"], from_reference=True, **fields)
        elif rule.from_reference and any(getattr(rule, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(rule, k, v)
            rule.save()


# --- scope ------------------------------------------------------------------------------------------

def unit_q(user, area: str | None = None) -> Q:
    """Rows (data values, min–max bounds, results: fields ``org_unit``, ``region_id``, ``puskesmas_id``) of units
    inside the user's scope (everything for ``None``: the system) and inside ``area`` (a region code, or a
    unit code)."""
    q = Q()
    if user is not None and not user.scope.everything:
        q = values_q(user.scope)
    if area:
        q &= Q(org_unit=area) | Q(region__code=area) | Q(region__code__startswith=area + ".")
    return q


def _data_set(data_set) -> DataSet | None:
    if data_set is None or isinstance(data_set, DataSet):
        return data_set
    return DataSet.objects.get(code=data_set)


def _elements() -> dict[str, DataElement]:
    return {e.code: e for e in DataElement.objects.select_related("data_set")}


# --- rules ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Violation:
    rule: ValidationRule
    data_set: DataSet
    org_unit: str
    region_id: str
    puskesmas_id: int | None
    period: Period
    left: float | None
    right: float | None

    @property
    def key(self) -> str:
        return f"r{self.rule.pk}|{self.org_unit}|{self.period}"


def rules_for(data_set=None, *, active_only: bool = True) -> list[ValidationRule]:
    """Rules that use an element of ``data_set`` (every rule without one)."""
    qs = ValidationRule.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    rules = list(qs)
    data_set = _data_set(data_set)
    if data_set is not None:
        codes = set(data_set.elements.values_list("code", flat=True))
        rules = [r for r in rules if codes & set(r.element_codes())]
    return rules


def _periods_of(periods: Iterable[Period]) -> tuple[list[int], list[int]]:
    """Months (ordinals) monthly rules run for, and years yearly rules run for (years fully covered)."""
    months = sorted({m for p in periods for m in p.months()})
    have = set(months)
    years = sorted({ordinal_date(m).year for m in months
                    if all(month_ordinal(ordinal_date(m).year, i) in have for i in range(1, 13))})
    return months, years


def _main_data_set(rule: ValidationRule, codes: Sequence[str], elements: dict[str, DataElement]) -> DataSet | None:
    sets = [elements[c].data_set for c in codes if c in elements]
    native = [s for s in sets if s.period_type == rule.period_type]
    return (native or sets or [None])[0]


class _Grid:
    """Stored values as unit × period matrices, one per element."""

    def __init__(self, rows, elements_by_id: dict[int, DataElement], months: list[int], years: list[int]):
        self.units: dict[str, int] = {}
        self.meta: list[tuple[str, int | None]] = []
        self.months, self.years = months, years
        month_col = {m: i for i, m in enumerate(months)}
        year_col = {y: i for i, y in enumerate(years)}
        cells: list[tuple[str, int, int, float]] = []
        for element_id, unit, region_id, puskesmas_id, start, value in rows:
            element = elements_by_id[element_id]
            if unit not in self.units:
                self.units[unit] = len(self.meta)
                self.meta.append((region_id, puskesmas_id))
            if element.data_set.period_type == PeriodType.MONTH:
                col = month_col.get(date_ordinal(start))
            else:
                col = year_col.get(start.year)
            if col is not None:
                cells.append((element.code, self.units[unit], col, value))
        self.monthly: dict[str, np.ndarray] = {}
        self.yearly: dict[str, np.ndarray] = {}
        kinds = {e.code: e.data_set.period_type for e in elements_by_id.values()}
        n = len(self.meta)
        for code, u, col, value in cells:
            target = self.monthly if kinds[code] == PeriodType.MONTH else self.yearly
            if code not in target:
                width = len(months) if kinds[code] == PeriodType.MONTH else len(years)
                target[code] = np.full((n, width), np.nan)
            target[code][u, col] = value
        self.unit_codes = list(self.units)

    def for_months(self, codes) -> dict[str, np.ndarray]:
        """Values per (unit, month); a yearly element gives its year's value in every month of the year."""
        year_col = {y: i for i, y in enumerate(self.years)}
        cols = np.array([year_col[ordinal_date(m).year] for m in self.months], dtype=int)
        out = {c: self.monthly[c] for c in codes if c in self.monthly}
        out.update({c: self.yearly[c][:, cols] for c in codes if c in self.yearly})
        return out

    def for_years(self, codes, years: list[int]) -> dict[str, np.ndarray]:
        cols = [self.years.index(y) for y in years]
        return {c: self.yearly[c][:, cols] for c in codes if c in self.yearly}


def run_rules(user, *, data_set=None, periods: Sequence[Period], area: str | None = None,
              rules: Sequence[ValidationRule] | None = None) -> list[Violation]:
    """Violations of the (active) rules of ``data_set`` in ``periods`` for the units the user may see."""
    elements = _elements()
    rules = list(rules) if rules is not None else rules_for(data_set)
    compiled = []
    for rule in rules:
        try:
            compiled.append((rule, vr.parse(rule.left_expression), vr.parse(rule.right_expression)))
        except vr.ExpressionError as e:
            log.warning("validation rule %s cannot be read: %s", rule.code, e)
    months, full_years = _periods_of(periods)
    if not compiled or not months:
        return []
    codes = {c for _r, left, right in compiled for c in left.codes + right.codes if c in elements}
    monthly_ids = [elements[c].pk for c in codes if elements[c].data_set.period_type == PeriodType.MONTH]
    yearly_ids = [elements[c].pk for c in codes if elements[c].data_set.period_type == PeriodType.YEAR]
    years = sorted({ordinal_date(m).year for m in months})
    rows = list(DataValue.objects.filter(
        Q(element_id__in=monthly_ids, period_start__in=[ordinal_date(m) for m in months])
        | Q(element_id__in=yearly_ids, period_start__in=[dt.date(y, 1, 1) for y in years]))
        .filter(unit_q(user, area))
        .values_list("element_id", "org_unit", "region_id", "puskesmas_id", "period_start", "value"))
    if not rows:
        return []
    grid = _Grid(rows, {e.pk: e for e in elements.values()}, months, years)
    found: list[Violation] = []
    for rule, left, right in compiled:
        rule_codes = [c for c in dict.fromkeys(left.codes + right.codes) if c in elements]
        main = _main_data_set(rule, rule_codes, elements)
        if main is None:
            continue
        if rule.period_type == PeriodType.MONTH:
            values, periods_out = grid.for_months(rule_codes), [Period.of_date(ordinal_date(m)) for m in months]
        else:
            if not full_years:
                continue
            values, periods_out = grid.for_years(rule_codes, full_years), [Period(y) for y in full_years]
        shape = (len(grid.unit_codes), len(periods_out))
        native = [c for c in rule_codes if elements[c].data_set.period_type == rule.period_type] or rule_codes
        present = np.zeros(shape, dtype=bool)
        for c in native:
            if c in values:
                present |= ~np.isnan(values[c])
        lv = vr.side_value(left, values, rule.left_missing, shape=shape)
        rv = vr.side_value(right, values, rule.right_missing, shape=shape)
        bad = vr.violations(rule.operator, lv, rv, rule.left_missing, rule.right_missing) & present
        for u, p in zip(*np.nonzero(bad)):
            region_id, puskesmas_id = grid.meta[u]
            found.append(Violation(rule=rule, data_set=main, org_unit=grid.unit_codes[u], region_id=region_id,
                                   puskesmas_id=puskesmas_id, period=periods_out[p],
                                   left=vr.round_value(lv[u, p]), right=vr.round_value(rv[u, p])))
    found.sort(key=lambda v: (v.period, v.org_unit, v.rule.code))
    return found


# --- outliers ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outlier:
    element: DataElement
    org_unit: str
    region_id: str
    puskesmas_id: int | None
    period: Period
    value: float
    method: str
    #: z or modified z (None for min–max).
    score: float | None
    #: Mean (z, min–max) or median (modified z) of the other values.
    centre: float | None
    #: Values are never negative, so a generated lower bound below 0 is shown as 0.
    lower: float | None
    upper: float | None

    @property
    def key(self) -> str:
        return f"o{self.element.pk}|{self.method}|{self.org_unit}|{self.period}"


def _window(data_set: DataSet, end_period: Period, n_periods: int) -> tuple[dt.date | None, dt.date]:
    """First and last period start of the series: the last ``n_periods`` months, or every year so far."""
    if data_set.period_type == PeriodType.MONTH:
        last = end_period.last_month
        return ordinal_date(last - max(n_periods, 1) + 1), ordinal_date(last)
    return None, dt.date(end_period.year, 1, 1)


def _window_q(data_set: DataSet, end_period: Period, n_periods: int) -> Q:
    first, last = _window(data_set, end_period, n_periods)
    q = Q(period_start__lte=last)
    return q & Q(period_start__gte=first) if first else q


def outliers(user, *, data_set=None, end_period: Period, n_periods: int = 12, method: str = "z",
             threshold: float = 3.0, area: str | None = None) -> list[Outlier]:
    """Outlying values of each data element × unit series ending at ``end_period`` (one query per data set)."""
    if method not in METHODS:
        raise ValueError(f"unknown outlier method {method!r}")
    data_set = _data_set(data_set)
    sets = [data_set] if data_set else list(DataSet.objects.all())
    elements = {e.pk: e for e in _elements().values()}
    found: list[Outlier] = []
    for ds in sets:
        ids = [pk for pk, e in elements.items() if e.data_set_id == ds.pk]
        rows = list(DataValue.objects.filter(_window_q(ds, end_period, n_periods), element_id__in=ids)
                    .filter(unit_q(user, area))
                    .values_list("element_id", "org_unit", "region_id", "puskesmas_id", "period_start", "value"))
        if rows:
            found += _series_outliers(ds, elements, rows, user, area, method, threshold)
    found.sort(key=lambda o: (o.period, o.org_unit, o.element.code))
    return found


def _series_outliers(ds, elements, rows, user, area, method, threshold) -> list[Outlier]:
    monthly = ds.period_type == PeriodType.MONTH
    series: dict[tuple[int, str], int] = {}
    meta: list[tuple[str, int | None]] = []
    columns = sorted({date_ordinal(r[4]) if monthly else r[4].year for r in rows})
    col = {c: i for i, c in enumerate(columns)}
    matrix_cells = []
    for element_id, unit, region_id, puskesmas_id, start, value in rows:
        key = (element_id, unit)
        if key not in series:
            series[key] = len(meta)
            meta.append((region_id, puskesmas_id))
        matrix_cells.append((series[key], col[date_ordinal(start) if monthly else start.year], value))
    x = np.full((len(meta), len(columns)), np.nan)
    for s, c, value in matrix_cells:
        x[s, c] = value
    if method == "z":
        scores = vr.zscores(x, threshold)
        bad, lower, upper = vr.flagged(scores, threshold), scores.lower, scores.upper
    elif method == "modified_z":
        scores = vr.modified_zscores(x, threshold)
        bad, lower, upper = vr.flagged(scores, threshold), scores.lower, scores.upper
    else:
        stored_lo, stored_hi = np.full(len(meta), np.nan), np.full(len(meta), np.nan)
        for element_id, unit, lo, hi in (MinMax.objects.filter(element__data_set=ds).filter(unit_q(user, area))
                                         .values_list("element_id", "org_unit", "min_value", "max_value")):
            s = series.get((element_id, unit))
            if s is not None:
                stored_lo[s] = np.nan if lo is None else lo
                stored_hi[s] = np.nan if hi is None else hi
        scores = vr.zscores(x, threshold)
        lower, upper = vr.minmax_bounds(x, stored_lo, stored_hi, k=threshold)
        bad = vr.outside(x, lower, upper)
    keys = list(series)
    out = []
    for s, c in zip(*np.nonzero(bad)):
        element_id, unit = keys[s]
        region_id, puskesmas_id = meta[s]
        period = Period.month(ordinal_date(columns[c]).year, ordinal_date(columns[c]).month) if monthly \
            else Period(columns[c])
        out.append(Outlier(
            element=elements[element_id], org_unit=unit, region_id=region_id, puskesmas_id=puskesmas_id,
            period=period, value=float(x[s, c]), method=method,
            score=None if method == "minmax" else vr.round_value(scores.score[s, c]),
            centre=vr.round_value(scores.centre[s, c]),
            lower=vr.round_value(np.fmax(lower[s, c], 0.0) if not np.isnan(lower[s, c]) else None),
            upper=vr.round_value(upper[s, c])))
    return out


# --- storing results --------------------------------------------------------------------------------

@dataclass
class RunSummary:
    violations: list[Violation]
    outliers: list[Outlier]
    created: int = 0
    kept: int = 0
    removed: int = 0


def _check_can_run(actor) -> None:
    if actor is not None and not actor.scope.can("programs.enter"):
        raise PermissionDenied(_("Peran Anda tidak boleh menjalankan validasi."))


def _violation_fields(v: Violation) -> dict:
    return {"kind": ValidationResult.Kind.RULE, "rule": v.rule, "element": None, "data_set": v.data_set,
            "method": "", "importance": v.rule.importance, "org_unit": v.org_unit, "region_id": v.region_id,
            "puskesmas_id": v.puskesmas_id, "period": str(v.period), "period_start": v.period.start,
            "left_value": v.left, "right_value": v.right, "score": None, "lower_bound": None, "upper_bound": None}


def _outlier_fields(o: Outlier) -> dict:
    return {"kind": ValidationResult.Kind.OUTLIER, "rule": None, "element": o.element,
            "data_set_id": o.element.data_set_id, "method": o.method, "importance": OUTLIER_IMPORTANCE,
            "org_unit": o.org_unit, "region_id": o.region_id, "puskesmas_id": o.puskesmas_id,
            "period": str(o.period), "period_start": o.period.start, "left_value": o.value,
            "right_value": o.centre, "score": o.score, "lower_bound": o.lower, "upper_bound": o.upper}


_VALUE_FIELDS = ["left_value", "right_value", "score", "lower_bound", "upper_bound", "importance", "data_set_id",
                 "last_found_at"]


def _refresh(coverage: Q, found: dict[str, dict], now) -> tuple[int, int, int]:
    """Make the stored results inside ``coverage`` equal to ``found`` (key → fields), keeping the follow-up of
    the ones that are still there. Returns (created, kept, removed)."""
    existing = {r.key: r for r in ValidationResult.objects.filter(coverage).select_for_update()}
    gone = [r.pk for key, r in existing.items() if key not in found]
    outside = [k for k in found if k not in existing]
    for i in range(0, len(outside), 500):  # a key already stored by a run of another coverage
        existing.update({r.key: r for r in ValidationResult.objects.filter(key__in=outside[i:i + 500])})
    if gone:
        ValidationResult.objects.filter(pk__in=gone).delete()
    creates, updates = [], []
    for key, fields in found.items():
        row = existing.get(key)
        if row is None:
            creates.append(ValidationResult(key=key, last_found_at=now, **fields))
            continue
        for name, value in fields.items():
            setattr(row, name, value)
        row.last_found_at = now
        updates.append(row)
    ValidationResult.objects.bulk_create(creates, batch_size=1000, ignore_conflicts=True)
    if updates:
        ValidationResult.objects.bulk_update(updates, _VALUE_FIELDS, batch_size=1000)
    return len(creates), len(updates), len(gone)


@transaction.atomic
def validation_run(*, actor, periods: Sequence[Period], data_set=None, area: str | None = None,
                   with_outliers: bool = False, method: str = "z", threshold: float = 3.0,
                   n_periods: int = 12) -> RunSummary:
    """Run the rules (and the outlier detection ending at the last of ``periods``) over what the actor may see
    and store the results. ``actor=None`` is the system (command line): everything."""
    _check_can_run(actor)
    data_set = _data_set(data_set)
    now = timezone.now()
    all_rules = rules_for(data_set, active_only=False)
    active = [r for r in all_rules if r.active]
    violations = run_rules(actor, data_set=data_set, periods=periods, area=area, rules=active)
    months, years = _periods_of(periods)
    coverage = Q(pk__in=[])
    if months:
        coverage |= Q(rule__in=[r.pk for r in all_rules if r.period_type == PeriodType.MONTH],
                      period__in=[str(Period.of_date(ordinal_date(m))) for m in months])
    if years:
        coverage |= Q(rule__in=[r.pk for r in all_rules if r.period_type == PeriodType.YEAR],
                      period__in=[str(y) for y in years])
    scope_q = unit_q(actor, area)
    summary = RunSummary(violations=violations, outliers=[])
    counts = [_refresh(Q(kind=ValidationResult.Kind.RULE) & coverage & scope_q,
                       {v.key: _violation_fields(v) for v in violations}, now)]
    if with_outliers and periods:
        end = max(periods, key=lambda p: p.last_month)
        summary.outliers = outliers(actor, data_set=data_set, end_period=end, n_periods=n_periods, method=method,
                                    threshold=threshold, area=area)
        sets = [data_set] if data_set else list(DataSet.objects.all())
        window = Q(pk__in=[])
        for ds in sets:
            window |= Q(data_set=ds) & _window_q(ds, end, n_periods)
        counts.append(_refresh(Q(kind=ValidationResult.Kind.OUTLIER, method=method) & window & scope_q,
                               {o.key: _outlier_fields(o) for o in summary.outliers}, now))
    summary.created = sum(c[0] for c in counts)
    summary.kept = sum(c[1] for c in counts)
    summary.removed = sum(c[2] for c in counts)
    return summary


def rule_results_refresh(*, rule) -> int:
    """Recompute the stored results of ``rule`` for every period it has results in (none left when the rule is
    no longer active). Returns how many results it has now."""
    results = ValidationResult.objects.filter(kind=ValidationResult.Kind.RULE, rule=rule)
    period_texts = sorted(set(results.values_list("period", flat=True)))
    if not period_texts:
        return 0
    periods = [Period.parse(p) for p in period_texts]
    violations = run_rules(None, periods=periods, rules=[rule] if rule.active else [])
    found = {v.key: _violation_fields(v) for v in violations if str(v.period) in period_texts}
    _refresh(Q(kind=ValidationResult.Kind.RULE, rule=rule, period__in=period_texts), found, timezone.now())
    return ValidationResult.objects.filter(kind=ValidationResult.Kind.RULE, rule=rule).count()


# --- reading and following up -----------------------------------------------------------------------

def results_for(user, *, data_set: str = "", period: Period | None = None, importance: str = "",
                status: str = "", kind: str = "", area: str = "") -> QuerySet:
    """Stored results the user may see, filtered; ``period`` keeps results whose period lies inside it."""
    qs = ValidationResult.objects.filter(unit_q(user, area or None))
    if data_set:
        qs = qs.filter(data_set__code=data_set)
    if period is not None:
        qs = qs.filter(period_start__gte=period.start, period_start__lte=period.end)
    if importance:
        qs = qs.filter(importance=importance)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    # Newest period first; within it rule violations ("rule" > "outlier") before outliers.
    return qs.select_related("rule", "element", "data_set", "region", "puskesmas", "followed_up_by").order_by(
        "-period_start", "-kind", "org_unit", "key")


_FOLLOW_UP_FIELDS = ["status", "note", "followed_up_by_id", "followed_up_at"]


@transaction.atomic
def result_follow_up(*, actor, result: ValidationResult, note: str, source: str = "web") -> ValidationResult:
    """Mark a result as followed up, with what was done (audited)."""
    note = (note or "").strip()
    if actor is not None:
        _check_can_run(actor)
        if not results_for(actor).filter(pk=result.pk).exists():
            raise PermissionDenied(_("Hasil validasi ini di luar wilayah kerja Anda."))
    if not note:
        raise ValidationError(_("Tuliskan tindak lanjut yang sudah dilakukan."))
    row = ValidationResult.objects.select_for_update().get(pk=result.pk)
    before = snapshot(row, _FOLLOW_UP_FIELDS)
    row.status = ValidationResult.Status.FOLLOWED_UP
    row.note = note[:2000]
    row.followed_up_by = actor if getattr(actor, "pk", None) else None
    row.followed_up_at = timezone.now()
    row.save(update_fields=["status", "note", "followed_up_by", "followed_up_at"])
    audit_record(actor=actor, action="update", obj=row, before=before, after=snapshot(row, _FOLLOW_UP_FIELDS),
                 area_code=row.region_id, source=source)
    return row
