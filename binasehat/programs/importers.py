"""`import_data datavalues`: programme data values, one row per data element, unit and period, in the column
layout of DHIS2's dataValueSets CSV (natural key: dataelement + orgunit + period)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.importing import Importer, RowError, create, parse_bool, register, unchanged, update
from binasehat.core.periods import Period, PeriodError
from binasehat.core.tabular import Row

from .models import DataElement, DataValue, OrgKind
from .selectors import is_future, values_q
from .services import InvalidValue, NewValue, OrgUnit, datavalues_write, org_unit_of, parse_value, period_for

#: Columns of DHIS2's dataValueSets CSV that carry nothing this system stores: accepted and ignored.
DHIS2_IGNORED = ("categoryoptioncombo", "attributeoptioncombo", "storedby", "lastupdated", "followup")


def _number(value: float | None):
    return int(value) if value is not None and float(value).is_integer() else value


@register
class DataValueImporter(Importer):
    kind = "datavalues"
    label = gettext_lazy("Data program (nilai elemen data)")
    description = gettext_lazy(
        "Satu baris per elemen data, unit dan periode, dengan kolom seperti CSV dataValueSets DHIS2: dataelement "
        "(kode elemen, mis. TB_NOTIFIKASI), period (2025-10 atau 202510 untuk data bulanan, 2025 untuk tahunan), "
        "orgunit (kode puskesmas atau kode wilayah desa), value, dan comment bila perlu. Baris dengan deleted = "
        "true menghapus nilai yang tersimpan. Kolom DHIS2 lainnya diabaikan.")
    required = ("dataelement", "period", "orgunit", "value")
    optional = ("comment", "deleted", *DHIS2_IGNORED)
    permission = "programs.enter"
    example = [
        {"dataelement": "TB_NOTIFIKASI", "period": "2025-10", "orgunit": "P19030101", "value": "4",
         "comment": "", "deleted": ""},
        {"dataelement": "DBD_KASUS", "period": "202510", "orgunit": "19.03.01.2004", "value": "2",
         "comment": "2 kasus dari RT 03", "deleted": ""},
        {"dataelement": "TB_ESTIMASI_INSIDEN", "period": "2025", "orgunit": "P19030101", "value": "118",
         "comment": "", "deleted": ""},
    ]

    def begin(self):
        self.elements = {e.code: e for e in DataElement.objects.select_related("data_set")}
        self.units: dict[tuple[str, str], OrgUnit | None] = {}
        #: {(element id, period): {unit code: (value, comment)}} of the values in scope, loaded per pair.
        self.stored: dict[tuple[int, str], dict[str, tuple[float, str]]] = {}
        self.today = timezone.localdate()

    def unit_of(self, code: str, org_kind: str) -> OrgUnit | None:
        key = (code, org_kind)
        if key not in self.units:
            self.units[key] = org_unit_of(code, org_kind)
        return self.units[key]

    def in_scope(self, unit: OrgUnit) -> bool:
        return (unit.puskesmas_id is not None and unit.puskesmas_id in self.scope.puskesmas_ids) \
            or self.scope.covers(unit.region_id)

    def stored_of(self, element: DataElement, period: Period) -> dict[str, tuple[float, str]]:
        key = (element.pk, str(period))
        if key not in self.stored:
            self.stored[key] = {unit: (value, comment) for unit, value, comment in DataValue.objects.filter(
                values_q(self.scope), element=element, period=str(period)).values_list("org_unit", "value", "comment")}
        return self.stored[key]

    def check_row(self, row: Row):
        element = self.elements.get(row.get("dataelement"))
        if element is None:
            raise RowError(_("dataelement %(c)r tidak dikenal.") % {"c": row.get("dataelement")})
        data_set = element.data_set
        try:
            period = period_for(data_set.period_type, Period.parse(row.get("period")))
        except PeriodError:
            raise RowError(_("period %(p)r tidak dapat dibaca: tulis 2025-10 atau 202510 (bulan), 2025 (tahun).")
                           % {"p": row.get("period")}) from None
        except InvalidValue as exc:
            raise RowError(str(exc)) from None
        if is_future(period, self.today):
            raise RowError(_("Periode %(p)s belum terjadi.") % {"p": period})
        unit = self.unit_of(row.get("orgunit"), data_set.org_kind)
        if unit is None:
            raise RowError(_("orgunit %(u)r bukan %(kind)s yang dikenal (%(code)s diisi per %(kind)s).") % {
                "u": row.get("orgunit"), "kind": OrgKind(data_set.org_kind).label.lower(), "code": element.code})
        if not self.in_scope(unit):
            raise RowError(_("orgunit %(u)s di luar wilayah Anda.") % {"u": unit.code})
        key = f"{element.code}/{unit.code}/{period}"
        deleted = parse_bool(row.get("deleted"), "deleted", default=False)
        comment = row.get("comment")[:255]
        old = self.stored_of(element, period).get(unit.code)
        if deleted:
            if old is None:
                return unchanged(key)
            return update(key, NewValue(element, unit, period, None), {"value": [_number(old[0]), None]})
        try:
            value = parse_value(element, row.get("value"))
        except InvalidValue as exc:
            raise RowError(str(exc)) from None
        if value is None:
            raise RowError(_("value kosong. Untuk menghapus nilai yang tersimpan, isi kolom deleted dengan true."))
        new = NewValue(element, unit, period, value, comment)
        if old is None:
            return create(key, new)
        changes = {}
        if old[0] != value:
            changes["value"] = [_number(old[0]), _number(value)]
        if comment and comment != old[1]:
            changes["comment"] = [old[1], comment]
        return update(key, new, changes) if changes else unchanged(key)

    def write(self, creates, updates):
        datavalues_write(values=[o.data for o in [*creates, *updates]], **self.audit_kwargs())
