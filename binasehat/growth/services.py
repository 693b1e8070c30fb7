"""Measurements get their z-scores and status from growth.rules, vectorised: one call for a whole import."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import rules

FLAG_NAMES = {"fwei": "BB/U", "flen": "PB/U", "fwfl": "BB/PB", "fbmi": "IMT/U", "fhc": "LK/U", "fac": "LiLA/U"}
Z_FIELDS = ("zwei", "zlen", "zwfl", "zbmi", "zhc", "zac")


def _num(values):
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def computed_fields(rows: Sequence[dict]) -> list[dict]:
    """For dicts with sex (L/P), age_days, weight_kg, lenhei_cm, measure, oedema, headc_cm, muac_cm: the values of
    the computed Measurement fields (z-scores, flags, categories, programme flags), in the same order."""
    if not rows:
        return []
    result = rules.zscores(
        np.array([1 if r["sex"] == "L" else 2 for r in rows]),
        _num([r["age_days"] for r in rows]),
        _num([r.get("weight_kg") for r in rows]),
        _num([r.get("lenhei_cm") for r in rows]),
        np.array([r.get("measure") or "" for r in rows], dtype=object),
        np.array(["y" if r.get("oedema") else "n" for r in rows], dtype=object),
        headc_cm=_num([r.get("headc_cm") for r in rows]),
        muac_cm=_num([r.get("muac_cm") for r in rows]),
    )
    status = rules.status(result)
    flags = rules.nutrition_flags(result, np.array(["y" if r.get("oedema") else "n" for r in rows], dtype=object))
    out = []
    for i in range(len(rows)):
        item = {}
        for z in Z_FIELDS:
            value = result[z][i]
            item[z] = None if np.isnan(value) else float(value)
        item["flags"] = ", ".join(name for key, name in FLAG_NAMES.items() if result[key][i] == 1)
        for key in ("bb_u", "pb_tb_u", "bb_pb_tb", "imt_u"):
            item[key] = str(status[key][i])
        for key in ("stunting", "wasting", "underweight", "overweight"):
            value = flags[key][i]
            item[key] = None if np.isnan(value) else bool(value)
        out.append(item)
    return out


def measurement_record(*, actor, child, data: dict, source: str = "web"):
    """Record one visit of ``child`` (create or replace that day's measurement), with its z-scores; audited."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction
    from django.utils.translation import gettext as _

    from binasehat.core.audit import audit_record, snapshot
    from binasehat.core.events import data_changed

    from .models import Measurement

    scope = actor.scope
    inside = scope.covers(child.desa_id) and (scope.posyandu_ids is None or child.posyandu_id in scope.posyandu_ids)
    if not (scope.can("posyandu.record") and inside):
        raise PermissionDenied(_("Anda tidak boleh mencatat pengukuran anak ini."))
    age_days = (data["measured_on"] - child.birth_date).days
    computed = computed_fields([{**data, "sex": child.sex, "age_days": age_days}])[0]
    with transaction.atomic():
        existing = Measurement.objects.select_for_update().filter(child=child, measured_on=data["measured_on"]).first()
        before = snapshot(existing) if existing else None
        values = {**data, **computed, "age_days": age_days, "posyandu_id": data.get("posyandu_id") or child.posyandu_id}
        if existing:
            Measurement.objects.filter(pk=existing.pk).update(**values)
            record = Measurement.objects.get(pk=existing.pk)
        else:
            record = Measurement.objects.create(child=child, **values)
        audit_record(actor=actor, action="update" if existing else "create", obj=record, before=before,
                     after=snapshot(record), area_code=child.desa_id, source=source)
        data_changed.send(sender=Measurement, source="growth", cells=[(child.desa_id, record.measured_on)])
    return record
