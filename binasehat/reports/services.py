"""Writing desa boundaries uploaded as GeoJSON: checked per feature, scoped, audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_bulk
from binasehat.regions.models import Region

from . import maps
from .models import Boundary

MAX_BYTES = 30 * 1024 * 1024


@dataclass
class BoundaryResult:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    error: str = ""
    committed: bool = False


@transaction.atomic
def boundaries_upload(*, actor, data: bytes, prop: str = "", source: str = "", partial: bool = False) -> BoundaryResult:
    """Store one boundary per desa/kelurahan feature. Any rejected feature stops the upload unless ``partial``."""
    result = BoundaryResult()
    if len(data) > MAX_BYTES:
        result.error = _("Berkas lebih dari 30 MB: sederhanakan geometrinya (misalnya dengan mapshaper) lalu unggah lagi.")
        return result
    try:
        features = maps.features_of(data)
    except maps.BoundaryError as e:
        result.error = str(e)
        return result
    scope = getattr(actor, "scope", None)
    codes = [maps.code_of(f, prop) for f in features]
    desa = set(Region.objects.filter(code__in=[c for c in codes if c], level=4).values_list("code", flat=True))
    existing = set(Boundary.objects.filter(region_id__in=desa).values_list("region_id", flat=True))
    rows, seen = {}, set()
    for i, (feature, code) in enumerate(zip(features, codes), start=1):
        if not code:
            result.rejected.append((i, "", _("Fitur tanpa kode desa/kelurahan (properti %(p)s).") % {
                "p": prop or ", ".join(maps.CODE_PROPERTIES)}))
            continue
        if code not in desa:
            result.rejected.append((i, code, _("Kode %(c)s bukan desa/kelurahan yang dikenal.") % {"c": code}))
            continue
        if scope is not None and not scope.covers(code):
            result.rejected.append((i, code, _("Desa %(c)s di luar wilayah Anda.") % {"c": code}))
            continue
        if code in seen:
            result.rejected.append((i, code, _("Desa %(c)s muncul lebih dari sekali.") % {"c": code}))
            continue
        try:
            geometry, box = maps.clean_geometry(feature.get("geometry"))
        except maps.BoundaryError as e:
            result.rejected.append((i, code, str(e)))
            continue
        seen.add(code)
        rows[code] = (geometry, box)
    if not rows and not result.rejected:
        result.error = _("Berkas tidak berisi fitur.")
        return result
    if result.rejected and not partial:
        return result
    audits = []
    for code, (geometry, box) in rows.items():
        obj, created = Boundary.objects.update_or_create(region_id=code, defaults={
            "geometry": geometry, "min_lon": box[0], "min_lat": box[1], "max_lon": box[2], "max_lat": box[3],
            "source": source[:200], "uploaded_by": actor if getattr(actor, "pk", None) else None})
        if code in existing:
            result.updated += 1
        else:
            result.created += 1
        audits.append({"action": "update" if code in existing else "create", "obj": obj,
                       "after": {"source": source, "bbox": list(box)}, "area_code": code})
    audit_bulk(audits, actor=actor, source="web" if actor else "demo")
    result.committed = True
    return result


def demo_boundaries(*, centroids: dict[str, tuple[float, float]], source: str, cells: int = 48) -> int:
    """Blocky stand-in boundaries for the demo district: a grid over the desa, each square given to the nearest
    desa centre. They are not real boundaries (the demo has none) and say so in their source."""
    import json
    import math

    lons = [c[0] for c in centroids.values()]
    lats = [c[1] for c in centroids.values()]
    box = (min(lons) - 0.03, min(lats) - 0.03, max(lons) + 0.03, max(lats) + 0.03)
    kx = math.cos(math.radians((box[1] + box[3]) / 2))
    nx = cells
    ny = max(4, round(cells * (box[3] - box[1]) / ((box[2] - box[0]) * kx)))
    dx, dy = (box[2] - box[0]) / nx, (box[3] - box[1]) / ny
    items = sorted(centroids.items())
    owner = {}
    for j in range(ny):
        for i in range(nx):
            lon, lat = box[0] + (i + 0.5) * dx, box[1] + (j + 0.5) * dy
            owner[(i, j)] = min(items, key=lambda it: ((it[1][0] - lon) * kx) ** 2 + (it[1][1] - lat) ** 2)[0]
    polygons: dict[str, list] = {code: [] for code in centroids}
    for j in range(ny):
        i = 0
        while i < nx:  # merge runs of squares of one desa along a row
            code, start = owner[(i, j)], i
            while i < nx and owner[(i, j)] == code:
                i += 1
            x0, x1 = box[0] + start * dx, box[0] + i * dx
            y0, y1 = box[1] + j * dy, box[1] + (j + 1) * dy
            polygons[code].append([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]])
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": code}, "geometry": {"type": "MultiPolygon", "coordinates": polys}}
        for code, polys in polygons.items() if polys]}
    result = boundaries_upload(actor=None, data=json.dumps(collection).encode(), source=source)
    if result.error or result.rejected:
        raise RuntimeError(f"demo boundaries: {result.error or result.rejected[:3]}")
    return result.created + result.updated
