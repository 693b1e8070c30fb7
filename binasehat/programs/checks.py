"""Checking incoming programme values, row by row: the one set of checks (and messages) behind the spreadsheet
import, ``POST /api/data-values`` and the DHIS2 dataValueSets import. Each problem is an ``InvalidValue``
saying why in Indonesian, with the field it is about (DHIS2's conflict property)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.periods import Period, PeriodError

from .models import DataElement
from .selectors import is_future
from .services import InvalidValue, NewValue, OrgUnit, can_enter, org_unit_of, parse_value, period_for

#: DHIS2 2.40 ``ValidationUtils.commentIsValid``: at most ``VALUE_MAX_LENGTH`` = 50000 characters.
MAX_COMMENT = 50_000


class RowProblem(InvalidValue):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class ValueChecker:
    """Lookups (elements, units) are made once per checker, not once per row. ``scope`` None is the system."""

    def __init__(self, scope=None):
        self.scope = scope
        self.elements = {e.code: e for e in DataElement.objects.select_related("data_set")}
        self.units: dict[tuple[str, str], OrgUnit | None] = {}
        self.seen: dict[tuple, int] = {}
        self.today = timezone.localdate()

    def element(self, code) -> DataElement:
        code = str(code or "").strip()
        element = self.elements.get(code)
        if element is None:
            raise RowProblem(_("Elemen data %(code)r tidak dikenal.") % {"code": code}, "dataElement")
        return element

    def period(self, text, element: DataElement) -> Period:
        try:
            period = period_for(element.data_set.period_type, Period.parse(str(text or "")))
        except PeriodError:
            raise RowProblem(_("Periode %(p)r tidak dikenal: tulis 2025-10 atau 202510 (bulan), 2025Q4 (triwulan) "
                               "atau 2025 (tahun).") % {"p": text}, "period") from None
        except InvalidValue as exc:
            raise RowProblem(str(exc), "period") from None
        if is_future(period, self.today):
            raise RowProblem(_("Periode %(p)s belum dimulai: data untuk masa depan tidak diterima.") % {"p": period},
                             "period")
        return period

    def unit(self, code, element: DataElement) -> OrgUnit:
        """A unit outside the scope is reported exactly like an unknown one (its existence is not revealed)."""
        code, data_set = str(code or "").strip(), element.data_set
        key = (code, data_set.org_kind)
        if key not in self.units:
            self.units[key] = org_unit_of(code, data_set.org_kind)
        unit = self.units[key]
        if unit is None or not (self.scope is None or self.scope.everything or can_enter(self.scope, unit)):
            raise RowProblem(_("Unit %(u)r tidak dikenal untuk %(ds)s (diisi per %(kind)s) atau di luar wilayah "
                               "Anda.") % {"u": code, "ds": data_set.code, "kind": data_set.get_org_kind_display()},
                             "orgUnit")
        return unit

    def check(self, *, element, period, org_unit, value, comment="", delete: bool = False,
              index: int | None = None) -> NewValue:
        """The value to write (``delete``, or an empty value without a comment, deletes; an empty value with a
        comment sets the comment of the stored value, as DHIS2's ``DataValue.isNullValue``). With ``index`` (the row's
        position), a second row for the same element, unit and period is refused."""
        el = self.element(element)
        p = self.period(period, el)
        unit = self.unit(org_unit, el)
        try:
            number = None if delete else parse_value(el, value)
        except InvalidValue as exc:
            raise RowProblem(str(exc), "value") from None
        comment = str(comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise RowProblem(_("Catatan paling panjang %(n)s karakter.") % {"n": MAX_COMMENT}, "comment")
        if index is not None:
            key = (el.pk, unit.code, str(p))
            if key in self.seen:
                raise RowProblem(_("Nilai ganda: %(de)s, %(u)s, %(p)s sudah ada pada baris ke-%(n)s kiriman ini.")
                                 % {"de": el.code, "u": unit.code, "p": p, "n": self.seen[key]}, "dataValue")
            self.seen[key] = index
        return NewValue(el, unit, p, number, comment, delete=delete)
