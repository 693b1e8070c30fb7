"""The arithmetic of indicators, as pure functions (no Django, no database).

* A value is Σ numerator ÷ Σ denominator × factor. Areas and periods are combined by **summing numerators and
  denominators** (DESIGN.md, RULES.md §1.4), never by averaging percentages.
* Density Figure (RULES.md §6.3, WHO 1972 table): DF 1–9 from HI, CI and BI.
"""

from __future__ import annotations

import math
from bisect import bisect_right
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


def meets(value: float | None, target: float | None, op: str) -> bool | None:
    """Whether ``value`` reaches ``target`` under ``op`` (">=", ">", "<=", "<"); None when either is missing.
    The value is compared as shown: rounding is the caller's, so compare the rounded value."""
    if value is None or target is None:
        return None
    return {">=": value >= target, ">": value > target, "<=": value <= target, "<": value < target}[op]


def change(current: float | None, previous: float | None) -> float | None:
    """current − previous (in the indicator's own unit: cases, percentage points)."""
    if current is None or previous is None:
        return None
    return current - previous
