"""Writes to indicator definitions: the district's own targets. National targets ship in
``reference/indicators.json`` with their source and are reloaded after every migration, so they are read-only
here; a district target (``"district": true``) is stored after them and, where its years overlap a national
one, wins (``Indicator.target_entry``: the later entry wins). Figures follow at once: the engine reads the
targets each time it evaluates."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binasehat.core import district_settings
from binasehat.core.audit import audit_record

from .models import Indicator

YEAR_MIN, YEAR_MAX = 2000, 2100


def national_targets(indicator: Indicator) -> list[dict]:
    return [t for t in (indicator.targets or []) if not t.get("district")]


def district_targets(indicator: Indicator) -> list[dict]:
    return [t for t in (indicator.targets or []) if t.get("district")]


def targets_version(indicator: Indicator) -> str:
    return district_settings.version_of(indicator.targets or [])


def _span(entry: Mapping) -> tuple[float, float]:
    start, end = entry.get("from"), entry.get("to")
    return (-math.inf if start is None else start, math.inf if end is None else end)


def overlapping(entries: Iterable[Mapping]) -> list[tuple[int, int]]:
    """Pairs (i, j) of entries whose year spans share a year ("from"/"to" None: open-ended). Pure."""
    spans = [_span(e) for e in entries]
    return [(i, j) for i in range(len(spans)) for j in range(i + 1, len(spans))
            if spans[i][0] <= spans[j][1] and spans[j][0] <= spans[i][1]]


def _year(value, label: str, errors: list[str], row: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not YEAR_MIN <= year <= YEAR_MAX or str(value).strip() not in (str(year), f"{year}.0"):
        errors.append(_("Baris %(row)s: %(label)s harus tahun %(min)s–%(max)s.") % {
            "row": row, "label": label, "min": YEAR_MIN, "max": YEAR_MAX})
        return None
    return year


def clean_district_targets(entries: Iterable[Mapping]) -> list[dict]:
    """District target entries checked and normalised: a number, years as whole years with "dari" ≤ "sampai"
    (either may be open), a source (the decision that set it), no two sharing a year. Sorted by first year.
    Raises ValidationError with every problem (Indonesian, by row)."""
    errors: list[str] = []
    out: list[dict] = []
    for row, e in enumerate(entries, start=1):
        value = e.get("value")
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            errors.append(_("Baris %(row)s: target harus angka tidak negatif.") % {"row": row})
        start = _year(e.get("from"), _("tahun mulai"), errors, row)
        end = _year(e.get("to"), _("tahun akhir"), errors, row)
        if start is not None and end is not None and start > end:
            errors.append(_("Baris %(row)s: tahun mulai %(start)s sesudah tahun akhir %(end)s.") % {
                "row": row, "start": start, "end": end})
        source = str(e.get("source") or "").strip()
        if not source:
            errors.append(_("Baris %(row)s: tuliskan sumber target (mis. nomor SK atau Renstra Dinas Kesehatan).")
                          % {"row": row})
        out.append({"value": int(number) if math.isfinite(number) and number == int(number) else number,
                    "from": start, "to": end, "source": source, "district": True})
    if not errors:
        out.sort(key=lambda t: _span(t))
        for i, j in overlapping(out):
            errors.append(_("Target %(a)s dan %(b)s berlaku pada tahun yang sama; satu tahun hanya boleh punya satu "
                            "target kabupaten/kota.") % {"a": _span_text(out[i]), "b": _span_text(out[j])})
    if errors:
        raise ValidationError(errors)
    return out


def _span_text(entry: Mapping) -> str:
    start, end = entry.get("from"), entry.get("to")
    if start is not None and start == end:
        return str(start)
    return f"{start if start is not None else '…'}–{end if end is not None else '…'}"


@transaction.atomic
def targets_update(*, actor, indicator: Indicator, district: Iterable[Mapping], version: str | None,
                   source: str = "web") -> Indicator:
    """Replace the district's own targets of ``indicator`` (national targets are kept as shipped, first, so a
    district target overlapping them wins). ``version``: ``targets_version`` of the page the user edited; a
    different one raises ``district_settings.VersionConflict``. Audited with the lists before and after."""
    district_settings.require(actor)
    stored = Indicator.objects.select_for_update().get(pk=indicator.pk)
    district_settings.check_version(version, targets_version(stored))
    new = clean_district_targets(district)
    before = list(stored.targets or [])
    after = [*national_targets(stored), *new]
    if after == before:
        return stored
    stored.targets = after
    stored.save(update_fields=["targets"])
    audit_record(actor=actor, action="update", obj=stored, before={"targets": before}, after={"targets": after},
                 source=source)
    indicator.targets = after
    return stored
