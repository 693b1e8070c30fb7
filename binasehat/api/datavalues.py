"""Checking rows of programme data sent to ``POST /api/data-values`` before they are written with
``programs.services.datavalues_write``: every row gets a reason in Indonesian when it cannot be stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from binasehat.core.periods import Period, PeriodError
from binasehat.programs.models import DataElement
from binasehat.programs.selectors import is_future
from binasehat.programs.services import InvalidValue, NewValue, can_enter, org_unit_of, parse_value, period_for


@dataclass
class Checked:
    values: list[NewValue] = field(default_factory=list)
    #: (row number from 1, the row as sent, reason)
    conflicts: list[tuple[int, dict, str]] = field(default_factory=list)


def check_rows(user, rows: list[dict]) -> Checked:
    """Split ``rows`` ({dataElement, period, orgUnit, value, comment}) into values to write and conflicts. A unit
    outside the user's scope is reported exactly like an unknown one (its existence is not revealed)."""
    scope = user.scope
    elements = {e.code: e for e in DataElement.objects.select_related("data_set")
                .filter(code__in={str(r.get("dataElement") or "").strip() for r in rows})}
    units: dict[tuple[str, str], object] = {}
    seen: set[tuple] = set()
    out = Checked()
    for number, row in enumerate(rows, start=1):
        try:
            value = _check_row(row, scope, elements, units, seen)
        except InvalidValue as e:
            out.conflicts.append((number, row, str(e)))
        else:
            out.values.append(value)
    return out


def _check_row(row: dict, scope, elements: dict, units: dict, seen: set) -> NewValue:
    code = str(row.get("dataElement") or "").strip()
    element = elements.get(code)
    if element is None:
        raise InvalidValue(_("Elemen data %(code)r tidak dikenal.") % {"code": code})
    data_set = element.data_set
    try:
        period = period_for(data_set.period_type, Period.parse(str(row.get("period") or "")))
    except PeriodError:
        raise InvalidValue(_("Periode %(p)r tidak dikenal: tulis 2025-10 atau 202510 (bulan), 2025 (tahun).")
                           % {"p": row.get("period")}) from None
    if is_future(period):
        raise InvalidValue(_("Periode %(p)s belum dimulai: data untuk masa depan tidak diterima.") % {"p": period})
    unit_code = str(row.get("orgUnit") or "").strip()
    key = (unit_code, data_set.org_kind)
    if key not in units:
        units[key] = org_unit_of(unit_code, data_set.org_kind)
    unit = units[key]
    if unit is None or not can_enter(scope, unit):
        raise InvalidValue(_("Unit %(u)r tidak dikenal untuk %(ds)s (diisi per %(kind)s) atau di luar wilayah Anda.")
                           % {"u": unit_code, "ds": data_set.code, "kind": data_set.get_org_kind_display()})
    number = parse_value(element, row.get("value"))
    comment = str(row.get("comment") or "").strip()
    if len(comment) > 255:
        raise InvalidValue(_("Catatan paling panjang 255 karakter."))
    natural_key = (element.pk, unit.code, str(period))
    if natural_key in seen:
        raise InvalidValue(_("Baris ganda: %(de)s, %(u)s, %(p)s sudah ada di kiriman ini.")
                           % {"de": element.code, "u": unit.code, "p": period})
    seen.add(natural_key)
    return NewValue(element=element, unit=unit, period=period, value=number, comment=comment)
