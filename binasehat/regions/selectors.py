"""Reads of the area tree, always through the acting user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from binasehat.core.scope import get_in_scope_or_404, scope_of

from .models import Population, Region


def regions_for_user(user):
    return Region.objects.filter(scope_of(user).region_q("code"))


def region_get(user, code: str) -> Region:
    return get_in_scope_or_404(regions_for_user(user).select_related("parent"), code=code)


def top_regions_for_user(user):
    """The highest areas a user may open: their own areas (or the provinces, for a national admin)."""
    scope = scope_of(user)
    if scope.everything:
        return Region.objects.filter(level=1)
    return Region.objects.filter(code__in=scope.top_codes())


@dataclass(frozen=True)
class PopulationTotal:
    year: int
    total: int
    desa: int  # how many desa/kelurahan the total sums


def population_rollup(codes: list[str]) -> dict[str, PopulationTotal]:
    """Population of each area in ``codes`` (all of one level): the sum over its desa/kelurahan for the latest
    year any of them reports. Counts are summed up the tree; a desa is its own sum."""
    if not codes:
        return {}
    length = len(codes[0])
    q = Q()
    for code in codes:
        q |= Q(region__code=code) | Q(region__code__startswith=code + ".")
    rows = (
        Population.objects.filter(q, region__level=4)
        .annotate(area=Substr("region_id", 1, length))
        .values("area", "year")
        .annotate(total=Sum("total"), desa=Count("id"))
        .order_by("area", "-year")
    )
    result: dict[str, PopulationTotal] = {}
    for r in rows:
        if r["area"] not in result:
            result[r["area"]] = PopulationTotal(year=r["year"], total=r["total"], desa=r["desa"])
    return result


def letterhead_for(code: str | None):
    """The letterhead of the area ``code`` or of the nearest area above it that has one (None if none)."""
    from . import rules
    from .models import Letterhead

    if not code or code.startswith("pkm:"):
        return None
    codes = [code, *reversed(rules.ancestors_of(code))]
    found = {lh.region_id: lh for lh in Letterhead.objects.filter(region_id__in=codes)}
    return next((found[c] for c in codes if c in found), None)
