"""Reads of the area tree, always through the acting user's scope."""

from __future__ import annotations

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


def latest_population(region_codes) -> dict[str, Population]:
    """The most recent population row of each area."""
    latest: dict[str, Population] = {}
    for p in Population.objects.filter(region_id__in=list(region_codes)).order_by("region_id", "-year"):
        latest.setdefault(p.region_id, p)
    return latest
