"""Reads of programme data, always through the acting user's scope: the data sets a user has units for, the
stored values of those units, and how complete a period is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from binasehat.core.periods import Period
from binasehat.core.scope import Scope, scope_of

from .models import DataSet, DataSetCompletion, DataValue, PeriodType
from .services import OrgUnit, org_units_for


def values_q(scope: Scope) -> Q:
    """Values whose region lies inside the scope, or whose puskesmas the user is bound to."""
    q = scope.region_q("region__code")
    if scope.puskesmas_ids:
        q |= Q(puskesmas_id__in=sorted(scope.puskesmas_ids))
    return q


def datavalues_for(user) -> QuerySet[DataValue]:
    """Every stored value the user may see, newest periods first."""
    return (DataValue.objects.filter(values_q(scope_of(user)))
            .select_related("element", "element__data_set", "region", "puskesmas")
            .order_by("-period_start", "element__data_set__sort", "element__sort", "org_unit"))


def datavalues_filtered(user, *, data_set: str = "", element: str = "", period: str = "", area: str = "",
                        org_unit: str = "") -> QuerySet[DataValue]:
    """``datavalues_for`` narrowed by data set code, element code, period (a year also keeps its months), area
    code (that area and below) and organisation unit code. Empty filters keep everything."""
    qs = datavalues_for(user)
    if data_set:
        qs = qs.filter(element__data_set__code=data_set)
    if element:
        qs = qs.filter(element__code=element)
    if period:
        try:
            p = Period.parse(period)
        except ValueError:
            return qs.none()
        qs = qs.filter(period=str(p)) if p.kind != "year" else qs.filter(Q(period=str(p)) | Q(period__startswith=f"{p}-"))
    if area:
        qs = qs.filter(Q(region__code=area) | Q(region__code__startswith=area + "."))
    if org_unit:
        qs = qs.filter(org_unit=org_unit)
    return qs


def units_by_kind(user) -> dict[str, list[OrgUnit]]:
    """{org kind: the user's units of that kind} for the kinds data sets are filled per."""
    scope = scope_of(user)
    return {kind: org_units_for(scope, kind) for kind in set(DataSet.objects.values_list("org_kind", flat=True))}


def data_sets_for(user, units: dict[str, list[OrgUnit]] | None = None) -> list[DataSet]:
    """Data sets for which the user has at least one organisation unit in scope."""
    units = units_by_kind(user) if units is None else units
    return [ds for ds in DataSet.objects.order_by("sort", "code") if units.get(ds.org_kind)]


def data_set_with_units(user, code: str) -> tuple[DataSet, list[OrgUnit]]:
    """One data set the user has units for, and those units; any other code answers 404."""
    data_set = DataSet.objects.filter(code=code).first() if isinstance(code, str) else None
    units = org_units_for(scope_of(user), data_set.org_kind) if data_set is not None else []
    if not units:
        raise Http404
    return data_set, units


def data_set_get(user, code: str) -> DataSet:
    """One data set the user has units for; any other code answers 404."""
    return data_set_with_units(user, code)[0]


def default_period(period_type: str, today: dt.date | None = None) -> Period:
    """The period a form opens on: the last complete month, or the year that month belongs to (yearly targets
    are entered for the running year)."""
    today = today or timezone.localdate()
    last_month = Period.of_date(today).previous()
    return last_month if period_type == PeriodType.MONTH else Period(last_month.year)


def is_future(period: Period, today: dt.date | None = None) -> bool:
    return period.start > (today or timezone.localdate())


@dataclass(frozen=True)
class Completeness:
    data_set: DataSet
    period: Period
    filled: int  # units with at least one value of the data set in the period
    units: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.filled / self.units if self.units else None


def completeness(user, data_set: DataSet, period: Period, units: list[OrgUnit] | None = None) -> Completeness:
    """How many of the user's units of this data set have at least one value in ``period``."""
    if units is None:
        units = org_units_for(scope_of(user), data_set.org_kind)
    codes = [u.code for u in units]
    filled = (DataValue.objects.filter(element__data_set=data_set, period=str(period), org_unit__in=codes)
              .values("org_unit").distinct().count()) if codes else 0
    return Completeness(data_set, period, filled, len(codes))


def stored_values(data_set: DataSet, unit: OrgUnit, period: Period) -> dict[str, DataValue]:
    """{element code: value} stored for one unit and period (the caller has checked the unit is in scope)."""
    return {dv.element.code: dv for dv in DataValue.objects.filter(
        element__data_set=data_set, org_unit=unit.code, period=str(period)).select_related("element")}


def stored_versions(data_set: DataSet, unit: OrgUnit, period: Period) -> dict[str, int]:
    """{element code: version} of the values of one unit and period, deleted ones included (the entry form sends
    these back so that a change made meanwhile by someone else is not overwritten)."""
    return dict(DataValue.all_objects.filter(element__data_set=data_set, org_unit=unit.code, period=str(period))
                .values_list("element__code", "version"))


def completion_of(data_set: DataSet, unit: OrgUnit, period: Period) -> DataSetCompletion | None:
    """The completion registered for one unit and period (the caller has checked the unit is in scope)."""
    return DataSetCompletion.objects.filter(data_set=data_set, org_unit=unit.code, period=str(period)).first()
