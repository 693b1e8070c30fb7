"""Regions and facilities inside the caller's scope: the same selectors as the pages."""

from django.db.models import Q
from ninja import Router
from ninja.pagination import paginate

from binasehat.core.listing import search
from binasehat.core.scope import get_in_scope_or_404, scope_of
from binasehat.facilities.selectors import posyandu_for_user, puskesmas_for_user
from binasehat.regions.models import Region
from binasehat.regions.selectors import region_get, regions_for_user

from ..pagination import LimitOffset
from ..schemas import AreaDetail, AreaOut, Error, PosyanduOut, PuskesmasOut
from ..selectors import population_by_year, subtree_q

router = Router(tags=["wilayah dan fasilitas"])
NOT_FOUND = {401: Error, 404: Error}


@router.get("/areas", response={200: list[AreaOut], 401: Error}, summary="Wilayah dalam cakupan Anda")
@paginate(LimitOffset)
def list_areas(request, parent: str | None = None, level: int | None = None, area: str | None = None,
               q: str | None = None):
    """Wilayah (kode Kemendagri) yang boleh Anda lihat. `parent`: anak langsung dari wilayah itu; `area`: wilayah
    itu dan semua di bawahnya; `level`: 1–4; `q`: cari nama atau kode."""
    qs = regions_for_user(request.user).order_by("code")
    if parent:
        qs = qs.filter(parent_id=parent)
    if area:
        qs = qs.filter(subtree_q("code", area))
    if level is not None:
        qs = qs.filter(level=level)
    return search(qs, q, ("code", "name"))


@router.get("/areas/{code}", response={200: AreaDetail, **NOT_FOUND}, summary="Satu wilayah")
def get_area(request, code: str):
    """Wilayah dengan penduduk per tahun dan wilayah satu tingkat di bawahnya. Di luar cakupan: 404."""
    region = region_get(request.user, code)
    children = Region.objects.filter(parent=region).filter(scope_of(request.user).region_q("code"))
    return {"code": region.code, "name": region.name, "level": region.level, "kind": region.kind,
            "parent_id": region.parent_id, "population": population_by_year(region.code), "children": list(children)}


def _facility_filters(qs, *, q, active, area, area_field, search_fields):
    if area:
        qs = qs.filter(subtree_q(area_field, area))
    if active is not None:
        qs = qs.filter(active=active)
    return search(qs, q, search_fields)


@router.get("/puskesmas", response={200: list[PuskesmasOut], 401: Error}, summary="Puskesmas dalam cakupan Anda")
@paginate(LimitOffset)
def list_puskesmas(request, kecamatan: str | None = None, area: str | None = None, q: str | None = None,
                   active: bool | None = None):
    """`kecamatan`: kode kecamatan; `area`: kode wilayah (puskesmas di bawahnya); `q`: cari; `active`: beroperasi."""
    qs = puskesmas_for_user(request.user).prefetch_related("wilayah_kerja")
    if kecamatan:
        qs = qs.filter(kecamatan_id=kecamatan)
    return _facility_filters(qs, q=q, active=active, area=area, area_field="kecamatan__code",
                             search_fields=("code", "name", "kecamatan__name"))


@router.get("/puskesmas/{code}", response={200: PuskesmasOut, **NOT_FOUND}, summary="Satu puskesmas")
def get_puskesmas(request, code: str):
    return get_in_scope_or_404(puskesmas_for_user(request.user).prefetch_related("wilayah_kerja"), code=code)


@router.get("/posyandu", response={200: list[PosyanduOut], 401: Error}, summary="Posyandu dalam cakupan Anda")
@paginate(LimitOffset)
def list_posyandu(request, desa: str | None = None, area: str | None = None, q: str | None = None,
                  active: bool | None = None):
    """`desa`: kode desa/kelurahan; `area`: kode wilayah (posyandu di bawahnya); `q`: cari nama, kode, desa, dusun;
    `active`: beroperasi (true) atau tutup (false)."""
    qs = posyandu_for_user(request.user).order_by("code")
    if desa:
        qs = qs.filter(Q(desa_id=desa))
    return _facility_filters(qs, q=q, active=active, area=area, area_field="desa__code",
                             search_fields=("code", "name", "desa__name", "desa__parent__name", "dusun"))


@router.get("/posyandu/{code}", response={200: PosyanduOut, **NOT_FOUND}, summary="Satu posyandu")
def get_posyandu(request, code: str):
    return get_in_scope_or_404(posyandu_for_user(request.user), code=code)
