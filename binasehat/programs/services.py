"""Writing programme data values: one function for the entry form, the spreadsheet import and the DHIS2
import. Scoped, atomic, audited; the indicators are told which (area, month) cells changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_bulk
from binasehat.core.events import data_changed
from binasehat.core.periods import Period
from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region

from .models import DataElement, DataValue, OrgKind, PeriodType


class InvalidValue(ValueError):
    """A value cannot be stored; the message says why, in Indonesian."""


@dataclass(frozen=True)
class OrgUnit:
    code: str
    region_id: str
    puskesmas_id: int | None = None
    name: str = ""


def org_unit_of(code: str, org_kind: str) -> OrgUnit | None:
    """The organisation unit with this code for a data set filled per ``org_kind``, or None."""
    code = (code or "").strip()
    if org_kind == OrgKind.PUSKESMAS:
        p = Puskesmas.objects.filter(code=code).only("code", "kecamatan_id", "name").first()
        return OrgUnit(p.code, p.kecamatan_id, p.pk, p.name) if p else None
    level = 4 if org_kind == OrgKind.DESA else 2
    r = Region.objects.filter(code=code, level=level).only("code", "name").first()
    return OrgUnit(r.code, r.code, None, r.name) if r else None


def org_units_for(scope, org_kind: str) -> list[OrgUnit]:
    """Units of this kind the scope may enter data for."""
    if org_kind == OrgKind.PUSKESMAS:
        return [OrgUnit(p.code, p.kecamatan_id, p.pk, p.name)
                for p in Puskesmas.objects.filter(scope.puskesmas_q()).order_by("name")]
    level = 4 if org_kind == OrgKind.DESA else 2
    return [OrgUnit(r.code, r.code, None, r.name)
            for r in Region.objects.filter(level=level).filter(scope.region_q("code")).order_by("code")]


def aggregate_key(region_code: str, puskesmas_code: str | None = None) -> str:
    """Where a value is summed in the indicator aggregates: its region, or for a puskesmas' own data
    ``<kecamatan>.#<puskesmas code>`` — below the kecamatan (so it counts in the kecamatan and every area above),
    never mistaken for a desa, and kept apart per puskesmas for its wilayah kerja."""
    return f"{region_code}.#{puskesmas_code}" if puskesmas_code else region_code


def can_enter(scope, unit: OrgUnit) -> bool:
    if not scope.can("programs.enter"):
        return False
    if unit.puskesmas_id is not None and unit.puskesmas_id in scope.puskesmas_ids:
        return True
    return scope.covers(unit.region_id)


def period_for(data_set_period_type: str, period: Period) -> Period:
    """The period a data set accepts: months for monthly sets, years for yearly ones."""
    if data_set_period_type == PeriodType.MONTH and period.kind != "month":
        raise InvalidValue(_("Kumpulan data ini diisi per bulan (misalnya 2025-10), bukan %(p)s.") % {"p": period})
    if data_set_period_type == PeriodType.YEAR and period.kind != "year":
        raise InvalidValue(_("Kumpulan data ini diisi per tahun (misalnya 2025), bukan %(p)s.") % {"p": period})
    return period


def parse_value(element: DataElement, text) -> float | None:
    """A number ≥ 0 (whole for counts); empty means no value. Decimal comma accepted."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        number = float(text)
    else:
        raw = str(text).strip().replace(" ", "")
        if raw == "":
            return None
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            number = float(raw)
        except ValueError:
            raise InvalidValue(_("%(code)s: %(v)r bukan angka.") % {"code": element.code, "v": text}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidValue(_("%(code)s: %(v)r bukan angka.") % {"code": element.code, "v": text})
    if number < 0:
        raise InvalidValue(_("%(code)s: nilai tidak boleh negatif (%(v)s).") % {"code": element.code, "v": text})
    if element.value_type == DataElement.ValueType.INTEGER and number != int(number):
        raise InvalidValue(_("%(code)s: harus bilangan bulat (%(v)s).") % {"code": element.code, "v": text})
    return number


@dataclass(frozen=True)
class NewValue:
    element: DataElement
    unit: OrgUnit
    period: Period
    #: None with no comment deletes the stored value; None with a comment keeps the stored value and sets the
    #: comment (DHIS2's ``DataValue.isNullValue``: a value is null only when value and comment are both empty).
    value: float | None
    comment: str = ""
    #: Delete whatever the value and comment say (DHIS2's ``deleted: true`` or ``importStrategy=DELETE``).
    delete: bool = False

    @property
    def deletes(self) -> bool:
        return self.delete or (self.value is None and not self.comment)

    @property
    def comment_only(self) -> bool:
        return not self.delete and self.value is None and bool(self.comment)


@dataclass
class WriteSummary:
    imported: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    cells: set = field(default_factory=set)
    #: Comment-only values for which nothing is stored to attach the comment to (written nowhere).
    without_value: list = field(default_factory=list)


def _key(element_id: int, unit_code: str, period: str) -> tuple:
    return element_id, unit_code, period


@transaction.atomic
def datavalues_write(*, actor, values: list[NewValue], source: str = "web", import_job_id: int | None = None,
                     dry_run: bool = False) -> WriteSummary:
    """Create, update or delete values (natural key: element, unit, period). Values equal to what is stored
    are left alone. With ``dry_run`` nothing is written; the summary says what would happen."""
    scope = getattr(actor, "scope", None)
    if scope is not None:
        for v in values:
            if not can_enter(scope, v.unit):
                raise PermissionDenied(_("Anda tidak boleh mengisi data untuk %(u)s.") % {"u": v.unit.code})
    summary = WriteSummary()
    if not values:
        return summary
    existing: dict[tuple, DataValue] = {}
    by_element: dict[int, set[str]] = {}
    for v in values:
        by_element.setdefault(v.element.pk, set()).add(v.unit.code)
    periods = {str(v.period) for v in values}
    for element_id, units in by_element.items():
        qs = DataValue.objects.filter(element_id=element_id, org_unit__in=sorted(units), period__in=sorted(periods))
        if not dry_run:
            qs = qs.select_for_update()
        for dv in qs:
            existing[_key(dv.element_id, dv.org_unit, dv.period)] = dv
    creates, updates, deletes, audits = [], [], [], []
    actor_id = getattr(actor, "pk", None)
    for v in values:
        key = _key(v.element.pk, v.unit.code, str(v.period))
        old = existing.get(key)
        if v.deletes:
            if old is not None:
                deletes.append(old)
                audits.append({"action": "delete", "obj": old, "before": {"value": old.value, "comment": old.comment},
                               "area_code": old.region_id})
            else:
                summary.unchanged += 1
            continue
        if v.comment_only:
            if old is None:
                summary.without_value.append(v)
                continue
            if v.comment == old.comment:
                summary.unchanged += 1
                continue
            audits.append({"action": "update", "obj": old, "before": {"value": old.value, "comment": old.comment},
                           "after": {"value": old.value, "comment": v.comment}, "area_code": old.region_id})
            old.comment, old.updated_by_id, old.updated_at = v.comment, actor_id, timezone.now()
            updates.append(old)
            continue
        if old is None:
            dv = DataValue(element=v.element, org_unit=v.unit.code, region_id=v.unit.region_id,
                           puskesmas_id=v.unit.puskesmas_id, period=str(v.period), period_start=v.period.start,
                           value=v.value, comment=v.comment, updated_by_id=actor_id)
            creates.append(dv)
            existing[key] = dv
        elif old.value != v.value or (v.comment and v.comment != old.comment):
            audits.append({"action": "update", "obj": old, "before": {"value": old.value, "comment": old.comment},
                           "after": {"value": v.value, "comment": v.comment or old.comment},
                           "area_code": old.region_id})
            old.value, old.updated_by_id, old.updated_at = v.value, actor_id, timezone.now()
            if v.comment:
                old.comment = v.comment
            updates.append(old)
        else:
            summary.unchanged += 1
            continue
        summary.cells.add((aggregate_key(v.unit.region_id, v.unit.code if v.unit.puskesmas_id else None),
                           v.period.start))
    for old in deletes:
        summary.cells.add((aggregate_key(old.region_id, old.org_unit if old.puskesmas_id else None),
                           old.period_start))
    summary.imported, summary.updated, summary.deleted = len(creates), len(updates), len(deletes)
    if dry_run:
        return summary
    if creates:
        DataValue.objects.bulk_create(creates, batch_size=2000)
        if creates[0].pk is None:  # SQLite and PostgreSQL return keys; other backends may not
            for dv in creates:
                dv.pk = DataValue.objects.get(element_id=dv.element_id, org_unit=dv.org_unit, period=dv.period).pk
        audits.extend({"action": "create", "obj": dv, "after": {"value": dv.value, "comment": dv.comment},
                       "area_code": dv.region_id} for dv in creates)
    if updates:
        DataValue.objects.bulk_update(updates, ["value", "comment", "updated_by_id", "updated_at"], batch_size=2000)
    if deletes:
        DataValue.objects.filter(pk__in=[d.pk for d in deletes]).delete()
    audit_bulk(audits, actor=actor, source=source, import_job_id=import_job_id)
    if summary.cells:
        data_changed.send(sender=DataValue, source="programs", cells=sorted(summary.cells))
    return summary
