"""Growth charts as the Buku KIA draws them: WHO curves −3 to +3 SD over age, and the child's points. Pure: the
LMS tables in, SVG geometry out (rendered by a template)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import who_tables

SD_LINES = (-3, -2, 0, 2, 3)
WIDTH, HEIGHT, PAD_L, PAD_B, PAD_T, PAD_R = 640, 360, 44, 30, 12, 12
COLOURS = {-3: "#111827", -2: "#dc2626", 0: "#16a34a", 2: "#dc2626", 3: "#111827"}


@dataclass
class Chart:
    title: str
    unit: str
    lines: list[tuple[int, str, str]]  # (sd, colour, svg path)
    points: list[tuple[float, float, str]]  # (x, y, tooltip)
    path: str  # the child's line
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT


def _value_at(l, m, s, k):
    """The measurement at ``k`` SD: M(1 + L·S·k)^(1/L) (M·exp(S·k) where L = 0)."""
    l, m, s = (np.asarray(a, dtype=float) for a in (l, m, s))
    safe_l = np.where(np.abs(l) > 1e-12, l, 1.0)
    return np.where(np.abs(l) > 1e-12, m * (1 + safe_l * s * k) ** (1 / safe_l), m * np.exp(s * k))


def age_chart(indicator: str, sex: int, points: list[tuple[int, float]], title: str, unit: str,
              max_day: int = 1826) -> Chart:
    """``indicator`` wfa or lhfa; ``points`` (age in days, value)."""
    table = who_tables.day_table(indicator)
    days = np.arange(0, max_day + 1, 15)
    l, m, s = (table.lms[k, sex - 1, days] for k in range(3))
    curves = {k: _value_at(l, m, s, k) for k in SD_LINES}
    lo = min(float(np.nanmin(curves[-3])), min((v for _d, v in points), default=np.inf))
    hi = max(float(np.nanmax(curves[3])), max((v for _d, v in points), default=-np.inf))
    span = hi - lo or 1

    def x(day):
        return PAD_L + (WIDTH - PAD_L - PAD_R) * day / max_day

    def y(value):
        return HEIGHT - PAD_B - (HEIGHT - PAD_B - PAD_T) * (value - lo) / span

    lines = [(k, COLOURS[k], "M" + " L".join(f"{x(d):.1f},{y(v):.1f}" for d, v in zip(days, curves[k])))
             for k in SD_LINES]
    pts = [(x(d), y(v), f"{d // 30} bln: {v:g} {unit}") for d, v in points if 0 <= d <= max_day]
    path = "M" + " L".join(f"{px:.1f},{py:.1f}" for px, py, _t in pts) if pts else ""
    step = 10 if span < 40 else 20
    y_ticks = [(y(v), f"{v:g}") for v in np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)]
    x_ticks = [(x(month * 30.4375), f"{month}") for month in range(0, 61, 6)]
    return Chart(title, unit, lines, pts, path, x_ticks, y_ticks)


def length_chart(table_name: str, sex: int, points: list[tuple[float, float]], title: str) -> Chart:
    """Weight-for-length (``wfl``, 45–110 cm) or weight-for-height (``wfh``, 65–120 cm); ``points``: (cm, kg)."""
    table = who_tables.length_table(table_name)
    start, end = (45.0, 110.0) if table_name == "wfl" else (65.0, 120.0)
    rows = np.arange(0, table.rows, 10)  # every whole centimetre
    cms = start + rows * 0.1
    l, m, s = (table.lms[k, sex - 1, rows] for k in range(3))
    curves = {k: _value_at(l, m, s, k) for k in SD_LINES}
    inside = [(cm, kg) for cm, kg in points if start <= cm <= end]
    lo = min(float(np.nanmin(curves[-3])), min((kg for _c, kg in inside), default=np.inf))
    hi = max(float(np.nanmax(curves[3])), max((kg for _c, kg in inside), default=-np.inf))
    span = hi - lo or 1

    def x(cm):
        return PAD_L + (WIDTH - PAD_L - PAD_R) * (cm - start) / (end - start)

    def y(value):
        return HEIGHT - PAD_B - (HEIGHT - PAD_B - PAD_T) * (value - lo) / span

    lines = [(k, COLOURS[k], "M" + " L".join(f"{x(c):.1f},{y(v):.1f}" for c, v in zip(cms, curves[k])))
             for k in SD_LINES]
    pts = [(x(c), y(v), f"{c:g} cm: {v:g} kg") for c, v in inside]
    path = "M" + " L".join(f"{px:.1f},{py:.1f}" for px, py, _t in pts) if pts else ""
    step = 2 if span < 20 else 5
    y_ticks = [(y(v), f"{v:g}") for v in np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)]
    x_ticks = [(x(c), f"{c:g}") for c in np.arange(start, end + 1e-9, 5 if table_name == "wfl" else 5)]
    return Chart(title, "kg", lines, pts, path, x_ticks, y_ticks)
