"""Small cells on the dashboard, its map and the pivot table (pure functions: plain values in and out).

The PIS-PK indicators that reveal a diagnosis (TB treated, hypertension treated, mental illness treated) have as
denominator the number of families with that diagnosis; a desa where it is 1 to 4 names those families. As the
family report does (``binasehat/core/disclosure.py``), such a value is hidden from roles without
``sensitive.view``, and so is a second value of the same group where one hidden value could be got back from the
group's shown total."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from binasehat.core.disclosure import suppressed
from binasehat.families.rules import DIAGNOSIS

#: Indicator codes whose denominator counts families with a diagnosis.
SENSITIVE_INDICATORS = frozenset(f"PISPK_{i:02d}" for i in DIAGNOSIS)


def hidden_cells(indicator_code: str, denominators: Sequence[float | None], groups: Sequence[Hashable] | None = None,
                 *, threshold: int) -> set[int]:
    """Indexes of the values to hide: none for an indicator that reveals no diagnosis; else the cells whose
    denominator (families with the diagnosis) is below ``threshold`` but not zero, plus one more per group where a
    group would lose only one."""
    if indicator_code not in SENSITIVE_INDICATORS:
        return set()
    counts = [0 if d is None else int(round(d)) for d in denominators]
    return suppressed(counts, groups, threshold=threshold)
