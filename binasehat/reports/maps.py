"""Maps drawn on the server as SVG: desa boundaries (a choropleth of any indicator) and posyandu points.
No tiles and no JavaScript: the map prints, exports to PDF and works offline."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: Property names that commonly hold the Kemendagri code in desa boundary files (BIG, BPS, Kemendagri exports).
CODE_PROPERTIES = ("kode", "kode_desa", "kode_wilayah", "kd_desa", "kdepum", "kode_kemendagri", "code", "id")
INDONESIA = (94.0, -11.5, 141.5, 6.5)  # lon/lat bounding box
WIDTH = 640


class BoundaryError(ValueError):
    pass


def normalise_code(value) -> str:
    """Kemendagri desa code with dots (``1903012001`` → ``19.03.01.2001``)."""
    text = str(value or "").strip()
    digits = re.sub(r"\D", "", text)
    if "." not in text and len(digits) == 10:
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return text


def _rings(geometry: dict):
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return coords
    raise BoundaryError(_("Geometri %(t)s tidak didukung: hanya Polygon atau MultiPolygon.") % {"t": kind})


def clean_geometry(geometry: dict) -> tuple[dict, tuple[float, float, float, float]]:
    """Check a geometry is a (Multi)Polygon in longitude/latitude inside Indonesia; coordinates rounded to 5
    decimals (about 1 m). Returns the geometry and its bounding box."""
    if not isinstance(geometry, dict):
        raise BoundaryError(_("Fitur tanpa geometri."))
    polygons = _rings(geometry)
    xs, ys, out = [], [], []
    try:
        for polygon in polygons:
            rings = []
            for ring in polygon:
                pts = [(round(float(p[0]), 5), round(float(p[1]), 5)) for p in ring]
                if len(pts) < 4:
                    raise BoundaryError(_("Poligon dengan kurang dari 4 titik."))
                xs += [p[0] for p in pts]
                ys += [p[1] for p in pts]
                rings.append([list(p) for p in pts])
            out.append(rings)
    except (TypeError, ValueError, IndexError) as e:
        if isinstance(e, BoundaryError):
            raise
        raise BoundaryError(_("Koordinat tidak terbaca.")) from None
    box = (min(xs), min(ys), max(xs), max(ys))
    if box[0] < INDONESIA[0] or box[2] > INDONESIA[2] or box[1] < INDONESIA[1] or box[3] > INDONESIA[3]:
        raise BoundaryError(_("Koordinat di luar Indonesia: berkas harus berproyeksi WGS84 (bujur/lintang, EPSG:4326)."))
    return {"type": "MultiPolygon", "coordinates": out}, box


def features_of(data: bytes) -> list[dict]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BoundaryError(_("Berkas bukan GeoJSON yang sah (JSON tidak terbaca).")) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list):
        return doc["features"]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return [doc]
    raise BoundaryError(_("Berkas harus GeoJSON FeatureCollection dengan satu fitur per desa/kelurahan."))


def code_of(feature: dict, prop: str = "") -> str:
    props = feature.get("properties") or {}
    if prop:
        return normalise_code(props.get(prop))
    lower = {k.lower(): v for k, v in props.items()}
    for name in CODE_PROPERTIES:
        if lower.get(name):
            return normalise_code(lower[name])
    return ""


@dataclass
class Projection:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: float = WIDTH

    def __post_init__(self):
        pad_x = (self.max_lon - self.min_lon) * 0.03 or 0.01
        pad_y = (self.max_lat - self.min_lat) * 0.03 or 0.01
        self.min_lon, self.max_lon = self.min_lon - pad_x, self.max_lon + pad_x
        self.min_lat, self.max_lat = self.min_lat - pad_y, self.max_lat + pad_y
        self.kx = math.cos(math.radians((self.min_lat + self.max_lat) / 2))
        self.scale = self.width / ((self.max_lon - self.min_lon) * self.kx)
        self.height = (self.max_lat - self.min_lat) * self.scale

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.min_lon) * self.kx * self.scale, (self.max_lat - lat) * self.scale

    def path(self, geometry: dict) -> str:
        parts = []
        for polygon in geometry["coordinates"]:
            for ring in polygon:
                pts = [self.xy(x, y) for x, y in ring]
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        return "".join(parts)


#: From "far from target" to "good": red → amber → green.
RAMP = ("#b91c1c", "#ea580c", "#eab308", "#84cc16", "#15803d")
NO_DATA = "#e5e7eb"


def classes(values: list[float | None], direction: str, n: int = 5) -> tuple[list[str], list[tuple[float, float, str]]]:
    """Colour per value (equal intervals between the lowest and highest value; green is the good end), and the
    legend as (from, to, colour)."""
    present = [v for v in values if v is not None]
    if not present:
        return [NO_DATA] * len(values), []
    lo, hi = min(present), max(present)
    step = (hi - lo) / n or 1.0
    ramp = RAMP if direction == "up" else tuple(reversed(RAMP))
    colours = []
    for v in values:
        if v is None:
            colours.append(NO_DATA)
        else:
            colours.append(ramp[min(int((v - lo) / step), n - 1)])
    legend = [(lo + i * step, lo + (i + 1) * step, ramp[i]) for i in range(n)] if hi > lo else [(lo, hi, ramp[-1])]
    return colours, legend
