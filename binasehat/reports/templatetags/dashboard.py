"""Indicator values and trend charts for the dashboard (server-side SVG: prints and works offline)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from binasehat.core.formatting import number

register = template.Library()


@register.filter
def ivalue(value, indicator):
    """An indicator value with its decimals, Indonesian (or English) decimal mark; a dash when undefined."""
    if value is None:
        return "—"
    return number(value, indicator.decimals)


@register.filter
def magnitude(value):
    return None if value is None else abs(value)


@register.filter
def count(value):
    if value is None:
        return "—"
    return ivalue(value, _Whole)


class _Whole:
    decimals = 0


#: Presentation attributes, not CSS: WeasyPrint draws inline SVG without the page's stylesheet (a polyline
#: without fill="none" prints as a solid black shape), and no inline style is needed on screen either.
STROKES = {
    "current": 'fill="none" stroke="#0f766e" stroke-width="1.6"',
    "previous": 'fill="none" stroke="#94a3b8" stroke-width="1.2" stroke-dasharray="3 2"',
    "target": 'fill="none" stroke="#9ca3af" stroke-width="0.8"',
}


@register.simple_tag
def trend(series, target=None, width=220, height=64):
    """Two lines: this year (solid) and the previous year (dashed), 12 months, and the target as a grey line
    (a list of 12 values draws the target month by month: the prorated target of a cumulative indicator)."""
    this_year, last_year = series
    targets = list(target) if isinstance(target, (list, tuple)) else None
    values = [v for v in [*this_year, *last_year, *(targets or [target])] if v is not None]
    if not values:
        return mark_safe('<span class="muted small">—</span>')
    lo, hi = min(0.0, min(values)), max(values) or 1.0
    span = (hi - lo) or 1.0
    pad = 4

    def xy(i, v):
        return pad + i * (width - 2 * pad) / 11, height - pad - (v - lo) / span * (height - 2 * pad)

    def line(points, cls):
        runs, current = [], []
        for i, v in enumerate(points):
            if v is None:
                if current:
                    runs.append(current)
                current = []
            else:
                current.append(xy(i, v))
        if current:
            runs.append(current)
        return format_html_join("", '<polyline class="{}" {} points="{}"/>',
                                ((cls, mark_safe(STROKES[cls]), " ".join(f"{x:.1f},{y:.1f}" for x, y in run))
                                 for run in runs))

    target_line = ""
    if targets is not None:
        target_line = line(targets, "target")
    elif target is not None:
        y = xy(0, target)[1]
        target_line = format_html('<line class="target" {} x1="{}" x2="{}" y1="{}" y2="{}"/>', mark_safe(STROKES["target"]),
                                  pad, width - pad, f"{y:.1f}", f"{y:.1f}")
    return format_html('<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">{t}{b}{a}</svg>',
                       w=width, h=height, t=target_line, b=line(last_year, "previous"), a=line(this_year, "current"))


@register.filter
def op_text(op):
    return {">=": "≥", ">": ">", "<=": "≤", "<": "<"}.get(op, op)
