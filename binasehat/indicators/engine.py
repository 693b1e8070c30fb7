"""One engine: the value of indicators for areas and periods, as rows of (indicator, area, period, numerator,
denominator, value). Read from the monthly aggregates; areas and months are combined by summing numerators
and denominators (never by averaging percentages)."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Substr

from binasehat.core.periods import Period, ordinal_date

from . import rules
from .aggregates import refresh_pending
from .models import Aggregate, Indicator
from .sources import kinds_of

#: Up to this many areas of one level are filtered in SQL (substring IN …); beyond, the common parent's prefix
#: filters and the rest is dropped in Python.
MAX_AREAS_IN = 1000


@dataclass(frozen=True)
class Value:
    indicator: str
    area: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float | None = None
    meets: bool | None = None


@dataclass(frozen=True)
class AreaGroup:
    """An area that is not one subtree: a puskesmas' wilayah kerja (its desa) with the puskesmas' own data
    (``<kecamatan>.#<code>`` aggregate keys). ``members`` are matched exactly."""

    code: str
    members: tuple[str, ...]


def _common_parent(codes: Sequence[str]) -> str:
    prefix = os.path.commonprefix(list(codes))
    if all(c == prefix for c in codes):
        return prefix
    return prefix[: prefix.rfind(".")] if "." in prefix else ""


def _group_sums(inputs, groups: Sequence[AreaGroup], months) -> dict[tuple, float]:
    owners: dict[str, list[str]] = defaultdict(list)
    for g in groups:
        for m in g.members:
            owners[m].append(g.code)
    out: dict[tuple, float] = defaultdict(float)
    qs = Aggregate.objects.filter(input__in=inputs, month__gte=months[0], month__lte=months[-1],
                                  region_code__in=sorted(owners))
    if len(months) < 40:
        qs = qs.filter(month__in=months)
    for inp, code, month, v in qs.values_list("input", "region_code", "month").annotate(v=Sum("value")).order_by():
        for owner in owners[code]:
            out[(inp, owner, month)] += float(v)
    return dict(out)


def input_sums(inputs: Iterable[str], areas: Sequence, months: Iterable[dt.date]) -> dict[tuple, float]:
    """{(input, area, month): Σ value} for areas given by Kemendagri code (any level, mixed) or as AreaGroups."""
    inputs, months = sorted(set(inputs)), sorted(set(months))
    out: dict[tuple, float] = {}
    if not inputs or not months or not areas:
        return out
    groups = [a for a in areas if isinstance(a, AreaGroup)]
    if groups:
        out.update(_group_sums(inputs, groups, months))
    by_length: dict[int, list[str]] = defaultdict(list)
    for a in sorted({a for a in areas if not isinstance(a, AreaGroup)}):
        by_length[len(a)].append(a)
    for length, codes in by_length.items():
        qs = Aggregate.objects.filter(input__in=inputs, month__gte=months[0], month__lte=months[-1])
        if len(months) < 40:
            qs = qs.filter(month__in=months)
        parent = _common_parent(codes)
        if parent:  # one index-friendly prefix range around all the areas
            qs = qs.filter(Q(region_code=parent) | Q(region_code__startswith=parent + "."))
        qs = qs.annotate(area=Substr("region_code", 1, length))
        if len(codes) <= MAX_AREAS_IN and len(codes) > 1:
            qs = qs.filter(area__in=codes)
        wanted = set(codes)
        rows = qs.values_list("input", "area", "month").annotate(v=Sum("value")).order_by()
        for inp, area, month, v in rows:
            if area in wanted:
                out[(inp, area, month)] = float(v)
    return out


def _period_inputs(sums: dict, kinds: dict[str, str], area: str, period: Period) -> dict[str, float]:
    values: dict[str, float] = {}
    for inp, kind in kinds.items():
        if kind == "year":
            values[inp] = sums.get((inp, area, dt.date(period.year, 1, 1)), 0.0)
        else:
            values[inp] = sum(sums.get((inp, area, ordinal_date(m)), 0.0) for m in period.months())
    return values


def value_of(indicator: Indicator, values: dict[str, float]) -> tuple[float | None, float | None, float | None]:
    """(numerator, denominator, value) of one indicator from its inputs' sums."""
    if indicator.formula == Indicator.Formula.DENSITY_FIGURE:
        houses_pos, containers_pos = (rules.combine([t], values) for t in indicator.numerator)
        houses, containers = (rules.combine([t], values) for t in indicator.denominator)
        hi, ci, bi = rules.larva_indices(houses_pos, containers_pos, houses, containers)
        return None, None, None if hi is None and ci is None else rules.density_figure(hi, ci, bi)
    num = rules.combine(indicator.numerator, values)
    den = rules.combine(indicator.denominator, values) if indicator.denominator else None
    return num, den, rules.ratio(num, den, indicator.factor)


def evaluate(indicators: Sequence[Indicator], areas: Sequence, periods: Sequence[Period]) -> list[Value]:
    """Every indicator × area × period. Areas are Kemendagri codes (or AreaGroups) the caller has already checked
    against the user's scope; a group's rows carry its ``code``."""
    refresh_pending()
    names = {inp for ind in indicators for inp in ind.inputs()}
    known = kinds_of(names)
    kinds = {name: known.get(name, "month") for name in names}
    months = set()
    for p in periods:
        months.add(dt.date(p.year, 1, 1))
        if any(k == "month" for k in kinds.values()):
            months.update(ordinal_date(m) for m in p.months())
    sums = input_sums(kinds, areas, months)
    out = []
    for area in areas:
        area = area.code if isinstance(area, AreaGroup) else area
        for period in periods:
            values = _period_inputs(sums, kinds, area, period)
            for ind in indicators:
                num, den, value = value_of(ind, values)
                target = ind.target_for(period.year)
                shown = None if value is None else round(value, ind.decimals)
                out.append(Value(ind.code, area, str(period), num, den, value, target,
                                 rules.meets(shown, target, ind.target_op)))
    return out


def table(indicators, areas, periods) -> dict[tuple[str, str, str], Value]:
    """``evaluate`` keyed by (indicator code, area, period text)."""
    return {(v.indicator, v.area, v.period): v for v in evaluate(indicators, areas, periods)}
