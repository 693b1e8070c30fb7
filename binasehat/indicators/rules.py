"""The arithmetic of indicators, as pure functions (no Django, no database).

* A value is Σ numerator ÷ Σ denominator × factor. Areas and periods are combined by **summing numerators and
  denominators** (DESIGN.md, RULES.md §1.4), never by averaging percentages.
* Density Figure (RULES.md §6.3, WHO 1972 table): DF 1–9 from HI, CI and BI.
* Periods below a year (DESIGN.md): each indicator declares its behaviour.
  - ``sum``: numerator and denominator are counts of months; a period sums them (D/S, ABJ, CFR, TSR).
  - ``annualised``: a count of months over a yearly denominator (population, estimates, projections, yearly
    targets). For a month or a quarter the value is annualised as DHIS2 does: value × 12 ÷ months in the period,
    compared with the yearly target. For January → month m of the current year (PWS, Pemantauan Wilayah
    Setempat) the value is cumulative, not annualised, and the yearly target is prorated to m/12.
  - ``yearly``: inputs that hold for the year (evaluations, the year's family survey); every period of the year
    has the year's value, counted once.
  - ``distinct``: people counted once per period by their latest record in it (prevalence).
* Targets are compared on the exact value (a fraction), never on the rounded one: ABJ 94.95 % does not meet
  "≥ 95 %" although it is shown as 95.0.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from fractions import Fraction
from collections.abc import Sequence

#: Lower bound of DF 1 … DF 9 for each index (RULES.md §6.3): DF1 HI 1–3 / CI 1–2 / BI 1–4; DF2 4–7 / 3–5 / 5–9;
#: DF3 8–17 / 6–9 / 10–19; DF4 18–28 / 10–14 / 20–34; DF5 29–37 / 15–20 / 35–49; DF6 38–49 / 21–27 / 50–74;
#: DF7 50–59 / 28–31 / 75–99; DF8 60–76 / 32–40 / 100–199; DF9 ≥ 77 / ≥ 41 / ≥ 200.
DF_LOWER = {
    "HI": (1, 4, 8, 18, 29, 38, 50, 60, 77),
    "CI": (1, 3, 6, 10, 15, 21, 28, 32, 41),
    "BI": (1, 5, 10, 20, 35, 50, 75, 100, 200),
}


def ratio(numerator: float, denominator: float | None, factor: float = 1.0) -> float | None:
    """numerator ÷ denominator × factor; None when the denominator is missing or 0. Without a denominator
    (``None`` given for an indicator that has none) the value is the numerator itself."""
    if denominator is None:
        return numerator * factor
    if denominator == 0:
        return None
    return numerator / denominator * factor


def combine(terms: Sequence[str], values: dict[str, float]) -> float:
    """Σ of the inputs named in ``terms`` ("-name" subtracts)."""
    total = 0.0
    for term in terms:
        if term.startswith("-"):
            total -= values.get(term[1:], 0.0)
        else:
            total += values.get(term, 0.0)
    return total


def density_figure_of(index: str, value: float | None) -> int | None:
    """DF of one index value (HI, CI or BI). 0 when no larvae; the ranges of the table are read as "from this
    lower bound up to the next one", so a value between two printed ranges (HI 3.5) keeps the lower DF, and
    any value above 0 is at least DF 1."""
    if value is None:
        return None
    if value <= 0:
        return 0
    return max(1, bisect_right(DF_LOWER[index], value))


def density_figure(hi: float | None, ci: float | None, bi: float | None) -> int | None:
    """DF of an area. Implementation choice (the table gives one DF per index): the mean of the DF of HI, CI
    and BI, half rounded up; indices that cannot be computed are left out."""
    figures = [density_figure_of(k, v) for k, v in (("HI", hi), ("CI", ci), ("BI", bi))]
    figures = [f for f in figures if f is not None]
    if not figures:
        return None
    return math.floor(sum(figures) / len(figures) + 0.5)


def larva_indices(houses_positive: float, containers_positive: float, houses: float,
                  containers: float) -> tuple[float | None, float | None, float | None]:
    """HI, CI, BI (RULES.md §6.3)."""
    return ratio(houses_positive, houses, 100), ratio(containers_positive, containers, 100), \
        ratio(containers_positive, houses, 100)


SUM, ANNUALISED, YEARLY, DISTINCT = "sum", "annualised", "yearly", "distinct"
YTD = "ytd"


def period_scale(behaviour: str, kind: str, months: int) -> Fraction:
    """What a value is multiplied by for a period of ``kind`` spanning ``months`` months: 12 ÷ months for an
    annualised indicator over a month or a quarter (DHIS2's annualisation), else 1."""
    if behaviour == ANNUALISED and kind in ("month", "quarter"):
        return Fraction(12, months)
    return Fraction(1)


def target_in_period(target: float | None, behaviour: str, kind: str, months: int) -> Fraction | None:
    """The yearly target as it applies to the period, exactly: prorated to months ÷ 12 for the cumulative
    January → month period of an annualised indicator (PWS), unchanged otherwise."""
    if target is None:
        return None
    if behaviour == ANNUALISED and kind == YTD:
        return Fraction(str(target)) * months / 12
    return Fraction(str(target))


def _exact(x: float) -> Fraction:
    """A number as the decimal it is written as (0.8 is 4/5, not the binary float nearest to it)."""
    return x if isinstance(x, Fraction) else Fraction(repr(x) if isinstance(x, float) else str(x))


def exact_value(numerator: float, denominator: float | None, factor: float, scale: Fraction = Fraction(1)
                ) -> Fraction | None:
    """numerator ÷ denominator × factor × scale as an exact fraction; None without a usable denominator."""
    if denominator is not None and denominator == 0:
        return None
    value = _exact(numerator) * Fraction(str(factor)) * scale
    return value if denominator is None else value / _exact(denominator)


def compare(value: Fraction | float | None, target: float | Fraction | None, op: str) -> bool | None:
    """Whether ``value`` reaches ``target`` under ``op`` (">=", ">", "<=", "<"), exactly; None when either is
    missing. Give the unrounded value: rounding is for display only."""
    if value is None or target is None:
        return None
    v = value if isinstance(value, Fraction) else _exact(value)
    t = target if isinstance(target, Fraction) else Fraction(str(target))
    return {">=": v >= t, ">": v > t, "<=": v <= t, "<": v < t}[op]


def meets(value: float | None, target: float | None, op: str) -> bool | None:
    """``compare`` on a plain value (kept for callers with a value in hand)."""
    return compare(value, target, op)


# The same arithmetic on integers: a value is the pair (p, q) of the fraction p ÷ q with q > 0, never reduced
# (reducing is what makes ``Fraction`` slow, and neither a comparison nor the float needs it). ``p / q`` on Python
# integers is correctly rounded, exactly as ``float(Fraction(p, q))``; a comparison with a target t = tn ÷ td is
# p × td ≥ tn × q. The functions above stay the reference these are tested against.

#: Integral floats below this are their own decimal (repr(2.0**53 + 2) is not the integer it holds).
_EXACT_INT = 2 ** 53


@functools.lru_cache(maxsize=65536)
def _decimal_parts(x) -> tuple[int, int]:
    return _exact(x).as_integer_ratio()


def parts(x) -> tuple[int, int]:
    """A number as the decimal it is written as (``_exact``), as (numerator, denominator > 0)."""
    if type(x) is float:
        if x.is_integer() and -_EXACT_INT < x < _EXACT_INT:
            return int(x), 1
        return _decimal_parts(x)
    if type(x) is int:
        return x, 1
    if isinstance(x, Fraction):
        return x.numerator, x.denominator
    return Fraction(str(x)).as_integer_ratio()


def scale_parts(behaviour: str, kind: str, months: int) -> tuple[int, int]:
    """``period_scale`` as (numerator, denominator)."""
    if behaviour == ANNUALISED and kind in ("month", "quarter"):
        return 12, months
    return 1, 1


@functools.lru_cache(maxsize=4096)
def target_parts(target: float | None, behaviour: str, kind: str, months: int) -> tuple[int, int] | None:
    """``target_in_period`` as (numerator, denominator > 0)."""
    if target is None:
        return None
    n, d = Fraction(str(target)).as_integer_ratio()
    if behaviour == ANNUALISED and kind == YTD:
        return n * months, d * 12
    return n, d


def value_parts(numerator: float, denominator: float | None, factor: tuple[int, int],
                scale: tuple[int, int] = (1, 1)) -> tuple[int, int] | None:
    """``exact_value`` as (p, q), q > 0, not reduced; ``factor`` and ``scale`` given as parts."""
    if denominator is not None and denominator == 0:
        return None
    n, d = parts(numerator)
    p, q = n * factor[0] * scale[0], d * factor[1] * scale[1]
    if denominator is None:
        return p, q
    dn, dd = parts(denominator)
    p, q = p * dd, q * dn
    return (-p, -q) if q < 0 else (p, q)


def compare_parts(value: tuple[int, int] | None, target: tuple[int, int] | None, op: str) -> bool | None:
    """``compare`` on parts (both denominators > 0)."""
    if value is None or target is None:
        return None
    left, right = value[0] * target[1], target[0] * value[1]
    if op == ">=":
        return left >= right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    if op == "<":
        return left < right
    raise KeyError(op)


def to_float(value: tuple[int, int] | None) -> float | None:
    """The float nearest the exact value (as ``float(Fraction)``)."""
    return None if value is None else value[0] / value[1]


def change(current: float | None, previous: float | None) -> float | None:
    """current − previous (in the indicator's own unit: cases, percentage points)."""
    if current is None or previous is None:
        return None
    return current - previous
