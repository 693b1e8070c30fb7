"""Maps drawn on the server as SVG: desa boundaries (a choropleth of any indicator) and posyandu points.
No tiles and no JavaScript: the map prints, exports to PDF and works offline."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import NamedTuple

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
#: All desa with a value have the same one: nothing to compare, so neither "good" nor "bad".
UNIFORM = "#93c5fd"


class LegendClass(NamedTuple):
    """One class of the legend: the lowest and highest value that fall in it, and its colour."""

    lo: float
    hi: float
    colour: str


def classes(values: list[float | None], direction: str, n: int = 5) -> tuple[list[str], list[LegendClass]]:
    """Colour per value and the legend, by quantiles of the values themselves: a value's class is
    ``floor(k × (values below it + half the values equal to it) ÷ N)`` (its middle rank) with N values present and
    k = min(n, distinct values), so equal values share a class, no class is empty and each legend entry runs from the lowest to the highest value
    actually in it (never a range no desa has). Colours spread over the ramp, green at the good end (``up``: high
    is good). All values equal: one neutral class; none: no legend."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return [NO_DATA] * len(values), []
    distinct = sorted(set(present))
    if len(distinct) == 1:
        return [NO_DATA if v is None else UNIFORM for v in values], [LegendClass(distinct[0], distinct[0], UNIFORM)]
    k = min(n, len(distinct))
    middle, seen = {}, 0
    for v in distinct:
        n_v = present.count(v)
        middle[v] = seen + n_v / 2
        seen += n_v
    cls = {v: min(k - 1, math.floor(k * middle[v] / len(present))) for v in distinct}
    used = sorted(set(cls.values()))
    ramp = RAMP if direction == "up" else tuple(reversed(RAMP))
    colour_of = {c: ramp[round(i * (len(ramp) - 1) / max(len(used) - 1, 1))] for i, c in enumerate(used)}
    legend = [LegendClass(min(v for v in distinct if cls[v] == c), max(v for v in distinct if cls[v] == c),
                          colour_of[c]) for c in used]
    return [NO_DATA if v is None else colour_of[cls[v]] for v in values], legend


def label_point(geometry: dict, proj: "Projection") -> tuple[float, float, float]:
    """Where a desa's name goes: the centre of the bounding box of its largest outer ring (projected), and that
    ring's projected width (a name is drawn only where it fits)."""
    best = None
    for polygon in geometry["coordinates"]:
        pts = [proj.xy(x, y) for x, y in polygon[0]]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        area = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]))) / 2
        if best is None or area > best[0]:
            best = (area, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, max(xs) - min(xs))
    return best[1], best[2], best[3]


#: Font sizes of desa names in map units (the map is WIDTH units wide): small where the map is wide on screen,
#: large on a phone, where the same map is shown about 360 px wide.
LABEL_SMALL, LABEL_LARGE = 9.0, 20.0


def label_fit(name: str, width: float) -> str:
    """Which label sizes fit a desa ``width`` map units wide: "l" (both), "s" (only the small one) or ""
    (none: the name is in the details panel and the table instead). A character is about 0.55 em wide."""
    need = 0.55 * len(name)
    if need * LABEL_LARGE <= width:
        return "l"
    if need * LABEL_SMALL <= width:
        return "s"
    return ""


@dataclass
class MapMeasure:
    """What a map colours its desa by, as ``reports/_map.html`` names it (an indicator, or e.g. a risk score)."""

    display_name: str
    unit: str = ""


def value_map(boundaries, values: dict, details: dict, *, measure, year: int, direction: str,
              text=str, small_cell: int | None = None) -> dict:
    """The context ``reports/_map.html`` draws: ``boundaries`` (``Boundary`` rows, regions loaded) coloured by
    ``values`` ({desa code: number or None}) in classes of the values themselves, each desa's tap text
    ``details`` ({code: text}), desa names where they fit, the legend written with ``text`` (a number → its
    text). No posyandu points: the dashboard's ``map_context`` adds them."""
    boundaries = list(boundaries)
    if not boundaries:
        return {}
    proj = Projection(min(b.min_lon for b in boundaries), min(b.min_lat for b in boundaries),
                      max(b.max_lon for b in boundaries), max(b.max_lat for b in boundaries))
    shown = [values.get(b.region_id) for b in boundaries]
    colours, legend = classes(shown, direction)
    shapes = []
    for b, colour in zip(boundaries, colours):
        x, y, width = label_point(b.geometry, proj)
        shapes.append({"code": b.region_id, "name": b.region.name, "path": proj.path(b.geometry), "colour": colour,
                       "value": values.get(b.region_id), "hidden": False,
                       "detail": details.get(b.region_id) or _("tidak ada data"),
                       "label_x": f"{x:.1f}", "label_y": f"{y:.1f}", "fit": label_fit(b.region.name, width)})
    present = [v for v in shown if v is not None]
    return {"width": proj.width, "height": f"{proj.height:.0f}", "shapes": shapes, "points": [],
            "legend": [{"colour": c.colour, "label": text(c.lo) if text(c.lo) == text(c.hi)
                        else f"{text(c.lo)}–{text(c.hi)}"} for c in legend],
            "indicator": measure, "year": year,
            "uniform": text(present[0]) if present and len(set(present)) == 1 else None,
            "single": len(present) == 1, "any_hidden": False, "small_cell": small_cell,
            "demo_boundaries": any(b.source.startswith("demo") for b in boundaries)}
