"""The risk-area composite as pure functions: each indicator is checked against its threshold, failed
thresholds add their weight to the score, and areas are ranked by score.

Source: RULES.md §7.1. No official Kemenkes scoring for "pembinaan wilayah berisiko" exists; the
implementation choice there is "a transparent composite per desa — each programme indicator classified
against its official threshold … and a count/weighting of failed thresholds — with weights stored as editable
reference data". An indicator without data is neither passed nor failed: it is listed apart and adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from binasehat.indicators.rules import compare

#: How a value must compare with its threshold to *meet* it.
OPS = (">=", ">", "<=", "<")
VALUE, CHANGE = "value", "change"


@dataclass(frozen=True)
class Criterion:
    """One line of the rule set: ``measure`` of ``indicator`` must satisfy ``op threshold``."""

    code: str
    indicator: str
    op: str
    threshold: float
    weight: float = 1.0
    #: "value": the year's value; "change": this year's value minus last year's.
    measure: str = VALUE


@dataclass(frozen=True)
class Check:
    code: str
    value: float | None
    threshold: float
    op: str
    weight: float
    #: True: the threshold is not met; False: met; None: no data (neither).
    failed: bool | None


@dataclass(frozen=True)
class AreaScore:
    score: float
    checks: tuple[Check, ...]

    @property
    def failed(self) -> list[str]:
        return [c.code for c in self.checks if c.failed is True]

    @property
    def passed(self) -> list[str]:
        return [c.code for c in self.checks if c.failed is False]

    @property
    def no_data(self) -> list[str]:
        return [c.code for c in self.checks if c.failed is None]


def meets(value: float | Fraction, op: str, threshold: float) -> bool:
    """Whether ``value op threshold`` holds: exactly at the threshold meets ``>=``/``<=`` and fails ``>``/``<``.

    The comparison is exact, the same one the dashboard makes (``indicators.rules.compare``): give the unrounded
    value (a fraction from the engine's numerator and denominator), never the value rounded for display, so an
    ABJ of 94.95 % (shown as 95,0) does not meet "≥ 95"."""
    if op not in OPS:
        raise ValueError(f"unknown comparison {op!r}")
    return bool(compare(value, threshold, op))


def check(criterion: Criterion, value: float | Fraction | None) -> Check:
    """The check of one criterion on an exact ``value``; the check keeps it as a plain number for display."""
    failed = None if value is None else not meets(value, criterion.op, criterion.threshold)
    return Check(criterion.code, None if value is None else float(value), criterion.threshold, criterion.op,
                 criterion.weight, failed)


def near_threshold(value: float | Fraction | None, threshold: float, decimals: int) -> bool:
    """Whether ``value`` differs from ``threshold`` by no more than rounding to ``decimals`` hides (94.95 against
    95 with one decimal: both read 95,0): such a value is shown with two more decimals."""
    if value is None:
        return False
    v = value if isinstance(value, Fraction) else Fraction(repr(float(value)))
    t = Fraction(repr(float(threshold)))
    return v != t and abs(v - t) <= Fraction(1, 2 * 10 ** decimals)


def measure_value(criterion: Criterion, this_year: float | Fraction | None,
                  last_year: float | Fraction | None) -> float | Fraction | None:
    """The value a criterion judges: the year's value, or its change since last year (no data if either is
    missing). Given exact fractions, the change is exact too."""
    if criterion.measure == CHANGE:
        if this_year is None or last_year is None:
            return None
        return this_year - last_year
    return this_year


def score(criteria: Iterable[Criterion], values: Mapping[str, float | None]) -> AreaScore:
    """Score of one area: Σ weight of the criteria whose threshold is not met. ``values`` by criterion code;
    a missing key or None is no data."""
    checks = tuple(check(c, values.get(c.code)) for c in criteria)
    total = sum(c.weight for c in checks if c.failed is True)
    return AreaScore(round(total, 6), checks)


def ranks(scores: Mapping[str, float]) -> dict[str, int]:
    """Rank 1 = highest score; equal scores share a rank and the next rank skips (1, 2, 2, 4): the
    "standard competition" ranking, so a rank says how many areas score higher."""
    ordered = sorted(scores.values(), reverse=True)
    first = {}
    for i, s in enumerate(ordered, start=1):
        first.setdefault(s, i)
    return {area: first[s] for area, s in scores.items()}


def movement(rank_now: int | None, rank_before: int | None) -> int | None:
    """How many places an area moved towards rank 1 (higher risk) since last year; negative: fewer risks."""
    if rank_now is None or rank_before is None:
        return None
    return rank_before - rank_now
