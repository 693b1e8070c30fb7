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


# --- kader level rules (settings the district owns) -----------------------------------------------------------

LEVEL_FIELDS = ["name", "required_groups", "min_groups"]


def level_version(level) -> str:
    from binasehat.core.district_settings import version_of

    return version_of(snapshot(level, LEVEL_FIELDS))


@transaction.atomic
def level_update(*, actor, level, required_groups, min_groups: int, version: str | None,
                 source: str = "web"):
    """Change the rule of one kader level (which skill groups it requires, how many groups in all). The rule is
    not in an official text (``rules.py``), so the district sets it. Checked: known groups, the count at least
    the required groups and at most the groups there are, and no level easier than the one below it. Kader levels
    are computed when read, so every page shows the new levels at once. Audited; ``version`` as in
    ``level_version`` (another one raises ``VersionConflict``)."""
    from django.core.exceptions import ValidationError

    from binasehat.core import district_settings

    from .models import Level, SkillGroup

    district_settings.require(actor)
    stored = Level.objects.select_for_update().get(pk=level.pk)
    district_settings.check_version(version, level_version(stored))
    groups = list(SkillGroup.objects.values_list("code", flat=True))
    required = [g for g in groups if g in set(required_groups)]  # in the groups' order
    errors = []
    if unknown := sorted(set(required_groups) - set(groups)):
        errors.append(_("Kelompok keterampilan tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)})
    if not len(required) <= min_groups <= len(groups):
        errors.append(_("Jumlah kelompok minimal harus antara %(low)s (kelompok wajib) dan %(high)s (semua "
                        "kelompok).") % {"low": len(required), "high": len(groups)})
    for other in Level.objects.exclude(pk=stored.pk):
        easier = other.order > stored.order and (other.min_groups < min_groups
                                                  or not set(required) <= set(other.required_groups))
        harder = other.order < stored.order and (other.min_groups > min_groups
                                                  or not set(other.required_groups) <= set(required))
        if easier or harder:
            errors.append(_("Tingkat %(this)s tidak boleh lebih mudah dari tingkat di bawahnya atau lebih sulit dari "
                            "tingkat di atasnya (%(other)s).") % {"this": stored.name, "other": other.name})
    if errors:
        raise ValidationError(errors)
    before = snapshot(stored, LEVEL_FIELDS)
    stored.required_groups, stored.min_groups = required, min_groups
    after = snapshot(stored, LEVEL_FIELDS)
    if before != after:
        stored.save()
        audit_record(actor=actor, action="update", obj=stored, before=before, after=after, source=source)
    return stored
