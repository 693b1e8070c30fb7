"""Reads of facilities and of the area tree with facility counts, always through the acting user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr

from binasehat.core.scope import get_in_scope_or_404, scope_of
from binasehat.regions.models import Region
from binasehat.regions.selectors import population_rollup

from .models import Posyandu, Pustu, Puskesmas


def posyandu_for_user(user):
    return Posyandu.objects.filter(scope_of(user).posyandu_q()).select_related("desa", "desa__parent")


def posyandu_get(user, pk) -> Posyandu:
    return get_in_scope_or_404(posyandu_for_user(user), pk=pk)


def pustu_for_user(user):
    scope = scope_of(user)
    if scope.posyandu_ids is not None:
        return Pustu.objects.none()
    return Pustu.objects.filter(scope.region_q("desa__code")).select_related("desa", "desa__parent", "puskesmas")


def pustu_get(user, pk) -> Pustu:
    return get_in_scope_or_404(pustu_for_user(user), pk=pk)


def puskesmas_for_user(user):
    return (
        Puskesmas.objects.filter(scope_of(user).puskesmas_q())
        .select_related("kecamatan", "kecamatan__parent")
        .annotate(n_desa=Count("wilayah_kerja", distinct=True))
        .order_by("code")
    )


def puskesmas_get(user, pk) -> Puskesmas:
    return get_in_scope_or_404(puskesmas_for_user(user), pk=pk)


def desa_choices_for_user(user):
    return Region.objects.filter(level=4).filter(scope_of(user).region_q("code")).select_related("parent")


@dataclass
class AreaCounts:
    region: Region
    desa: int = 0
    kelurahan: int = 0
    puskesmas: int = 0
    pustu: int = 0
    posyandu_prima: int = 0
    posyandu: int = 0
    posyandu_active: int = 0
    population: object = None
    extra: dict = field(default_factory=dict)

    @property
    def desa_kelurahan(self):
        return self.desa + self.kelurahan


def _grouped(queryset, code_field: str, length: int, **aggregates) -> dict[str, dict]:
    rows = queryset.annotate(child=Substr(code_field, 1, length)).values("child").annotate(**aggregates)
    return {r["child"]: r for r in rows}


def area_breakdown(user, region: Region | None) -> list[AreaCounts]:
    """One row per child area of ``region`` (or per top area of the user) with counts of what lies below it:
    desa/kelurahan, puskesmas, pustu, Posyandu Prima, posyandu (operating and all). Five grouped queries,
    whatever the number of children."""
    scope = scope_of(user)
    if region is None:
        from binasehat.regions.selectors import top_regions_for_user

        children = list(top_regions_for_user(user))
    else:
        children = list(Region.objects.filter(parent=region).filter(scope.region_q("code")))
    if not children:
        return []
    length = len(children[0].code)
    prefixes = sorted({c.code for c in children})
    # Limit every count to the subtree being broken down (the scope filter does the rest).
    roots = [region.code] if region is not None else prefixes

    def below(field_name):
        q = Q()
        for code in roots:
            q |= Q(**{field_name: code}) | Q(**{f"{field_name}__startswith": code + "."})
        return q

    desa = _grouped(
        Region.objects.filter(level=4).filter(scope.region_q("code")).filter(below("code")), "code", length,
        desa=Count("code", filter=~Q(kind="kelurahan")), kelurahan=Count("code", filter=Q(kind="kelurahan")),
    )
    posy = _grouped(
        posyandu_for_user(user).filter(below("desa__code")).order_by(), "desa_id", length,
        total=Count("id"), active=Count("id", filter=Q(active=True)),
    )
    pustu = _grouped(
        pustu_for_user(user).filter(below("desa__code")).order_by(), "desa_id", length,
        total=Count("id"), prima=Count("id", filter=Q(posyandu_prima=True)),
    )
    pkm = {}
    if length <= 8:
        pkm = _grouped(
            Puskesmas.objects.filter(scope.puskesmas_q()).filter(below("kecamatan__code")).order_by(),
            "kecamatan_id", length, total=Count("id"),
        )
    population = population_rollup(prefixes)
    rows = []
    for child in children:
        d, p, s, k = desa.get(child.code, {}), posy.get(child.code, {}), pustu.get(child.code, {}), pkm.get(child.code, {})
        rows.append(
            AreaCounts(
                region=child, desa=d.get("desa", 0), kelurahan=d.get("kelurahan", 0), puskesmas=k.get("total", 0),
                pustu=s.get("total", 0), posyandu_prima=s.get("prima", 0), posyandu=p.get("total", 0),
                posyandu_active=p.get("active", 0), population=population.get(child.code),
            )
        )
    return rows


def totals(rows: list[AreaCounts]) -> dict[str, int]:
    """Sums of the counts (never of percentages)."""
    keys = ("desa", "kelurahan", "puskesmas", "pustu", "posyandu_prima", "posyandu", "posyandu_active")
    result = {k: sum(getattr(r, k) for r in rows) for k in keys}
    result["desa_kelurahan"] = result["desa"] + result["kelurahan"]
    result["areas"] = len(rows)
    return result
