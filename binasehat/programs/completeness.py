"""Data set completeness, as DHIS2 counts it: a unit registers a data set complete for a period (``completeDate``
of a data value set, or the entry form); the reporting rate is the share of the units expected to report that
did, and timeliness the share that did within ``TIMELY_DAYS`` after the period ended (DHIS2's data set
``timelyDays``, 15 by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record
from binasehat.core.periods import Period, PeriodError
from binasehat.core.scope import Scope, scope_of

from .models import DataSet, DataSetCompletion, PeriodType
from .services import InvalidValue, can_enter, org_unit_of, org_unit_queryset, period_for

#: DHIS2's default ``timelyDays`` of a data set: a report is on time up to 15 days after its period ends.
TIMELY_DAYS = 15


class CompletionRefused(InvalidValue):
    """The (data set, period, unit) cannot be registered; the message says why."""


def _snapshot(c: DataSetCompletion) -> dict:
    return {"data_set": c.data_set.code, "org_unit": c.org_unit, "period": c.period,
            "completed_on": c.completed_on.isoformat(), "stored_by": c.stored_by}


@transaction.atomic
def completion_register(*, actor, data_set: DataSet, org_unit: str, period: str | Period,
                        completed_on: dt.date | None = None, dry_run: bool = False,
                        source: str = "web") -> DataSetCompletion | None:
    """Register ``data_set`` complete for the unit ``org_unit`` (a code) and ``period`` on ``completed_on``
    (default today; never later than today). Registering again moves the date. ``actor`` None is the system."""
    unit = org_unit_of(org_unit, data_set.org_kind)
    if unit is None:
        raise CompletionRefused(_("Unit %(u)s tidak dikenal untuk %(ds)s.") % {"u": org_unit, "ds": data_set.code})
    scope = getattr(actor, "scope", None)
    if scope is not None and not can_enter(scope, unit):
        raise PermissionDenied(_("Anda tidak boleh mengisi data untuk %(u)s.") % {"u": unit.code})
    try:
        p = period_for(data_set.period_type, period if isinstance(period, Period) else Period.parse(str(period)))
    except (PeriodError, InvalidValue):
        raise CompletionRefused(_("Periode %(p)s tidak sah untuk %(ds)s.") % {"p": period, "ds": data_set.code}) \
            from None
    today = timezone.localdate()
    completed_on = min(completed_on or today, today)
    if p.start > today:
        raise CompletionRefused(_("Periode %(p)s belum dimulai.") % {"p": p})
    if dry_run:
        return None
    stored_by = getattr(actor, "username", "") or source
    old = DataSetCompletion.objects.select_for_update().filter(data_set=data_set, org_unit=unit.code,
                                                               period=str(p)).first()
    if old is not None:
        before = _snapshot(old)
        old.completed_on, old.stored_by, old.completed_by_id = completed_on, stored_by, getattr(actor, "pk", None)
        old.registered_at = timezone.now()
        old.save()
        audit_record(actor=actor, action="update", obj=old, before=before, after=_snapshot(old),
                     area_code=unit.region_id, source=source)
        return old
    try:
        with transaction.atomic():
            new = DataSetCompletion.objects.create(
                data_set=data_set, org_unit=unit.code, region_id=unit.region_id, puskesmas_id=unit.puskesmas_id,
                period=str(p), period_start=p.start, completed_on=completed_on, stored_by=stored_by,
                completed_by_id=getattr(actor, "pk", None))
    except IntegrityError:  # registered by someone else at the same moment: theirs stands
        return DataSetCompletion.objects.get(data_set=data_set, org_unit=unit.code, period=str(p))
    audit_record(actor=actor, action="create", obj=new, after=_snapshot(new), area_code=unit.region_id,
                 source=source)
    return new


@dataclass(frozen=True)
class ReportingRate:
    """One data set over one period and area: DHIS2's ``REPORTING_RATE`` (actual ÷ expected × 100) and
    ``REPORTING_RATE_ON_TIME`` (on time ÷ expected × 100). ``expected`` is units × the data set's periods inside
    the period asked (a monthly set over a year: 12 per unit)."""

    data_set: DataSet
    period: Period
    expected: int
    actual: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return 100.0 * self.actual / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return 100.0 * self.on_time / self.expected if self.expected else None


def _unit_codes(scope: Scope, data_set: DataSet, area: str | None):
    """The codes of the units of the data set's kind the scope has in ``area``, as a query (never read into
    Python): the area an index range of codes (``aggregates.subtree``), not a list of thousands of codes."""
    from binasehat.indicators.aggregates import subtree

    qs, field = org_unit_queryset(scope, data_set.org_kind)
    return (qs.filter(subtree(area, field)) if area else qs).values("code")


def _periods_inside(data_set: DataSet, period: Period) -> list[Period]:
    """The data set's own periods inside ``period``: its months, or the year it lies in for a yearly set."""
    if data_set.period_type == PeriodType.YEAR:
        return [Period(period.year)]
    return [Period.month(m // 12, m % 12 + 1) for m in period.months()]


def reporting_rates(user, *, period: Period, area: str | None = None,
                    data_sets: Sequence[str] | None = None) -> list[ReportingRate]:
    """Reporting rate and timeliness of each data set the user has units for, over ``period`` (a month, a
    quarter or a year) in ``area`` (a region code; None: the user's whole scope). Only periods that have ended
    are expected (the running month is not late yet)."""
    scope = scope_of(user)
    today = timezone.localdate()
    out = []
    qs = DataSet.objects.order_by("sort", "code")
    if data_sets:
        qs = qs.filter(code__in=list(data_sets))
    for ds in qs:
        units = _unit_codes(scope, ds, area)
        n_units = units.count()
        if not n_units:
            continue
        periods = [p for p in _periods_inside(ds, period) if p.end < today]
        expected = n_units * len(periods)
        actual = on_time = 0
        if periods:
            q = Q(pk__in=[])
            for p in periods:
                q |= Q(period=str(p), completed_on__lte=p.end + dt.timedelta(days=TIMELY_DAYS))
            counts = DataSetCompletion.objects.filter(
                data_set=ds, org_unit__in=units, period__in=[str(p) for p in periods]).aggregate(
                actual=Count("pk"), on_time=Count("pk", filter=q))
            actual, on_time = counts["actual"], counts["on_time"]
        out.append(ReportingRate(ds, period, expected, actual, on_time))
    return out
