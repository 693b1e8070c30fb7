"""`import_data datavalues`: programme data values, one row per data element, unit and period, in the column
layout of DHIS2's dataValueSets CSV (natural key: dataelement + orgunit + period)."""

from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.importing import Importer, RowError, create, parse_bool, register, unchanged, update
from binasehat.core.periods import Period
from binasehat.core.tabular import Row

from .checks import ValueChecker
from .models import DataElement, DataValue
from .selectors import values_q
from .services import InvalidValue, datavalues_write

#: Columns of DHIS2's dataValueSets CSV that carry nothing this system stores: accepted and ignored.
DHIS2_IGNORED = ("categoryoptioncombo", "attributeoptioncombo", "storedby", "lastupdated", "followup")


def _number(value: float | None):
    return int(value) if value is not None and float(value).is_integer() else value


@register
class DataValueImporter(Importer):
    kind = "datavalues"
    label = gettext_lazy("Data program (nilai elemen data)")
    aliases = {
        "dataelement": ("Elemen Data", "Kode Elemen Data"), "period": ("Periode",),
        "orgunit": ("Kode Unit", "Unit", "Unit Organisasi"), "value": ("Nilai",),
        "comment": ("Komentar", "Keterangan"), "deleted": ("Dihapus",),
    }
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
        self.checker = ValueChecker(self.scope)
        #: {(element id, period): {unit code: (value, comment)}} of the values in scope, loaded per pair.
        self.stored: dict[tuple[int, str], dict[str, tuple[float, str]]] = {}

    def stored_of(self, element: DataElement, period: Period) -> dict[str, tuple[float, str]]:
        key = (element.pk, str(period))
        if key not in self.stored:
            self.stored[key] = {unit: (value, comment) for unit, value, comment in DataValue.objects.filter(
                values_q(self.scope), element=element, period=str(period)).values_list("org_unit", "value", "comment")}
        return self.stored[key]

    def check_row(self, row: Row):
        deleted = parse_bool(row.get("deleted"), "deleted", default=False)
        try:
            new = self.checker.check(element=row.get("dataelement"), period=row.get("period"),
                                     org_unit=row.get("orgunit"), value=row.get("value"), comment=row.get("comment"),
                                     delete=deleted)
        except InvalidValue as exc:
            raise RowError(str(exc)) from None
        element, unit, period = new.element, new.unit, new.period
        key = f"{element.code}/{unit.code}/{period}"
        old = self.stored_of(element, period).get(unit.code)
        if deleted:
            if old is None:
                return unchanged(key)
            return update(key, new, {"value": [_number(old[0]), None]})
        if new.comment_only and old is not None:  # DHIS2: null only when value and comment are both empty
            return update(key, new, {"comment": [old[1], new.comment]}) if new.comment != old[1] else unchanged(key)
        if new.value is None:
            raise RowError(_("value kosong. Untuk menghapus nilai yang tersimpan, isi kolom deleted dengan true."))
        if old is None:
            return create(key, new)
        changes = {}
        if old[0] != new.value:
            changes["value"] = [_number(old[0]), _number(new.value)]
        if new.comment and new.comment != old[1]:
            changes["comment"] = [old[1], new.comment]
        return update(key, new, changes) if changes else unchanged(key)

    def write(self, creates, updates):
        datavalues_write(values=[o.data for o in [*creates, *updates]], **self.audit_kwargs())
