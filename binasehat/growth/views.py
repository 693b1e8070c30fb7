"""Children, their growth charts and status, follow-up lists and prevalence per area and month."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import history_for
from binasehat.core.periods import YTD, Period, PeriodError
from binasehat.core.listing import Column, export_response, paginate, search, wants_export
from binasehat.core.pagecache import cached_page
from binasehat.core.scope import area_scoped, scope_of
from binasehat.regions.models import Region
from binasehat.regions.selectors import region_get, top_regions_for_user

from . import charts, selectors, services
from .forms import MeasurementForm

FOLLOW_UP = {
    "": gettext_lazy("Semua anak"),
    "stunting": gettext_lazy("Stunting (pengukuran terakhir)"),
    "wasting": gettext_lazy("Wasting (pengukuran terakhir)"),
    "tidak_ditimbang": gettext_lazy("Tidak ditimbang 2 bulan"),
    "2t": gettext_lazy("2T: dua kali tidak naik (KBM)"),
}
COLUMNS = [
    Column("nik", gettext_lazy("NIK")), Column("name", gettext_lazy("Nama")), Column("sex", gettext_lazy("JK")),
    Column("birth_date", gettext_lazy("Tanggal lahir")), Column("mother_name", gettext_lazy("Nama ibu")),
    Column("desa_code", gettext_lazy("Kode desa"), lambda c: c.desa_id),
    Column("posyandu_code", gettext_lazy("Kode posyandu"), lambda c: c.posyandu.code if c.posyandu else ""),
    Column("last_measured", gettext_lazy("Terakhir diukur")), Column("pb_tb_u", "PB/U–TB/U", lambda c: c.last_pb_tb_u),
    Column("bb_pb_tb", "BB/PB–BB/TB", lambda c: c.last_bb_pb_tb), Column("bb_u", "BB/U", lambda c: c.last_bb_u),
]


@area_scoped
@cached_page
def child_list(request):
    scope = scope_of(request.user)
    kind = request.GET.get("tindak_lanjut", "")
    qs = selectors.children_for_user(request.user)
    qs = search(qs, request.GET.get("q", ""), ("name", "mother_name", "posyandu__name", "desa__name"))
    qs = selectors.follow_up(qs, kind if kind in FOLLOW_UP else "", timezone.localdate()).order_by("name", "pk")
    if fmt := wants_export(request):
        if not scope.can("individuals.export"):
            raise PermissionDenied
        return export_response(fmt, f"anak-{kind or 'semua'}", COLUMNS, qs.iterator(chunk_size=2000))
    return render(request, "growth/list.html", {
        "page": paginate(request, qs), "q": request.GET.get("q", ""), "kind": kind, "kinds": FOLLOW_UP,
        "can_export": scope.can("individuals.export"),
    })


@area_scoped
def child_detail(request, pk):
    child = selectors.child_get(request.user, pk)
    scope = scope_of(request.user)
    measurements = list(child.measurements.order_by("measured_on"))
    form = None
    if scope.can("posyandu.record"):
        form = MeasurementForm(request.POST or None, child=child)
        if request.method == "POST" and form.is_valid():
            try:
                services.measurement_record(actor=request.user, child=child, data=form.cleaned_data)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Pengukuran tersimpan."))
                return redirect("growth:child", pk=child.pk)
    weights = [(m.age_days, float(m.weight_kg)) for m in measurements if m.weight_kg is not None]
    lengths = [(m.age_days, float(m.lenhei_cm)) for m in measurements if m.lenhei_cm is not None]
    chart_list = [
        charts.age_chart("wfa", child.sex_code, weights, _("Berat badan menurut umur (BB/U)"), "kg"),
        charts.age_chart("lhfa", child.sex_code, lengths, _("Panjang/tinggi badan menurut umur (PB/U–TB/U)"), "cm"),
    ]
    # Weight-for-length below 2 years, weight-for-height from 2 years (the table of the latest measurement).
    older = bool(measurements) and measurements[-1].age_days >= 731
    pairs = [(float(m.lenhei_cm), float(m.weight_kg)) for m in measurements
             if m.lenhei_cm is not None and m.weight_kg is not None and (m.age_days >= 731) == older]
    chart_list.append(charts.length_chart(
        "wfh" if older else "wfl", child.sex_code, pairs,
        _("Berat badan menurut tinggi badan (BB/TB)") if older else _("Berat badan menurut panjang badan (BB/PB)")))
    return render(request, "growth/child.html", {
        "child": child, "measurements": list(reversed(measurements)), "latest": measurements[-1] if measurements else None,
        "charts": chart_list, "form": form, "nik_visible": scope.can("sensitive.view"),
        "history": history_for(child)[:20] if scope.can("audit.view") else None,
    })


def _prevalence_period(request, user) -> Period:
    """``periode`` (2025-07, 2025Q3 or 2025; ``bulan`` as before); by default the month of the latest
    measurement in the user's scope."""
    text = request.GET.get("periode") or request.GET.get("bulan") or ""
    try:
        period = Period.parse(text)
        if period.kind == YTD or period.year > timezone.localdate().year:
            raise PeriodError(text)
        return period
    except PeriodError:
        last = (selectors.measurements_for_user(user).order_by("-measured_on").values_list("measured_on", flat=True)
                .first() or timezone.localdate())
        return Period.month(last.year, last.month)


@area_scoped
def prevalence(request):
    period = _prevalence_period(request, request.user)
    code = request.GET.get("wilayah", "").strip()
    region = region_get(request.user, code) if code else None
    if region is None:
        tops = list(top_regions_for_user(request.user))
        region = tops[0] if len(tops) == 1 else None
    if region is not None and region.level == 4:  # a desa: one row per posyandu
        from binasehat.facilities.selectors import posyandu_for_user

        units = [(p, p.pk) for p in posyandu_for_user(request.user).filter(desa=region)]
        data = selectors.prevalence(request.user, period, None, region.code)
    else:
        areas = list(Region.objects.filter(parent=region).filter(scope_of(request.user).region_q("code"))) \
            if region else list(top_regions_for_user(request.user))
        units = [(a, a.code) for a in areas]
        data = selectors.prevalence(request.user, period, len(areas[0].code) if areas else 2,
                                    region.code if region else None)
    rows = [(unit, data.get(key)) for unit, key in units]
    total = {k: sum((d or {}).get(k, 0) for _c, d in rows) for k in
             ("children", "stunting", "stunting_n", "wasting", "wasting_n", "underweight", "underweight_n",
              "overweight", "overweight_n")}
    year = period.year
    return render(request, "growth/prevalence.html", {
        "rows": rows, "total": total, "region": region, "period": period, "kind": period.kind,
        "month_value": f"{year}-{period.index:02d}" if period.kind == "month" else "",
        "quarters": [Period(year, "quarter", q) for q in range(1, 5)], "year": year,
        "years": list(range(timezone.localdate().year, 2019, -1)),
    })
