"""Figures of the monthly record that other records compute: D, N, O, B, BGM and 2T from the children's weighings.

The records they come from live in an app further down (growth), which this app may not import; that side
registers a provider at start-up (``register``), and the monthly form and ``services.month_record`` ask here.
Without a provider, or without weighings in the month, nothing is computed and every figure is typed freely.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: The figures a provider may compute (S and K are carried over as suggestions, never computed).
COMPUTED_FIELDS = ("d", "n", "o", "b", "bgm", "t2")

_providers: list[Callable] = []


def register(provider: Callable) -> None:
    """``provider(user, posyandu, month)`` -> {field: count} for the month (empty when nothing to compute)."""
    if provider not in _providers:
        _providers.append(provider)


def computed_figures(user, posyandu, month: dt.date) -> dict[str, int]:
    """The figures computed from individual records for ``posyandu`` in ``month``, as seen by ``user``."""
    out: dict[str, int] = {}
    for provider in _providers:
        out.update(provider(user, posyandu, month.replace(day=1)) or {})
    return {k: int(v) for k, v in out.items() if k in COMPUTED_FIELDS and v is not None}
