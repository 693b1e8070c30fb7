"""Weight gain month to month: N (naik), T (tidak naik), O, B and 2T, by the Kenaikan Berat Badan Minimal (KBM).
Pure functions: no Django, no database.

Sources (RULES-2.md §6):
* Buku KIA 2023, p. 54: "NAIK (N): … Kenaikan BB sama dengan KBM (Kenaikan BB Minimal) atau lebih"; "TIDAK NAIK (T):
  … Kenaikan BB kurang dari KBM". KBM by age in months: 1 → 800 g, 2 → 900 g, 3 → 800 g, 4 → 600 g, 5 → 500 g,
  6 → 400 g [C]; 7–10 → 300 g, 11–60 → 200 g [P, a puskesmas workbook laid out like the Buku KIA row]. The table
  is configurable (``KBM_GRAMS``).
* Local F1 format: O = weighed this month but not last month; B = weighed for the first time; D = N + T + O + B;
  2T = two consecutive weighings with T. Order: B → O → (gain ≥ KBM → N) → T. No N/T across a gap of more than a
  month (the child is O).
* Only the KBM branch is computed; the Buku KIA's "follows the growth line" branch needs a human reading the curve.
"""

from __future__ import annotations

import datetime as dt

#: Minimum monthly gain in grams by age in completed months (months 0 and above 60: none).
KBM_GRAMS = {1: 800, 2: 900, 3: 800, 4: 600, 5: 500, 6: 400, **{m: 300 for m in range(7, 11)},
             **{m: 200 for m in range(11, 61)}}


def kbm_grams(age_months: int) -> int | None:
    return KBM_GRAMS.get(age_months)


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def classify(visits: list[tuple[dt.date, float | None]], birth: dt.date) -> list[str]:
    """N, T, O or B for each weighing of one child, in date order (``visits``: (date, weight kg)); "" where no weight."""
    result = []
    previous: tuple[dt.date, float] | None = None
    for day, weight in visits:
        if weight is None:
            result.append("")
            continue
        if previous is None:
            result.append("B")
        elif months_between(previous[0], day) != 1:
            result.append("O")
        else:
            age_months = months_between(birth, day) - (1 if day.day < birth.day else 0)
            minimum = kbm_grams(age_months)
            gain = round((weight - previous[1]) * 1000)
            result.append("N" if minimum is not None and gain >= minimum else "T")
        previous = (day, weight)
    return result


def two_t(codes: list[str]) -> bool:
    """Whether the last two weighings were both T (2T: refer to the health worker)."""
    weighed = [c for c in codes if c]
    return len(weighed) >= 2 and weighed[-1] == "T" and weighed[-2] == "T"
