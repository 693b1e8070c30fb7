"""District dashboard, pivot table, map, boundary upload and the printable district profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.assessments.models import PosyanduEvaluation
from binasehat.assessments.services import verdicts_refresh
from binasehat.core.params import year_param
from binasehat.core.listing import pdf_response, xlsx_report, xlsx_response
from binasehat.core.pagecache import cached_page
from binasehat.core.scope import area_scoped, scope_of
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.indicators.aggregates import fill_state, subtree
from binasehat.indicators.models import Indicator
from binasehat.programs.completeness import reporting_rates
from binasehat.regions.models import Region
from binasehat.regions.selectors import letterhead_for

from . import dashboard, maps, rules
from .models import Boundary
from .services import boundaries_upload
from .templatetags.dashboard import count, ivalue

FIRST_YEAR = 2020
LEVELS = (("self", "wilayah ini"), ("children", "satu tingkat di bawah"), ("desa", "semua desa/kelurahan"))


def _year(request) -> int:
    """``tahun``: a year from FIRST_YEAR to this year; this year by default (and for anything else)."""
    return year_param(request, default=timezone.localdate().year, last=timezone.localdate().year)


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def _month_date(year: int, month: int | None):
    import datetime as dt

    return dt.date(year, month, 1) if month else None


def _last_month(year: int) -> int | None:
    """For the current year, values run to the last complete month (compared with the same months a year
    earlier); past years are whole."""
    today = timezone.localdate()
    if year < today.year:
        return None
    return max(today.month - 1, 1)


def _indicator(request, default: str = "POSYANDU_AKTIF") -> Indicator:
    code = request.GET.get("ind") or default
    ind = Indicator.objects.filter(code=code).first()
    if ind is None:
        raise Http404
    return ind


def _pick(request, indicators: list[Indicator], default: str) -> Indicator:
    """``_indicator`` from a list already read (404 for an unknown code)."""
    code = request.GET.get("ind") or default
    for ind in indicators:
        if ind.code == code:
            return ind
    raise Http404


def fresh_verdicts(area, year: int) -> None:
    """Re-evaluate the area's posyandu verdicts of ``year`` that went stale when a month closed, so that the
    indicators read from them (posyandu aktif, strata) are current; cheap when none is stale."""
    verdicts_refresh(year=year, posyandu_queryset=_posyandu_of(area), missing=False)


def _posyandu_of(area):
    """The area's posyandu as a query: a wilayah kerja's by its desa, a region's by an index range of desa codes
    (``aggregates.subtree``), never a list of thousands of desa codes."""
    if isinstance(area, dashboard.WorkArea):
        return Posyandu.objects.filter(desa_id__in=[d.code for d in area.desa])
    return Posyandu.objects.filter(subtree(area.code, "desa_id"))


def ranks_desa(area) -> bool:
    """Whether the dashboard ranks and maps every desa of the area: up to a kabupaten/kota (a few hundred);
    above it (a province, the country) the child areas are ranked and mapped, and every desa is in the pivot
    table and its export."""
    return isinstance(area, dashboard.WorkArea) or area.level >= 2


class Hidden:
    """A value not shown to this viewer (a small cell): every figure undefined, marked ``hidden``."""

    hidden = True
    value = numerator = denominator = target = meets = None

    def __init__(self, original):
        self.indicator, self.area, self.period = original.indicator, original.area, original.period


def may_see_small_cells(user) -> bool:
    return scope_of(user).can("sensitive.view")


def disclose(user, ind: Indicator, pairs: list, groups: list | None = None) -> list:
    """``pairs`` (area, Value) with the small cells hidden from a viewer without ``sensitive.view``
    (``rules.hidden_cells``); hidden values go after the shown ones, unranked."""
    if may_see_small_cells(user):
        return pairs
    hide = rules.hidden_cells(ind.code, [v.denominator for _a, v in pairs], groups,
                              threshold=settings.SMALL_CELL_THRESHOLD)
    if not hide:
        return pairs
    shown = [(a, v) for i, (a, v) in enumerate(pairs) if i not in hide]
    return ([p for p in shown if p[1].value is not None] + [(a, Hidden(v)) for i, (a, v) in enumerate(pairs)
                                                           if i in hide] + [p for p in shown if p[1].value is None])


def disclosed_cards(user, cards: list) -> list:
    """The area's own values hidden where they are small cells (its trend too: each month would show them)."""
    if may_see_small_cells(user):
        return cards
    for c in cards:
        if rules.hidden_cells(c.indicator.code, [c.value.denominator], threshold=settings.SMALL_CELL_THRESHOLD):
            c.value, c.change, c.improved, c.series, c.target_line = Hidden(c.value), None, None, ((), ()), None
        if rules.hidden_cells(c.indicator.code, [c.previous.denominator], threshold=settings.SMALL_CELL_THRESHOLD):
            c.previous, c.change, c.improved, c.series = Hidden(c.previous), None, None, ((), ())
    return cards


