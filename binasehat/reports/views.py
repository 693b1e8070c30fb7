"""Reports: the Pokjanal recap (screen, XLSX, PDF) and a posyandu's year with its stratum and the reasons."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from binasehat.assessments.selectors import evaluation_pair, provisional_through
from binasehat.core.params import year_param
from binasehat.core.listing import pdf_response, xlsx_report
from binasehat.core.pagecache import cached_page
from binasehat.core.scope import area_scoped, scope_of
from binasehat.facilities.selectors import posyandu_get
from binasehat.posyandu.models import PosyanduMonth
from binasehat.regions.models import Region
from binasehat.regions.selectors import letterhead_for, region_get, top_regions_for_user

from .selectors import STRATA, pokjanal_recap

STRATA_COLOURS = {"Pratama": "#dc2626", "Madya": "#eab308", "Purnama": "#16a34a", "Mandiri": "#2563eb"}


def _year(request) -> int:
    """The year asked for (2000 to this year); last year when absent or odd."""
    today = timezone.localdate()
    return year_param(request, default=today.year, last=today.year)


def _years(today_year: int) -> list[int]:
    first = PosyanduMonth.objects.order_by("month").values_list("month__year", flat=True).first() or today_year
    return list(range(today_year, first - 1, -1))


@area_scoped
@cached_page
def pokjanal(request):
    year = _year(request)
    code = request.GET.get("wilayah", "").strip()
    region = region_get(request.user, code) if code else None
    rows, total = pokjanal_recap(request.user, year, region)
    if region is None and len(rows) == 1 and rows[0].link_code:
        region = region_get(request.user, rows[0].link_code)
        rows, total = pokjanal_recap(request.user, year, region)
    context = {
        "year": year, "years": _years(timezone.localdate().year), "region": region, "rows": rows, "total": total,
        "strata": STRATA, "colours": STRATA_COLOURS, "provisional": provisional_through(year),
        "ancestors": Region.objects.filter(code__in=region.ancestor_codes()).filter(
            scope_of(request.user).region_q("code")) if region else [],
        "level_name": (_("Posyandu") if region and region.level == 4 else
                       (region.child_level_name if region else _("Wilayah"))),
        "generated": timezone.localtime(),
    }
    fmt = request.GET.get("format")
    filename = f"rekap-posyandu-{region.code if region else 'semua'}-{year}"
    if fmt == "xlsx":
        return _xlsx(context, filename)
    if fmt == "pdf":
        top = region or top_regions_for_user(request.user).first()
        context.update(letterhead=letterhead_for(top.code if top else None), area_name=top.name if top else "")
        return pdf_response(request, "reports/pokjanal_pdf.html", context, filename)
    return render(request, "reports/pokjanal.html", context)


def _xlsx(context, filename):
    region = context["region"]
    header = [str(context["level_name"]), _("Desa/kel."), _("Posyandu")]
    for s in STRATA:
        header += [s, f"% {s}"]
    header += [_("Posyandu aktif"), _("% aktif"), _("Kader"), _("Kader aktif"), "S", "K", "D", "N", "D/S %", "N/D %"]

    def rows():
        for r in [*context["rows"], context["total"]]:
            values = [r.name if r is not context["total"] else _("Jumlah"), r.desa, r.posyandu]
            for s in STRATA:
                values += [r.strata[s], r.strata_pct[s]]
            yield values + [r.aktif, r.aktif_pct, r.kader, r.kader_active, r.s, r.k, r.d, r.n, r.ds, r.nd]

    return xlsx_report(
        filename=filename, sheet=str(context["year"]), header=header, rows=rows(), number_format="0.0",
        title=_("Rekapitulasi posyandu %(area)s tahun %(year)s") % {
            "area": region.name if region else _("wilayah Anda"), "year": context["year"]},
        note=_("Persentase dihitung dari jumlah (bukan rerata persentase). Sumber: laporan bulanan posyandu dan "
               "register kader.") + ((" " + _("Penilaian sementara s.d. %(month)s.") % {
                   "month": date_format(context["provisional"], "F Y")}) if context["provisional"] else ""),
        widths=[(0, 0, 28), (1, len(header), 9)],
    )


@area_scoped
def posyandu_year(request, pk):
    posyandu = posyandu_get(request.user, pk)
    year = _year(request)
    records = {m.month.month: m for m in PosyanduMonth.objects.filter(posyandu=posyandu, month__year=year)}
    from binasehat.growth.selectors import weighed_per_posyandu_month

    weighed = weighed_per_posyandu_month(posyandu.pk, year)
    months = [(i, records.get(i), weighed.get(i)) for i in range(1, 13)]
    evaluations = evaluation_pair(posyandu, year)
    from binasehat.cadres.selectors import kader_for_user, levels_for
    from binasehat.posyandu.services import can_record

    kader = list(kader_for_user(request.user).filter(posyandu=posyandu))
    levels = levels_for([k.pk for k in kader])
    today = timezone.localdate()
    return render(request, "reports/posyandu_year.html", {
        "posyandu": posyandu, "year": year, "years": _years(today.year), "months": months,
        "strata": evaluations.get("posyandu-strata-2011"), "aktif": evaluations.get("posyandu-aktif"),
        "kader": [(k, levels.get(k.pk)) for k in kader], "can_record": can_record(request.user, posyandu),
        "colours": STRATA_COLOURS, "current_month": (today.year, today.month),
        "provisional": provisional_through(year),
        "sensitive": scope_of(request.user).can("sensitive.view"),
    })
