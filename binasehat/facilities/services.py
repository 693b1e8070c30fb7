"""Every write to facilities: scoped to the actor's area, atomic, audited, guarded by a version number (an update
must say which version it was made from: one that does not is refused, never applied)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core.scope import Scope

from .models import Posyandu, Pustu, Puskesmas

EVERYTHING = Scope(everything=True, permissions=frozenset({"facilities.change", "puskesmas.change"}))


class StaleEdit(ValidationError):
    """Someone else saved the record after this form was opened."""


def _scope(actor) -> Scope:
    return actor.scope if actor is not None else EVERYTHING


def _check_area(actor, code: str, permission: str) -> None:
    scope = _scope(actor)
    if not scope.can(permission):
        raise PermissionDenied(_("Peran Anda tidak boleh mengubah data ini."))
    if not scope.covers(code):
        raise PermissionDenied(_("Wilayah %(code)s di luar wilayah kerja Anda.") % {"code": code})


def _snapshot(obj) -> dict:
    data = snapshot(obj, [f.attname for f in obj._meta.concrete_fields if f.attname not in {"updated_at", "version"}])
    if isinstance(obj, Puskesmas) and obj.pk:
        data["wilayah_kerja"] = sorted(obj.wilayah_kerja.values_list("code", flat=True))
    return data


def _create(model, *, actor, data: dict, area_field: str, permission: str, source: str, m2m: dict | None = None):
    _check_area(actor, data[area_field], permission)
    obj = model(**data)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    audit_record(actor=actor, action="create", obj=obj, after=_snapshot(obj), area_code=obj.area_code, source=source)
    return obj


def _update(obj, *, actor, data: dict, version: int | None, area_field: str, permission: str, source: str,
            m2m: dict | None = None):
    _check_area(actor, getattr(obj, area_field), permission)
    if area_field in data:
        _check_area(actor, data[area_field], permission)
    # The stored state, not ``obj``: a bound ModelForm has already copied its input onto the instance.
    stored = type(obj).objects.get(pk=obj.pk)
    _check_area(actor, getattr(stored, area_field), permission)
    before = _snapshot(stored)
    if version is None:
        raise StaleEdit(_("Formulir ini tidak menyebut versi data yang dibuka, jadi tidak disimpan (agar tidak "
                          "menimpa perubahan orang lain). Muat ulang halaman lalu ulangi."))
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    updated = type(obj).objects.filter(pk=obj.pk, version=version).update(
        **{k: getattr(obj, k) for k in data}, version=F("version") + 1,
    )
    if not updated:
        raise StaleEdit(_("Data ini sudah diubah orang lain sejak formulir dibuka. Muat ulang lalu ulangi perubahan."))
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    obj.refresh_from_db()
    after = _snapshot(obj)
    if after != before:
        audit_record(actor=actor, action="update", obj=obj, before=before, after=after, area_code=obj.area_code,
                     source=source)
    return obj


@transaction.atomic
def posyandu_register(*, actor, data: dict, source: str = "web") -> Posyandu:
    return _create(Posyandu, actor=actor, data=data, area_field="desa_id", permission="facilities.change",
                   source=source)


@transaction.atomic
def posyandu_update(*, actor, posyandu: Posyandu, data: dict, version: int | None,
                    source: str = "web") -> Posyandu:
    return _update(posyandu, actor=actor, data=data, version=version, area_field="desa_id",
                   permission="facilities.change", source=source)


@transaction.atomic
def pustu_register(*, actor, data: dict, source: str = "web") -> Pustu:
    return _create(Pustu, actor=actor, data=data, area_field="desa_id", permission="facilities.change", source=source)


@transaction.atomic
def pustu_update(*, actor, pustu: Pustu, data: dict, version: int | None, source: str = "web") -> Pustu:
    return _update(pustu, actor=actor, data=data, version=version, area_field="desa_id",
                   permission="facilities.change", source=source)


def _check_wilayah(actor, desa_codes: Iterable[str]) -> list[str]:
    codes = sorted(set(desa_codes))
    for code in codes:
        _check_area(actor, code, "puskesmas.change")
    return codes


@transaction.atomic
def puskesmas_register(*, actor, data: dict, wilayah_kerja: Iterable[str] = (), source: str = "web") -> Puskesmas:
    codes = _check_wilayah(actor, wilayah_kerja)
    return _create(Puskesmas, actor=actor, data=data, area_field="kecamatan_id", permission="puskesmas.change",
                   source=source, m2m={"wilayah_kerja": codes})


@transaction.atomic
def puskesmas_update(*, actor, puskesmas: Puskesmas, data: dict, wilayah_kerja: Iterable[str] | None = None,
                     version: int | None, source: str = "web") -> Puskesmas:
    m2m = None if wilayah_kerja is None else {"wilayah_kerja": _check_wilayah(actor, wilayah_kerja)}
    return _update(puskesmas, actor=actor, data=data, version=version, area_field="kecamatan_id",
                   permission="puskesmas.change", source=source, m2m=m2m)