def desa_ranking(user, area, ind: Indicator, period) -> list:
    """Every desa of the area, best first, small cells hidden (grouped by kecamatan: the kecamatan's value is
    shown one level up)."""
    desa = dashboard.desa_of(area)
    return disclose(user, ind, dashboard.ranking(ind, desa, period), [d.parent_id for d in desa])


def children_ranking(user, area, ind: Indicator, period) -> list:
    if area.level >= 4:
        return []
    return disclose(user, ind, dashboard.ranking(ind, dashboard.children_of(area), period))


def _value_text(v, ind: Indicator) -> str:
    if getattr(v, "hidden", False):
        return _("disembunyikan: kurang dari %(n)d keluarga") % {"n": settings.SMALL_CELL_THRESHOLD}
    if v is None or v.value is None:
        return _("tidak ada data")
    text = f"{ivalue(v.value, ind)} {ind.unit}".strip()
    if v.denominator is not None and v.numerator is not None:
        text += f" ({count(v.numerator)} / {count(v.denominator)})"
    return text


def map_context(area: Region, ind: Indicator, year: int, *, user, desa_rank: list | None = None,
                verdicts_fresh: bool = False, children_rank: list | None = None) -> dict:
    """Desa boundaries coloured by the indicator (when uploaded), with their names where they fit and a details
    text per desa and posyandu (shown on tap); posyandu points coloured by aktif. Above a kabupaten/kota
    (``ranks_desa`` false) the child areas' boundaries instead, without posyandu points. ``desa_rank`` /
    ``children_rank``: the area's ``desa_ranking`` / ``children_ranking`` when the caller already has it;
    ``verdicts_fresh``: the caller already ran ``fresh_verdicts`` for the area."""
    period = dashboard.period_of(year, _last_month(year))
    if not verdicts_fresh:  # before the values: posyandu aktif and strata are read from the verdicts
        fresh_verdicts(area, year)
    if ranks_desa(area):
        if desa_rank is None:
            desa_rank = desa_ranking(user, area, ind, period)
        rank = {r.code: v for r, v in desa_rank}
        shown_q = Q(region_id__in=[d.code for d in dashboard.desa_of(area)]) if isinstance(area, dashboard.WorkArea) \
            else subtree(area.code, "region_id") & Q(region__level=4)
        boundaries = list(Boundary.objects.filter(shown_q).select_related("region"))
        posyandu = list(_posyandu_of(area).filter(latitude__isnull=False, longitude__isnull=False)
                        .select_related("desa").order_by("code"))
        aktif = dict(PosyanduEvaluation.objects.filter(year=year, ruleset_code="posyandu-aktif",
                                                       posyandu__in=_posyandu_of(area))
                     .values_list("posyandu_id", "result"))
    else:
        if children_rank is None:
            children_rank = children_ranking(user, area, ind, period)
        rank = {r.code: v for r, v in children_rank}
        boundaries = list(Boundary.objects.filter(region__parent=area).select_related("region"))
        posyandu, aktif = [], {}
    if boundaries:
        box = (min(b.min_lon for b in boundaries), min(b.min_lat for b in boundaries),
               max(b.max_lon for b in boundaries), max(b.max_lat for b in boundaries))
    elif posyandu:
        box = (float(min(p.longitude for p in posyandu)), float(min(p.latitude for p in posyandu)),
               float(max(p.longitude for p in posyandu)), float(max(p.latitude for p in posyandu)))
    else:
        return {"map": None, "map_level": None if ranks_desa(area) else area.child_level_name}
    proj = maps.Projection(*box)
    values = [None if rank.get(b.region_id) is None or rank[b.region_id].value is None
              else round(rank[b.region_id].value, ind.decimals) for b in boundaries]
    colours, legend = maps.classes(values, ind.direction)
    shapes = []
    for b, colour in zip(boundaries, colours):
        x, y, width = maps.label_point(b.geometry, proj)
        v = rank.get(b.region_id)
        shapes.append({"code": b.region_id, "name": b.region.name, "path": proj.path(b.geometry), "colour": colour,
                       "value": v, "hidden": getattr(v, "hidden", False), "detail": _value_text(v, ind),
                       "label_x": f"{x:.1f}", "label_y": f"{y:.1f}", "fit": maps.label_fit(b.region.name, width)})
    status = {"ya": _("aktif"), "tidak": _("tidak aktif")}
    points = []
    for p in posyandu:
        x, y = proj.xy(float(p.longitude), float(p.latitude))
        points.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "posyandu": p, "aktif": aktif.get(p.pk),
                       "detail": f"{p.desa.name} · {status.get(aktif.get(p.pk), _('belum dinilai'))}"})
    legend_items = [{"colour": c.colour, "label": ivalue(c.lo, ind) if ivalue(c.lo, ind) == ivalue(c.hi, ind)
                     else f"{ivalue(c.lo, ind)}–{ivalue(c.hi, ind)}"} for c in legend]
    present = [v for v in values if v is not None]
    return {"map": {"width": proj.width, "height": f"{proj.height:.0f}", "shapes": shapes, "points": points,
                    "legend": legend_items, "indicator": ind, "year": year,
                    "uniform": ivalue(present[0], ind) if present and len(set(present)) == 1 else None,
                    "single": len(present) == 1,
                    "any_hidden": any(s["hidden"] for s in shapes),
                    "small_cell": settings.SMALL_CELL_THRESHOLD,
                    "demo_boundaries": any(b.source.startswith("demo") for b in boundaries),
                    "of_children": not ranks_desa(area)}}


