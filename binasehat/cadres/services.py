"""Every write to the kader registry: scoped, atomic, audited, version-guarded."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core.events import records_changed

from .models import Kader

AUDITED = ["nik", "name", "sex", "birth_date", "phone", "posyandu_id", "sk_number", "sk_date", "active"]


class StaleEdit(Exception):
    pass


def _check(actor, posyandu) -> None:
    scope = actor.scope
    if not scope.can("facilities.change"):
        raise PermissionDenied(_("Peran Anda tidak boleh mengubah data kader."))
    inside = scope.covers(posyandu.desa_id) and (scope.posyandu_ids is None or posyandu.pk in scope.posyandu_ids)
    if not inside:
        raise PermissionDenied(_("Posyandu ini di luar wilayah kerja Anda."))


@transaction.atomic
def kader_register(*, actor, data: dict, skills=(), source: str = "web") -> Kader:
    kader = Kader(**data)
    _check(actor, kader.posyandu)
    kader.full_clean()
    kader.save()
    kader.skills.set(skills)
    audit_record(actor=actor, action="create", obj=kader, after=snapshot(kader, AUDITED), area_code=kader.area_code,
                 source=source)
    _changed([kader.posyandu_id])
    return kader


@transaction.atomic
def kader_update(*, actor, kader: Kader, data: dict, skills=None, version: int | None,
                 source: str = "web") -> Kader:
    """Update a kader; ``version`` is the version the form was opened with (None is refused, never applied)."""
    stored = Kader.objects.select_related("posyandu").get(pk=kader.pk)
    _check(actor, stored.posyandu)
    if version is None:
        raise StaleEdit(_("Formulir ini tidak menyebut versi data kader yang dibuka, jadi tidak disimpan. Muat ulang "
                          "halaman lalu ulangi."))
    before = snapshot(stored, AUDITED)
    before["skills"] = sorted(stored.skills.values_list("code", flat=True))
    for k, v in data.items():
        setattr(kader, k, v)
    _check(actor, kader.posyandu)
    kader.full_clean()
    if not Kader.objects.filter(pk=kader.pk, version=version).update(**data, version=F("version") + 1):
        raise StaleEdit(_("Data kader ini sudah diubah orang lain sejak formulir dibuka. Muat ulang lalu ulangi."))
    if skills is not None:
        kader.skills.set(skills)
    kader.refresh_from_db()
    after = snapshot(kader, AUDITED)
    after["skills"] = sorted(kader.skills.values_list("code", flat=True))
    if after != before:
        audit_record(actor=actor, action="update", obj=kader, before=before, after=after, area_code=kader.area_code,
                     source=source)
    _changed([stored.posyandu_id, kader.posyandu_id])
    return kader


def _changed(posyandu_ids) -> None:
    """Kader with an SK count towards Posyandu Aktif: re-evaluate after the commit."""
    ids = sorted(set(posyandu_ids))
    transaction.on_commit(lambda: records_changed.send(sender=Kader, posyandu_ids=ids))


@transaction.atomic
def training_add(*, actor, kader: Kader, name: str, held_on=None, organizer: str = "", source: str = "web"):
    """Record a training the kader attended."""
    from .models import Training

    _check(actor, kader.posyandu)
    training = Training.objects.create(kader=kader, name=name, held_on=held_on, organizer=organizer)
    audit_record(actor=actor, action="create", obj=training,
                 after={"kader": kader.pk, "name": name, "held_on": held_on.isoformat() if held_on else None,
                        "organizer": organizer}, area_code=kader.area_code, source=source)
    return training
