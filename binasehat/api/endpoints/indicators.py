"""Indicator definitions and their values from the one engine, for areas inside the caller's scope."""

from dataclasses import asdict

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from binasehat.core.scope import scope_of
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.regions.models import Region
from binasehat.regions.selectors import regions_for_user, top_regions_for_user

from ..pagination import LimitOffset
from ..schemas import Error, IndicatorOut, IndicatorValueOut
from .programs import parse_periods

router = Router(tags=["indikator"])
#: indicators × areas × periods evaluated in one call at most.
MAX_CELLS = 200_000


@router.get("/indicators", response={200: list[IndicatorOut], 401: Error}, summary="Definisi indikator")
@paginate(LimitOffset)
def list_indicators(request, program: str | None = None):
    qs = Indicator.objects.order_by("sort", "code")
    return qs.filter(program=program) if program else qs


@router.get("/indicator-values", response={200: list[IndicatorValueOut], 401: Error, 404: Error, 422: Error},
            summary="Nilai indikator")
@paginate(LimitOffset)
def list_indicator_values(request, period: list[str] = Query(...), indicator: list[str] = Query(None),
                          area: list[str] = Query(None), children: bool = False):
    """Nilai setiap indikator × wilayah × periode: pembilang dan penyebut dijumlahkan dari desa dan bulan.
    `indicator` (bawaan: semua), `area` (bawaan: wilayah Anda) dan `period` (2025, 2025Q1, 2025-10) boleh
    diulang; `children=true` menambah setiap wilayah satu tingkat di bawahnya. Wilayah di luar cakupan: 404."""
    periods = parse_periods(period)
    if not periods:
        raise HttpError(422, _("Sebutkan paling sedikit satu periode, mis. period=2025."))
    indicators = Indicator.objects.order_by("sort", "code")
    if indicator:
        indicators = indicators.filter(code__in=indicator)
        missing = sorted(set(indicator) - {i.code for i in indicators})
        if missing:
            raise HttpError(422, _("Indikator tidak dikenal: %(codes)s.") % {"codes": ", ".join(missing)})
    scope = scope_of(request.user)
    codes = list(dict.fromkeys(area or top_regions_for_user(request.user).values_list("code", flat=True)))
    regions = {r.code: r for r in regions_for_user(request.user).filter(code__in=codes)}
    if any(c not in regions for c in codes):
        raise Http404
    if children:
        for r in Region.objects.filter(parent_id__in=codes).filter(scope.region_q("code")).order_by("code"):
            regions.setdefault(r.code, r)
    areas = list(regions)
    indicators = list(indicators)
    if len(indicators) * len(areas) * len(periods) > MAX_CELLS:
        raise HttpError(422, _("Terlalu banyak nilai diminta sekaligus: kurangi indikator, wilayah atau periode."))
    return [{**asdict(v), "area_name": regions[v.area].name} for v in engine.evaluate(indicators, areas, periods)]