def _ranking_context(request, area, selected: Indicator, year: int, period) -> dict:
    """What the ranking and the map of the dashboard show for the ``selected`` indicator."""
    children = children_ranking(request.user, area, selected, period)
    desa_rank = desa_ranking(request.user, area, selected, period) if ranks_desa(area) else None
    return {
        "children": children,
        "desa": desa_rank if desa_rank is not None and area.level < 3 else [],
        "desa_in_pivot": desa_rank is None,
        "small_cell": settings.SMALL_CELL_THRESHOLD,
        **map_context(area, selected, year, user=request.user, desa_rank=desa_rank, children_rank=children,
                      verdicts_fresh=True),
    }


def _dashboard_xlsx(request, area, year: int, last_month: int | None, cards: list, selected: Indicator,
                    ranking: dict):
    from .exports import dashboard_workbook

    return xlsx_response(dashboard_workbook(area=area, year=year, last_month=last_month, cards=cards,
                                            selected=selected, children=ranking["children"], desa=ranking["desa"],
                                            printed_by=request.user, printed_at=timezone.localtime()),
                         f"dasbor-{area.code}-{year}")


def cards_html(request, area, year: int, program: str | None, last_month: int | None, selected: Indicator,
               inds: list[Indicator]):
    """The dashboard's indicator table (by programme), rendered once per data version and kept in the cache
    (``dashboard.cards_key``): the cards, their trends and about 4,000 template nodes are not recomputed while
    nothing they show has changed."""
    from django.utils.safestring import mark_safe

    key = dashboard.cards_key(area=area, year=year, program=program, last_month=last_month, selected=selected.code,
                              inds=inds, sees_small_cells=may_see_small_cells(request.user))
    html = cache.get(key)
    if html is None:
        cards = disclosed_cards(request.user, dashboard.cards(request.user, area, year, program, last_month))
        met = sum(c.value.meets is True for c in cards)
        html = render_to_string("reports/_dashboard_cards.html", {
            "area": area, "year": year, "program": program, "selected": selected,
            "last_month": _month_date(year, last_month), "sections": dashboard.sections(cards), "total": len(cards),
            "met": met}, request)
        cache.set(key, html, 6 * 3600)
    return mark_safe(html)


def _engine_version(request) -> list[str]:
    """The keys of the indicator engine's data versions of the years the dashboard reads (the year and the one
    before): its values come through the engine's own cache, which the page cache does not see being read."""
    from binasehat.indicators import engine

    year = _year(request)
    return engine.version_keys([year, year - 1])


#: The indicator engine's own tables: what they hold for the years shown is followed by its data version.
ENGINE_TABLES = ("indicators_aggregate", "indicators_rollup", "indicators_rollupyear", "indicators_pending",
                 "indicators_fillstate")


