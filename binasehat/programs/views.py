"""Programme data pages: the data sets with how complete they are, the entry form of one data set for one
unit and period, and the list (and export) of stored values."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.listing import Column, export_response, paginate, search, wants_export
from binasehat.core.periods import Period, PeriodError
from binasehat.core.scope import area_scoped, scope_of

from . import selectors
from .forms import EntryForm
from .models import DataSet, PeriodType
from .services import InvalidValue, NewValue, WriteConflict, datavalues_write, period_for


@area_scoped
def index(request):
    """Each data set the user has units for, with how many of them reported the current period."""
    units = selectors.units_by_kind(request.user)
    rows = []
    for ds in selectors.data_sets_for(request.user, units):
        period = selectors.default_period(ds.period_type)
        rows.append(selectors.completeness(request.user, ds, period, units[ds.org_kind]))
    return render(request, "programs/index.html", {
        "rows": rows, "can_enter": scope_of(request.user).can("programs.enter"),
    })


def _period_from(request, data_set: DataSet) -> tuple[Period, str]:
    """The period asked for (``?period=``), or the default one; with the reason it cannot be entered."""
    text = request.GET.get("period", "").strip()
    if not text:
        return selectors.default_period(data_set.period_type), ""
    try:
        period = period_for(data_set.period_type, Period.parse(text))
    except (PeriodError, InvalidValue) as exc:
        if isinstance(exc, PeriodError):
            message = _("Periode %(p)r tidak dikenal: tulis %(example)s.") % {
                "p": text, "example": "2025-10" if data_set.period_type == PeriodType.MONTH else "2025"}
        else:
            message = str(exc)
        return selectors.default_period(data_set.period_type), message
    if selectors.is_future(period):
        return period, _("Periode %(p)s belum terjadi; datanya belum dapat diisi.") % {"p": period}
    return period, ""


def entry_url(data_set: DataSet, unit_code: str, period: Period) -> str:
    return reverse("programs:entry", args=[data_set.code]) + "?" + urlencode({"unit": unit_code, "period": str(period)})


def _unit_options(units, chosen) -> str:
    """The unit picker's options, written in one pass (a district has hundreds of desa: a template loop over
    them was most of the entry page's rendering)."""
    return format_html_join("", '<option value="{}"{}>{} ({})</option>', (
        (u.code, " selected" if chosen is not None and u.code == chosen.code else "", u.name, u.code)
        for u in units))


@area_scoped(permission="programs.enter")
def entry(request, dataset_code):
    """One data set for one unit and period: one number per element; saved all or nothing."""
    data_set, units = selectors.data_set_with_units(request.user, dataset_code)
    code = request.GET.get("unit", "").strip()
    if code:
        unit = next((u for u in units if u.code == code), None)
        if unit is None:
            raise Http404
    else:
        unit = units[0] if len(units) == 1 else None
    period, period_problem = _period_from(request, data_set)
    elements = list(data_set.elements.order_by("sort", "code"))
    stored = selectors.stored_values(data_set, unit, period) if unit and not period_problem else {}
    versions = selectors.stored_versions(data_set, unit, period) if unit and not period_problem else {}
    form = None
    if unit is not None and not period_problem:
        form = EntryForm(request.POST if request.method == "POST" else None, elements=elements, stored=stored,
                         versions=versions)
    if request.method == "POST":
        if form is None:
            messages.error(request, period_problem or _("Pilih unit terlebih dahulu."))
        elif form.is_valid():
            values = [NewValue(e, unit, period, form.cleaned_data[e.code], version=form.version_of(e))
                      for e in elements]
            try:
                summary = datavalues_write(actor=request.user, values=values, source="web")
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("Anda tidak berhak mengisi data ini."))
            except WriteConflict as exc:
                form.add_error(None, str(exc))
            else:
                if request.POST.get("complete"):
                    from .completeness import completion_register

                    completion_register(actor=request.user, data_set=data_set, org_unit=unit.code, period=period,
                                        source="web")
                messages.success(request, _(
                    "Data %(unit)s periode %(period)s tersimpan: %(new)s baru, %(changed)s diubah, %(deleted)s "
                    "dihapus, %(same)s tetap.") % {
                    "unit": unit.name or unit.code, "period": period, "new": summary.imported,
                    "changed": summary.updated, "deleted": summary.deleted, "same": summary.unchanged})
                return redirect(entry_url(data_set, unit.code, period))
    return render(request, "programs/entry.html", {
        "data_set": data_set, "units": units, "unit": unit, "unit_options": _unit_options(units, unit),
        "period": period, "period_problem": period_problem,
        "form": form, "monthly": data_set.period_type == PeriodType.MONTH,
        "completion": selectors.completion_of(data_set, unit, period) if unit and not period_problem else None,
        "values_url": reverse("programs:values") + "?" + urlencode(
            {"dataset": data_set.code, "unit": unit.code if unit else "", "period": str(period)}),
    })


#: The export is an import file of kind ``datavalues`` (DHIS2's dataValueSets CSV column names).
EXPORT_COLUMNS = [
    Column("dataelement", gettext_lazy("Kode elemen data"), lambda v: v.element.code),
    Column("period", gettext_lazy("Periode"), lambda v: v.period),
    Column("orgunit", gettext_lazy("Kode unit"), lambda v: v.org_unit),
    Column("value", gettext_lazy("Nilai"), lambda v: int(v.value) if float(v.value).is_integer() else v.value),
    Column("comment", gettext_lazy("Catatan"), lambda v: v.comment),
]
SEARCH_FIELDS = ("element__code", "element__name", "org_unit", "region__name", "puskesmas__name", "comment")


@area_scoped
def completeness(request):
    """Reporting rate and timeliness of each data set (DHIS2's reporting rates) for a period and an area in the
    user's scope; the default is the year of the last complete month, over the user's whole scope."""
    from .completeness import TIMELY_DAYS, reporting_rates

    scope = scope_of(request.user)
    text = request.GET.get("period", "").strip()
    problem = ""
    try:
        period = Period.parse(text) if text else Period(selectors.default_period(PeriodType.MONTH).year)
    except PeriodError:
        period, problem = Period(selectors.default_period(PeriodType.MONTH).year), _(
            "Periode %(p)r tidak dikenal: tulis 2025-10, 2025Q4 atau 2025.") % {"p": text}
    area = request.GET.get("wilayah", "").strip()
    if area and not (scope.covers(area) or scope.everything):
        raise Http404
    rows = reporting_rates(request.user, period=period, area=area or None)
    return render(request, "programs/completeness.html", {
        "rows": rows, "period": period, "area": area, "problem": problem, "timely_days": TIMELY_DAYS,
    })


@area_scoped
def values(request):
    """Stored values, searchable and filtered by data set, period and area; exports re-import unchanged."""
    filters = {
        "data_set": request.GET.get("dataset", "").strip(),
        "element": request.GET.get("element", "").strip(),
        "period": request.GET.get("period", "").strip(),
        "area": request.GET.get("wilayah", "").strip(),
        "org_unit": request.GET.get("unit", "").strip(),
    }
    queryset = search(selectors.datavalues_filtered(request.user, **filters), request.GET.get("q", ""), SEARCH_FIELDS)
    if fmt := wants_export(request):
        return export_response(fmt, "nilai-data-program", EXPORT_COLUMNS, queryset.iterator(chunk_size=2000))
    return render(request, "programs/values.html", {
        "page": paginate(request, queryset), "q": request.GET.get("q", ""), "filters": filters,
        "data_sets": selectors.data_sets_for(request.user),
    })
