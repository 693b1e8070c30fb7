"""Small cells: statistical disclosure control for aggregates that roles without ``sensitive.view`` see.

A count of families (or people) with a diagnosis in a small area names them: an RW with one surveyed family and
"TB treated: 0 of 1" says that family has an untreated TB case. As statistical offices do (BPS; Eurostat's
"Handbook on Statistical Disclosure Control", primary and secondary suppression), a cell counting fewer than the
threshold (``SMALL_CELL_THRESHOLD``, default 5) but more than none is suppressed, and so is a second cell of the
same group when a group would otherwise lose only one, so that the hidden value cannot be got back by subtracting
the shown ones from the group's total. Pure functions: plain values in and out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def suppressed(counts: Sequence[int], groups: Sequence[Hashable] | None = None, *, threshold: int) -> set[int]:
    """Indexes of ``counts`` to suppress: primary cells 0 < n < threshold, then per group (rows that add up to
    one shown total) one more cell — the smallest non-zero shown one — where a group has exactly one suppressed."""
    hidden = {i for i, n in enumerate(counts) if 0 < n < threshold}
    if groups is None:
        groups = [None] * len(counts)
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    for rows in members.values():
        if len(rows) < 2 or sum(1 for i in rows if i in hidden) != 1:
            continue
        others = [i for i in rows if i not in hidden and counts[i] > 0]
        if others:
            hidden.add(min(others, key=lambda i: (counts[i], i)))
    return hidden


def small(count: int, *, threshold: int) -> bool:
    """One count on its own (a total): suppressed when 0 < count < threshold."""
    return 0 < count < threshold