@area_scoped
@cached_page(extra_keys=_engine_version, covered=ENGINE_TABLES)
def dashboard_page(request):
    area = dashboard.area_for(request.user, request.GET.get("wilayah"))
    year = _year(request)
    program = request.GET.get("program") or None
    if program and program not in dict(dashboard.program_choices()):
        program = None
    last_month = _last_month(year)
    period = dashboard.period_of(year, last_month)
    fresh_verdicts(area, year)
    every = dashboard.indicators()
    base = {"area": area, "year": year, "program": program, "indicators": every}
    if request.htmx and request.htmx.target == "ranking-map":
        # Only the ranking and the map change with the ranking's indicator: the cards are not recomputed.
        selected = _pick(request, every, "POSYANDU_AKTIF")
        return render(request, "reports/_ranking_map.html", {
            **base, "selected": selected, "oob": True, "can_letterhead": scope_of(request.user).can("regions.import"),
            **_ranking_context(request, area, selected, year, period)})
    inds = [i for i in every if i.program == program] if program else every
    selected = _pick(request, every, inds[0].code if inds else "POSYANDU_AKTIF")
    ranking = _ranking_context(request, area, selected, year, period)
    if request.GET.get("format") == "xlsx":
        cards = disclosed_cards(request.user, dashboard.cards(request.user, area, year, program, last_month))
        return _dashboard_xlsx(request, area, year, last_month, cards, selected, ranking)
    fill = fill_state()
    context = {
        **base, "areas": dashboard.dashboard_areas(request.user), "years": _years(),
        "programs": dashboard.program_choices(), "selected": selected,
        "cards_html": cards_html(request, area, year, program, last_month, selected, inds),
        "last_month": _month_date(year, last_month),
        "ancestors": Region.objects.filter(code__in=area.ancestor_codes()).filter(
            scope_of(request.user).region_q("code")),
        "fill": fill, **ranking,
        "can_letterhead": scope_of(request.user).can("regions.import"),
        "reporting": reporting_rates(request.user, period=period,
                                     area=None if isinstance(area, dashboard.WorkArea) else area.code),
    }
    response = render(request, "reports/dashboard.html", context)
    response.page_cache = not fill["pending"]  # "n cells being updated" passes: such a page is not kept
    return response


def _pivot_args(request):
    area = dashboard.area_for(request.user, request.GET.get("wilayah"))
    year = _year(request)
    level = request.GET.get("tingkat") or "children"
    if level not in dict(LEVELS):
        level = "children"
    kind = request.GET.get("periode") or "quarter"
    if kind not in {"year", "quarter", "month", "years"}:
        kind = "quarter"
    codes = request.GET.getlist("ind")
    inds = dashboard.indicators(codes=codes) if codes else dashboard.indicators(request.GET.get("program") or None)
    if codes and len(inds) != len(set(codes)):
        raise Http404
    if area.level == 4 and level != "self":
        level = "self"
    areas = {"self": [area], "children": dashboard.children_of(area) + [area],
             "desa": dashboard.desa_of(area)}[level]
    return area, year, level, kind, inds, areas, dashboard.period_set(year, kind)


#: Rows of the pivot table per page on screen (the XLSX has them all).
PIVOT_ROWS = 40


def disclosed_pivot(user, rows: list, area) -> list:
    """The pivot's rows with small cells hidden from a viewer without ``sensitive.view``: per indicator and
    period, the cells of the areas that add up to one shown total (the children of one area) form a group."""
    if may_see_small_cells(user):
        return rows
    out = [(ind, a, list(values)) for ind, a, values in rows]
    by_indicator: dict[str, list[int]] = {}
    for i, (ind, _a, _values) in enumerate(out):
        by_indicator.setdefault(ind.code, []).append(i)
    for code, members in by_indicator.items():
        if code not in rules.SENSITIVE_INDICATORS:
            continue
        groups = [out[i][1].code if out[i][1].code == area.code else getattr(out[i][1], "parent_id", None)
                  for i in members]
        for k in range(len(out[members[0]][2])):
            cells = [out[i][2][k] for i in members]
            for j in rules.hidden_cells(code, [c.denominator for c in cells], groups,
                                        threshold=settings.SMALL_CELL_THRESHOLD):
                out[members[j]][2][k] = Hidden(cells[j])
    return out


