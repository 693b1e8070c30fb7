"""Scores of every desa/kelurahan of a district for a year, read through the indicator engine only."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from binasehat.core.periods import Period
from binasehat.facilities.models import Puskesmas
from binasehat.indicators import engine
from binasehat.indicators import rules as indicator_rules
from binasehat.regions.models import Region

from . import rules
from .loading import current_ruleset
from .models import RuleItem, RuleSet


@dataclass
class AreaResult:
    code: str
    name: str
    year: int
    result: rules.AreaScore
    rank: int = 0
    puskesmas: str = ""
    puskesmas_name: str = ""
    rank_puskesmas: int | None = None
    previous: rules.AreaScore | None = None
    previous_rank: int | None = None
    items: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def movement(self) -> int | None:
        return rules.movement(self.rank, self.previous_rank)

    @property
    def score_change(self) -> float | None:
        return None if self.previous is None else round(self.score - self.previous.score, 6)

    def checks(self):
        """(rule item, check) pairs in the rule set's order."""
        return [(self.items[c.code], c) for c in self.result.checks]

    def snapshot(self, ruleset: RuleSet) -> dict:
        return {"year": self.year, "score": self.score, "rank": self.rank, "ruleset": ruleset.code,
                "ruleset_version": ruleset.version, "failed": self.result.failed, "no_data": self.result.no_data,
                "checks": [{"code": c.code, "value": c.value, "op": c.op, "threshold": c.threshold,
                            "weight": c.weight, "failed": c.failed} for c in self.result.checks]}


def district_of(code: str) -> str:
    return ".".join(code.split(".")[:2])


def active_items(ruleset: RuleSet) -> list[RuleItem]:
    return list(ruleset.items.filter(active=True).select_related("indicator"))


def exact_value(indicator, v: engine.Value | None) -> Fraction | None:
    """The engine's value as the exact fraction the dashboard compares with its target: Σ numerator ÷
    Σ denominator × factor × scale, recomputed from the row (its ``value`` is that fraction as a float). A value
    without numerator (Density Figure, a whole number) is taken as it is."""
    if v is None or v.value is None:
        return None
    if v.numerator is None:
        return Fraction(repr(float(v.value)))
    return indicator_rules.exact_value(v.numerator, v.denominator, indicator.factor,
                                       Fraction(repr(float(v.scale))))


def _values(items, table, code: str, year: int) -> dict[str, Fraction | None]:
    out = {}
    for it in items:
        def exact(y):
            return exact_value(it.indicator, table.get((it.indicator.code, code, str(y))))
        out[it.code] = rules.measure_value(it.criterion(), exact(year), exact(year - 1))
    return out


def district_scores(district: str, year: int, ruleset: RuleSet | None = None) -> dict[str, AreaResult]:
    """Every desa/kelurahan of ``district`` (a kabupaten/kota code): this year's score and rank (in the district
    and in its puskesmas' wilayah kerja) and last year's. Values are compared exactly, as the dashboard compares
    them with their targets (never rounded: rounding is for display)."""
    ruleset = ruleset or current_ruleset()
    items = active_items(ruleset)
    desa = list(Region.objects.filter(level=4, code__startswith=district + ".").order_by("code"))
    codes = [d.code for d in desa]
    indicators = list({it.indicator.code: it.indicator for it in items}.values())
    table = engine.table(indicators, codes, [Period(year - 2), Period(year - 1), Period(year)]) if codes else {}
    criteria = [it.criterion() for it in items]
    by_code = {it.code: it for it in items}
    out: dict[str, AreaResult] = {}
    previous: dict[str, rules.AreaScore] = {}
    for d in desa:
        now = rules.score(criteria, _values(items, table, d.code, year))
        previous[d.code] = rules.score(criteria, _values(items, table, d.code, year - 1))
        out[d.code] = AreaResult(d.code, d.name, year, now, items=by_code, previous=previous[d.code])
    rank_now = rules.ranks({c: r.score for c, r in out.items()})
    rank_before = rules.ranks({c: s.score for c, s in previous.items()})
    for c, r in out.items():
        r.rank, r.previous_rank = rank_now[c], rank_before[c]
    owners = Puskesmas.wilayah_kerja.through.objects.filter(region_id__in=codes).values_list(
        "region_id", "puskesmas__code", "puskesmas__name")
    groups: dict[str, dict[str, float]] = {}
    for code, pkm, pkm_name in owners:
        if code in out:
            out[code].puskesmas, out[code].puskesmas_name = pkm, pkm_name
            groups.setdefault(pkm, {})[code] = out[code].score
    for members in groups.values():
        for code, rank in rules.ranks(members).items():
            out[code].rank_puskesmas = rank
    return out
