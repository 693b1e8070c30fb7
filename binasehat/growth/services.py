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


def _child_key(name: str, birth, mother: str) -> tuple[str, object, str]:
    return " ".join((name or "").lower().split()), birth, " ".join((mother or "").lower().split())


def child_duplicates(*, desa_id: str, name: str, birth_date, mother_name: str = "", nik: str = ""):
    """Children already in the registry that a new registration would repeat, by the children import's keys: the
    same NIK, or the same name, birth date and mother's name (case and spaces ignored) in the same desa."""
    from .models import Child

    found = []
    if nik:
        found += list(Child.objects.filter(nik=nik))
    key = _child_key(name, birth_date, mother_name)
    for child in Child.objects.filter(desa_id=desa_id, birth_date=birth_date, name__iexact=" ".join(name.split())):
        if _child_key(child.name, child.birth_date, child.mother_name) == key and child not in found:
            found.append(child)
    return found


class DuplicateChild(Exception):
    def __init__(self, children):
        super().__init__("duplicate child")
        self.children = children


def child_register(*, actor, posyandu, data: dict, source: str = "web"):
    """Register a new child at ``posyandu`` (name, sex, birth_date, mother_name, nik optional). Refused outside the
    actor's scope; raises ``DuplicateChild`` when the registry already holds the child (``child_duplicates``)."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction
    from django.utils.translation import gettext as _

    from binasehat.core.audit import audit_record, snapshot

    from .models import Child

    scope = actor.scope
    inside = scope.covers(posyandu.desa_id) and (scope.posyandu_ids is None or posyandu.pk in scope.posyandu_ids)
    if not (scope.can("posyandu.record") and inside):
        raise PermissionDenied(_("Anda tidak boleh mendaftarkan anak di posyandu ini."))
    values = {"name": " ".join(data["name"].split())[:150], "sex": data["sex"], "birth_date": data["birth_date"],
              "mother_name": " ".join((data.get("mother_name") or "").split())[:150], "nik": data.get("nik") or ""}
    with transaction.atomic():
        duplicates = child_duplicates(desa_id=posyandu.desa_id, name=values["name"], birth_date=values["birth_date"],
                                      mother_name=values["mother_name"], nik=values["nik"])
        if duplicates:
            raise DuplicateChild(duplicates)
        child = Child.objects.create(desa_id=posyandu.desa_id, posyandu=posyandu, **values)
        audit_record(actor=actor, action="create", obj=child, after=snapshot(child), area_code=child.desa_id,
                     source=source)
    return child
