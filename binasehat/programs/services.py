"""Writing programme data values: one function for the entry form, the spreadsheet import and the DHIS2
import. Scoped, atomic, audited; the indicators are told which (area, month) cells changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
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


def org_unit_queryset(scope, org_kind: str):
    """(queryset, its region field) of the units of this kind the scope may enter data for."""
    if org_kind == OrgKind.PUSKESMAS:
        return Puskesmas.objects.filter(scope.puskesmas_q()), "kecamatan_id"
    level = 4 if org_kind == OrgKind.DESA else 2
    return Region.objects.filter(level=level).filter(scope.region_q("code")), "code"


def org_units_for(scope, org_kind: str) -> list[OrgUnit]:
    """Units of this kind the scope may enter data for."""
    qs, _field = org_unit_queryset(scope, org_kind)
    if org_kind == OrgKind.PUSKESMAS:
        return [OrgUnit(p.code, p.kecamatan_id, p.pk, p.name) for p in qs.order_by("name")]
    return [OrgUnit(r.code, r.code, None, r.name) for r in qs.order_by("code")]


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
    #: The version the writer last saw (0: nothing stored); None: no check (imports, which overwrite).
    version: int | None = None
    #: DHIS2's ``followup``; None keeps the stored flag.
    followup: bool | None = None
    #: DHIS2's ``storedBy`` of an imported value; empty: the acting user's name.
    stored_by: str = ""

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
    #: Values equal to what is stored, and deletions of values that are not stored (DHIS2 counts them ignored).
    unchanged: int = 0
    cells: set = field(default_factory=set)
    #: Comment-only values for which nothing is stored to attach the comment to (written nowhere).
    without_value: list = field(default_factory=list)


class WriteConflict(InvalidValue):
    """Someone else changed or created the same value meanwhile: nothing was written. ``stale`` lists
    ``(new value, version the writer saw, version stored now)``."""

    def __init__(self, message: str, stale: list | None = None):
        super().__init__(message)
        self.stale = stale or []


def _key(element_id: int, unit_code: str, period: str) -> tuple:
    return element_id, unit_code, period


def _state(dv: DataValue) -> dict:
    return {"value": dv.value, "comment": dv.comment, "followup": dv.followup, "deleted": dv.deleted,
            "version": dv.version}


def stale_message(stale: list) -> str:
    return _("Data ini baru saja diubah orang lain; tidak ada yang disimpan. Muat ulang formulir, periksa nilainya, "
             "lalu simpan lagi: %(items)s.") % {"items": "; ".join(
        _("%(de)s %(u)s %(p)s: versi yang Anda lihat %(seen)s, versi tersimpan %(now)s")
        % {"de": v.element.code, "u": v.unit.code, "p": v.period, "seen": seen, "now": now}
        for v, seen, now in stale)}


@transaction.atomic
def datavalues_write(*, actor, values: list[NewValue], source: str = "web", import_job_id: int | None = None,
                     dry_run: bool = False) -> WriteSummary:
    """Create, update or delete values (natural key: element, unit, period). Values equal to what is stored
    are left alone. With ``dry_run`` nothing is written; the summary says what would happen.

    Deleting is a soft delete (``deleted``, a new ``version`` and ``last_updated``), so that exports with
    ``includeDeleted`` pass the deletion on; writing a deleted value again brings it back (counted imported, as
    DHIS2 does). A value carrying the ``version`` its writer saw is refused, with everything else in the call, by
    ``WriteConflict`` when the stored version differs; two writers creating the same value at once: the second
    gets ``WriteConflict`` too, never a database error."""
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
    elements = {v.element.pk: v.element for v in values}
    for v in values:
        by_element.setdefault(v.element.pk, set()).add(v.unit.code)
    periods = {str(v.period) for v in values}
    for element_id, units in by_element.items():
        qs = DataValue.all_objects.filter(element_id=element_id, org_unit__in=sorted(units),
                                          period__in=sorted(periods))
        if not dry_run:
            qs = qs.select_for_update()
        for dv in qs:
            dv.element = elements[dv.element_id]  # the caller's element: no query when the value is named (audit)
            existing[_key(dv.element_id, dv.org_unit, dv.period)] = dv
    stale = []
    for v in values:
        if v.version is not None:
            old = existing.get(_key(v.element.pk, v.unit.code, str(v.period)))
            now_version = old.version if old is not None else 0
            if now_version != v.version:
                stale.append((v, v.version, now_version))
    if stale:
        raise WriteConflict(stale_message(stale), stale)
    creates, changed, audits = [], [], []
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or source
    now = timezone.now()
    for v in values:
        key = _key(v.element.pk, v.unit.code, str(v.period))
        old = existing.get(key)
        live = old if old is not None and not old.deleted else None
        if v.deletes:
            if live is None:
                summary.unchanged += 1
                continue
            before = _state(live)
            live.deleted = True
            summary.deleted += 1
            action = "delete"
        elif v.comment_only:
            if live is None:
                summary.without_value.append(v)
                continue
            if v.comment == live.comment:
                summary.unchanged += 1
                continue
            before = _state(live)
            live.comment = v.comment
            summary.updated += 1
            changed.append(live)
            audits.append({"action": "update", "obj": live, "before": before, "after": _state(live),
                           "area_code": live.region_id})
            _touch(live, v, actor_id, actor_name, now)
            continue
        elif old is None:
            dv = DataValue(element=v.element, org_unit=v.unit.code, region_id=v.unit.region_id,
                           puskesmas_id=v.unit.puskesmas_id, period=str(v.period), period_start=v.period.start,
                           value=v.value, comment=v.comment, followup=bool(v.followup),
                           stored_by=v.stored_by or actor_name, updated_by_id=actor_id, created=now,
                           last_updated=now)
            creates.append(dv)
            existing[key] = dv
            summary.imported += 1
            _add_cell(summary, v.unit.region_id, v.unit.code if v.unit.puskesmas_id else None, v.period.start)
            continue
        elif live is None:  # a deleted value written again
            before = _state(old)
            old.deleted, old.value, old.comment = False, v.value, v.comment
            old.followup = bool(v.followup)
            live, action = old, "update"
            summary.imported += 1
        elif (live.value != v.value or (v.comment and v.comment != live.comment)
              or (v.followup is not None and v.followup != live.followup)):
            before = _state(live)
            live.value = v.value
            if v.comment:
                live.comment = v.comment
            if v.followup is not None:
                live.followup = v.followup
            action = "update"
            summary.updated += 1
        else:
            summary.unchanged += 1
            continue
        _touch(live, v, actor_id, actor_name, now)
        changed.append(live)
        audits.append({"action": action, "obj": live, "before": before,
                       "after": None if action == "delete" else _state(live), "area_code": live.region_id})
        _add_cell(summary, live.region_id, live.org_unit if live.puskesmas_id else None, live.period_start)
    if dry_run:
        return summary
    if creates:
        try:
            with transaction.atomic():
                DataValue.all_objects.bulk_create(creates, batch_size=2000)
        except IntegrityError:
            raise WriteConflict(_("Nilai yang sama baru saja disimpan orang lain pada saat yang sama; tidak ada yang "
                                  "disimpan. Muat ulang lalu periksa nilainya.")) from None
        if creates[0].pk is None:  # SQLite and PostgreSQL return keys; other backends may not
            for dv in creates:
                dv.pk = DataValue.all_objects.get(element_id=dv.element_id, org_unit=dv.org_unit, period=dv.period).pk
        audits.extend({"action": "create", "obj": dv, "after": _state(dv), "area_code": dv.region_id}
                      for dv in creates)
    if changed:
        DataValue.all_objects.bulk_update(changed, ["value", "comment", "followup", "deleted", "version", "stored_by",
                                                    "updated_by_id", "last_updated"], batch_size=2000)
    audit_bulk(audits, actor=actor, source=source, import_job_id=import_job_id)
    if summary.cells:
        data_changed.send(sender=DataValue, source="programs", cells=sorted(summary.cells))
    return summary


def _touch(dv: DataValue, v: NewValue, actor_id, actor_name: str, now) -> None:
    dv.version += 1
    dv.updated_by_id, dv.stored_by, dv.last_updated = actor_id, v.stored_by or actor_name, now


def _add_cell(summary: WriteSummary, region_id: str, puskesmas_code: str | None, start) -> None:
    summary.cells.add((aggregate_key(region_id, puskesmas_code), start))


# --- validation rules (settings the district owns) ------------------------------------------------------------

RULE_FIELDS = ["name", "name_en", "instruction", "importance", "period_type", "left_expression", "left_description",
               "left_missing", "operator", "right_expression", "right_description", "right_missing", "active"]


def rule_version(rule) -> str:
    from binasehat.core.district_settings import version_of
    from binasehat.core.audit import snapshot

    return version_of(snapshot(rule, [*RULE_FIELDS, "from_reference"]))


@transaction.atomic
def validation_rule_save(*, actor, rule=None, code: str = "", data: dict, version: str | None = None,
                         source: str = "web"):
    """Create a validation rule (``rule`` None, with ``code``) or change one (``version``: ``rule_version`` of the
    form the user edited; another one raises ``VersionConflict``). An edited shipped rule is no longer overwritten
    by the reference file. The rule's stored results are recomputed for the periods they cover, so the
    validation page never shows verdicts of the rule as it was. Audited."""
    from django.core.exceptions import ValidationError

    from binasehat.core import district_settings
    from binasehat.core.audit import audit_record, snapshot

    from .models import ValidationRule

    district_settings.require(actor)
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if rule is None:
        code = code.strip()
        if not code:
            raise ValidationError({"code": _("Isi kode aturan.")})
        if ValidationRule.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Kode aturan %(code)s sudah dipakai.") % {"code": code}})
        stored, before = ValidationRule(code=code), None
    else:
        stored = ValidationRule.objects.select_for_update().get(pk=rule.pk)
        district_settings.check_version(version, rule_version(stored))
        before = snapshot(stored, [*RULE_FIELDS, "from_reference"])
    for k, v in data.items():
        setattr(stored, k, v)
    stored.full_clean(exclude=["code"] if rule is not None else None)
    stored.from_reference = False
    after = snapshot(stored, [*RULE_FIELDS, "from_reference"])
    if before == after:
        return stored
    stored.save()
    audit_record(actor=actor, action="create" if before is None else "update", obj=stored, before=before,
                 after=after, source=source)
    if before is not None:
        from .validation import rule_results_refresh

        rule_results_refresh(rule=stored)
    return stored

