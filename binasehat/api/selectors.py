"""Reads the API needs that the other apps' selectors do not offer."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from binasehat.regions.models import Population


def subtree_q(field_name: str, code: str) -> Q:
    """Rows whose ``field_name`` is ``code`` or lies below it."""
    return Q(**{field_name: code}) | Q(**{f"{field_name}__startswith": code + "."})


def population_by_year(code: str) -> list[dict]:
    """Population of an area per year (latest first): Σ over its desa/kelurahan, as the indicators count it."""
    rows = (
        Population.objects.filter(subtree_q("region__code", code), region__level=4)
        .values("year")
        .annotate(total=Sum("total"), male=Sum("male"), female=Sum("female"), households=Sum("households"),
                  desa=Count("id"))
        .order_by("-year")
    )
    return list(rows)