@area_scoped
def pivot_page(request):
    from django.core.paginator import Paginator

    area, year, level, kind, inds, areas, periods = _pivot_args(request)
    rows = disclosed_pivot(request.user, dashboard.pivot(inds, areas, periods), area)
    if request.GET.get("format") == "xlsx":
        header = [_("Kode indikator"), _("Indikator"), _("Satuan"), _("Kode wilayah"), _("Wilayah"),
                  *[str(p) for p in periods]]
        return xlsx_report(
            filename=f"pivot-indikator-{area.code}-{year}", sheet=str(year), header=header, number_format="0.0##",
            rows=([ind.code, ind.display_name, ind.unit, a.code, a.name,
                   *[None if v.value is None else round(v.value, ind.decimals) for v in values]]
                  for ind, a, values in rows),
            title=_("Indikator %(area)s %(year)s") % {"area": area.name, "year": year},
            note=_("Nilai = jumlah pembilang ÷ jumlah penyebut × faktor, dihitung dari data (bukan rerata persentase); "
                   "indikator dengan penyebut setahun disetahunkan untuk triwulan dan bulan (× 12 ÷ jumlah bulan)."),
            widths=[(0, 0, 16), (1, 1, 48), (2, 3, 14), (4, 4, 24), (5, 5 + len(periods), 11)])
    page = Paginator(rows, PIVOT_ROWS).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    query.pop("format", None)
    all_indicators = dashboard.indicators()
    chosen = {i.code for i in inds} if request.GET.getlist("ind") else set()
    groups = [(label, [i for i in all_indicators if i.program == code]) for code, label in dashboard.program_choices()]
    known = {c for c, _label in dashboard.program_choices()}
    others = [i for i in all_indicators if i.program not in known]
    if others:
        groups.append((_("Lainnya"), others))
    return render(request, "reports/pivot.html", {
        "area": area, "year": year, "years": _years(), "level": level, "levels": LEVELS, "kind": kind,
        "rows": page.object_list, "page": page, "periods": periods, "indicator_groups": [g for g in groups if g[1]],
        "selected": chosen, "n_selected": len(chosen) or len(all_indicators),
        "areas": dashboard.dashboard_areas(request.user), "query": query.urlencode(),
        "small_cell": settings.SMALL_CELL_THRESHOLD,
    })


@area_scoped
def map_page(request):
    area = dashboard.area_for(request.user, request.GET.get("wilayah"))
    year = _year(request)
    ind = _indicator(request)
    return render(request, "reports/map.html", {
        "area": area, "year": year, "years": _years(), "indicators": dashboard.indicators(), "selected": ind,
        "areas": dashboard.dashboard_areas(request.user),
        "can_upload": scope_of(request.user).can("regions.import"), **map_context(area, ind, year, user=request.user)})


@area_scoped(permission="regions.import")
def boundaries_page(request):
    result = None
    if request.method == "POST":
        upload = request.FILES.get("berkas")
        if upload is None:
            messages.error(request, _("Pilih berkas GeoJSON terlebih dulu."))
        else:
            result = boundaries_upload(actor=request.user, data=upload.read(), prop=request.POST.get("properti", "").strip(),
                                       source=upload.name, partial=bool(request.POST.get("sebagian")))
            if result.committed:
                messages.success(request, _("Batas wilayah tersimpan: %(c)d baru, %(u)d diperbarui.") % {
                    "c": result.created, "u": result.updated})
                if not result.rejected:
                    return redirect("reports:map")
    count = Boundary.objects.filter(scope_of(request.user).region_q("region__code")).count()
    return render(request, "reports/boundaries.html", {"result": result, "count": count,
                                                        "properties": maps.CODE_PROPERTIES})


@area_scoped
def profile_pdf(request):
    area = dashboard.area_for(request.user, request.GET.get("wilayah"))
    year = _year(request)
    last_month = _last_month(year)
    ind = _indicator(request)
    fresh_verdicts(area, year)
    desa = dashboard.desa_of(area)
    codes = [d.code for d in desa]
    context = {
        "area": area, "year": year, "last_month": _month_date(year, last_month), "generated": timezone.localtime(),
        "cards": disclosed_cards(request.user, dashboard.cards(request.user, area, year, None, last_month)),
        "children": children_ranking(request.user, area, ind, dashboard.period_of(year, last_month)),
        "selected": ind,
        "counts": {
            "kecamatan": len({d.parent_id for d in desa}),
            "desa": len(desa),
            "puskesmas": 1 if isinstance(area, dashboard.WorkArea) else
            Puskesmas.objects.filter(kecamatan__code__startswith=area.code).count(),
            "posyandu": Posyandu.objects.filter(desa_id__in=codes, active=True).count(),
            "penduduk": dashboard.population(area, year),
        },
        **map_context(area, ind, year, user=request.user, verdicts_fresh=True),
        "letterhead": letterhead_for(area.puskesmas.kecamatan_id if isinstance(area, dashboard.WorkArea) else area.code),
    }
    return pdf_response(request, "reports/profile_pdf.html", context, f"profil-{area.code}-{year}")
