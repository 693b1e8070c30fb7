"""Families and their IKS, the area report (IKS and the 12 coverages, trend, ranking; XLSX/PDF) and home-visit
lists."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binasehat.core.audit import history_for
from binasehat.core.disclosure import small, suppressed
from binasehat.core.params import int_param, year_param
from binasehat.core.listing import (
    Column,
    export_response,
    paginate,
    pdf_response,
    search,
    wants_export,
    xlsx_report,
)
from binasehat.core.pagecache import cached_page
from binasehat.core.scope import area_scoped, scope_of
from binasehat.regions.models import Region
from binasehat.regions.selectors import region_get, top_regions_for_user

from . import rules, selectors, services
from .models import Answer

CATEGORY = {rules.SEHAT: gettext_lazy("Sehat"), rules.PRA_SEHAT: gettext_lazy("Pra-sehat"),
            rules.TIDAK_SEHAT: gettext_lazy("Tidak sehat")}
INDICATORS = [(i, short, full, who) for i, short, full, who in rules.INDICATORS]


def _no_family_for_kader(request):
    if scope_of(request.user).posyandu_ids is not None:
        raise Http404


def _year(request, years: list[int]) -> int:
    """The year asked for when it has surveys; else the latest surveyed year (this year when none)."""
    return year_param(request, choices=years, default=years[0] if years else timezone.localdate().year)


def _iks_text(f):
    return rules.ratio_text(f.last_y, f.last_y + f.last_t, 3, ",") if f.last_complete and (f.last_y or f.last_t) else ""


LIST_COLUMNS = [
    Column("no_kk", gettext_lazy("No. KK")), Column("head_name", gettext_lazy("Kepala keluarga")),
    Column("desa_code", gettext_lazy("Kode desa"), lambda f: f.desa_id), Column("rw", "RW"), Column("rt", "RT"),
    Column("address", gettext_lazy("Alamat")), Column("last_visit", gettext_lazy("Kunjungan terakhir")),
    Column("iks", "IKS", lambda f: _iks_text(f)),
    Column("category", gettext_lazy("Kategori"), lambda f: str(CATEGORY.get(f.last_category or "", ""))),
]


@area_scoped
def family_list(request):
    _no_family_for_kader(request)
    scope = scope_of(request.user)
    qs = selectors.families_for_user(request.user)
    qs = search(qs, request.GET.get("q", ""), ("head_name", "no_kk", "desa__name", "address"))
    kategori = request.GET.get("kategori", "")
    qs = selectors.with_latest_survey(qs)
    if kategori in CATEGORY:
        qs = qs.filter(last_category=kategori)
    qs = qs.order_by("desa_id", "rw", "rt", "head_name", "pk")
    if fmt := wants_export(request):
        if not scope.can("individuals.export"):
            raise PermissionDenied
        return export_response(fmt, "keluarga", LIST_COLUMNS, qs.iterator(chunk_size=2000))
    page = paginate(request, qs)
    sensitive = scope.can("sensitive.view")
    for f in page.object_list:
        # the IKS value beside the visible answers would give the hidden ones (diagnoses) back: category only
        f.iks_text = _iks_text(f) if sensitive else ""
        f.category_label = CATEGORY.get(f.last_category or "", "")
    return render(request, "families/list.html", {
        "page": page, "q": request.GET.get("q", ""), "kategori": kategori, "categories": CATEGORY,
        "can_export": scope.can("individuals.export"), "sensitive": scope.can("sensitive.view"),
    })


@area_scoped
def family_detail(request, pk):
    _no_family_for_kader(request)
    family = selectors.family_get(request.user, pk)
    scope = scope_of(request.user)
    sensitive = scope.can("sensitive.view")
    surveys = list(family.surveys.order_by("-visited_on"))
    survey = next((s for s in surveys if str(s.pk) == request.GET.get("kunjungan")), surveys[0] if surveys else None)
    members = list(family.members.all())
    matrix, failed = [], []
    if survey is not None:
        answers = {a.member_id: a for a in Answer.objects.filter(survey=survey)}
        for m in members:
            a = answers.get(m.pk)
            letters = a.letters() if a else [""] * rules.N_INDICATORS
            matrix.append((m, [("•" if (i + 1) in rules.DIAGNOSIS and not sensitive and v else v)
                               for i, v in enumerate(letters)], a is not None))
        for i, short, full, _who in rules.INDICATORS:
            if survey.values[i - 1] == "T" and (sensitive or i not in rules.DIAGNOSIS):
                failed.append((i, full))
    family_row = [("•" if (i + 1) in rules.DIAGNOSIS and not sensitive else v)
                  for i, v in enumerate(survey.values)] if survey else []
    return render(request, "families/detail.html", {
        "family": family, "members": members, "surveys": surveys, "survey": survey, "matrix": matrix,
        "family_row": family_row, "failed": failed, "sensitive": sensitive,
        "indicators": INDICATORS, "category": CATEGORY.get(survey.category, "") if survey else "",
        "history": history_for(family)[:20] if scope.can("audit.view") else None,
    })


LEVEL_CHOICES = {"": gettext_lazy("satu tingkat di bawah"), "desa": gettext_lazy("semua desa/kelurahan"),
                 "rw": gettext_lazy("semua RW"), "puskesmas": gettext_lazy("per puskesmas (wilayah kerja)")}


def _report_context(request):
    user = request.user
    years = selectors.survey_years(user)
    year = _year(request, years)
    code = request.GET.get("wilayah", "").strip()
    region = region_get(user, code) if code else None
    if region is None:
        tops = list(top_regions_for_user(user))
        region = tops[0] if len(tops) == 1 else None
    tingkat = request.GET.get("tingkat", "")
    tingkat = tingkat if tingkat in LEVEL_CHOICES else ""
    if tingkat:
        level = tingkat
    elif region is None:
        level = {0: "provinsi", 1: "kabupaten", 2: "kecamatan", 3: "desa"}.get(
            min((c.count(".") for c in scope_of(user).top_codes()), default=0), "desa")
    else:
        level = {1: "kabupaten", 2: "kecamatan", 3: "desa", 4: "rw"}[region.level]
    root = region.code if region else None
    figures, known = selectors.area_figures(user, year, level, root)
    names = {}
    if level == "puskesmas":
        from binasehat.facilities.models import Puskesmas

        names = dict(Puskesmas.objects.filter(code__in=set(figures) | set(known)).values_list("code", "name"))
        names[""] = _("(desa di luar wilayah kerja puskesmas)")
    elif level != "rw":
        names = dict(Region.objects.filter(code__in=set(figures) | set(known)).values_list("code", "name"))
    rows = []
    for key in sorted(set(figures) | set(known)):
        if level == "rw":
            desa, rw = key.split("/")
            name = f"{rw}"
        else:
            name = names.get(key, key)
        rows.append(selectors.AreaRow(code=key, name=name, known=known.get(key, 0),
                                      figures=figures.get(key, selectors.EMPTY_FIGURES),
                                      link=key if level in ("kabupaten", "kecamatan", "desa") else ""))
    if level == "rw":
        desa_names = dict(Region.objects.filter(code__in={r.code.split("/")[0] for r in rows}).values_list("code", "name"))
        for r in rows:
            desa, rw = r.code.split("/")
            r.name = f"{desa_names.get(desa, desa)} {rw}"
    total = selectors.AreaRow(code=root or "", name=region.name if region else _("Wilayah Anda"),
                              known=sum(r.known for r in rows),
                              figures=rules.add_figures([r.figures for r in rows]) if rows else selectors.EMPTY_FIGURES)
    ranking = sorted([r for r in rows if r.figures.iks is not None], key=lambda r: (-r.figures.iks, r.code))
    trend = []
    for y in sorted(years):
        f, k = selectors.area_figures(user, y, "desa", root)
        trend.append(selectors.AreaRow(code=str(y), name=str(y), known=sum(k.values()),
                                       figures=rules.add_figures(list(f.values())) if f else selectors.EMPTY_FIGURES))
    if not scope_of(user).can("sensitive.view"):
        _suppress_small_cells(rows, total, trend, level)
    ancestors = Region.objects.filter(code__in=region.ancestor_codes()).filter(
        scope_of(user).region_q("code")) if region else []
    return {
        "year": year, "years": years or [year], "region": region, "rows": rows, "total": total, "level": level,
        "tingkat": tingkat, "levels": LEVEL_CHOICES, "ranking": ranking, "trend": trend, "ancestors": ancestors,
        "indicators": INDICATORS, "generated": timezone.localtime(), "small_cell": settings.SMALL_CELL_THRESHOLD,
        "suppressed": any(r.hidden for r in [*rows, total, *trend]),
    }


def _group_of(code: str, level: str) -> str:
    """The rows that add up to one shown total: the RWs of a desa, the children of one area."""
    if level == "rw":
        return code.split("/")[0]
    if level == "puskesmas":
        return ""
    return code.rsplit(".", 1)[0]


def _suppress_small_cells(rows, total, trend, level) -> None:
    """Diagnosis indicators (TB, hypertension, mental illness): hide the counts of families with the diagnosis
    (Y + T) where they are small, and a second cell where one hidden cell could be got back from the total."""
    threshold = settings.SMALL_CELL_THRESHOLD
    groups = [_group_of(r.code, level) for r in rows]
    for i in rules.DIAGNOSIS:
        counts = [r.figures.y[i - 1] + r.figures.t[i - 1] for r in rows]
        for k in suppressed(counts, groups, threshold=threshold):
            rows[k].hidden = rows[k].hidden | {i}
        for row in (total, *trend):
            if small(row.figures.y[i - 1] + row.figures.t[i - 1], threshold=threshold):
                row.hidden = row.hidden | {i}


@area_scoped
@cached_page
def area_report(request):
    _no_family_for_kader(request)
    context = _report_context(request)
    fmt = request.GET.get("format")
    region = context["region"]
    filename = f"iks-{region.code if region else 'semua'}-{context['year']}"
    if fmt == "xlsx":
        return _report_xlsx(context, filename)
    if fmt == "pdf":
        from binasehat.regions.selectors import letterhead_for, top_regions_for_user

        top = region or top_regions_for_user(request.user).first()
        context["letterhead"] = letterhead_for(top.code if top else None)
        return pdf_response(request, "families/report_pdf.html", context, filename)
    return render(request, "families/report.html", context)


def _ratio(num, den):
    """An exact ratio for a spreadsheet cell: a float 0–1 (the cell shows it rounded), blank without denominator."""
    return num / den if den else None


def _report_xlsx(context, filename):
    region = context["region"]
    header = [_("Kode"), _("Wilayah"), _("Keluarga diketahui"), _("Keluarga didata"), _("Terdata lengkap"),
              _("Keluarga sehat"), _("IKS (sehat/terdata lengkap)"), _("Sehat/seluruh keluarga")]
    for i, short, _full, _who in INDICATORS:
        header += [f"i{i:02d} Y", f"i{i:02d} Y+T", f"i{i:02d} {short}"]

    def rows():
        for row in [*context["rows"], context["total"]]:
            f = row.figures
            values = [row.code, row.name if row is not context["total"] else _("Jumlah"), row.known, f.families,
                      f.complete, f.sehat, _ratio(f.sehat, f.complete), _ratio(f.sehat, row.known)]
            for _i, y, d, _c in row.cells:  # suppressed cells (None) stay blank
                values += [y, d, _ratio(y, d) if d is not None else None]
            yield values

    return xlsx_report(
        filename=filename, sheet=str(context["year"]), header=header, rows=rows(), number_format="0.000",
        title=_("Indeks Keluarga Sehat dan cakupan 12 indikator PIS-PK, %(area)s, tahun %(year)s") % {
            "area": region.name if region else _("wilayah Anda"), "year": context["year"]},
        note=_("IKS wilayah = keluarga sehat (IKS > 0,800) / keluarga terdata lengkap (aturan Aplikasi "
               "Keluarga Sehat); juga ditampilkan terhadap seluruh keluarga yang diketahui (pilihan "
               "implementasi). Cakupan indikator = keluarga Y / keluarga (Y + T), dari keluarga terdata "
               "lengkap (pilihan implementasi). Jumlah dihitung dari data keluarga, bukan rerata persentase.")
        + (" " + str(_("Sel kosong pada indikator 6–8: jumlah keluarga kurang dari %(n)s, tidak ditampilkan agar "
                       "keluarga tidak dapat dikenali.") % {"n": context["small_cell"]}) if context["suppressed"] else ""),
        widths=[(0, 1, 22)],
    )


def visit_columns(indicator: int, sensitive: bool):
    return [
        Column("no_kk", gettext_lazy("No. KK")), Column("head_name", gettext_lazy("Kepala keluarga")),
        Column("desa", gettext_lazy("Desa/kelurahan"), lambda f: f.desa.name), Column("rw", "RW"), Column("rt", "RT"),
        Column("address", gettext_lazy("Alamat")), Column("last_visit", gettext_lazy("Kunjungan terakhir")),
        Column("indikator", gettext_lazy("Indikator"), lambda f: f"i{indicator:02d} {rules.INDICATORS[indicator - 1][1]}"),
        Column("iks", "IKS", lambda f: _iks_text(f)),
    ]


@area_scoped
def home_visits(request):
    _no_family_for_kader(request)
    scope = scope_of(request.user)
    sensitive = scope.can("sensitive.view")
    allowed = [ind for ind in INDICATORS if sensitive or ind[0] not in rules.DIAGNOSIS]
    indicator = int_param(request, "indikator", default=6 if sensitive else 1, lo=1, hi=12)
    if indicator in rules.DIAGNOSIS and not sensitive:
        raise PermissionDenied
    years = selectors.survey_years(request.user)
    year = _year(request, years)
    code = request.GET.get("wilayah", "").strip()
    region = region_get(request.user, code) if code else None
    qs = selectors.home_visit_families(request.user, indicator, year, region.code if region else None)
    qs = search(qs, request.GET.get("q", ""), ("head_name", "no_kk", "desa__name", "address"))
    qs = qs.order_by("desa_id", "rw", "rt", "head_name", "pk")
    if fmt := wants_export(request):
        if not scope.can("individuals.export"):
            raise PermissionDenied
        families = list(qs)
        services.home_visit_export_audit(actor=request.user, families=families, indicator=indicator, year=year, fmt=fmt)
        return export_response(fmt, f"kunjungan-rumah-i{indicator:02d}-{year}", visit_columns(indicator, sensitive),
                               families)
    page = paginate(request, qs)
    for f in page.object_list:
        f.iks_text = _iks_text(f) if sensitive else ""
        f.category_label = CATEGORY.get(f.last_category or "", "")
    return render(request, "families/home_visits.html", {
        "page": page, "indicator": indicator, "indicators": allowed, "year": year, "years": years or [year],
        "region": region, "q": request.GET.get("q", ""), "can_export": scope.can("individuals.export"),
        "indicator_name": rules.INDICATORS[indicator - 1][2],
    })
