"""Writes of PIS-PK data beyond the imports: recomputing a survey's family values, auditing exports."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from binasehat.core.audit import audit_bulk
from binasehat.core.events import data_changed

from . import rules
from .models import Answer, Family, Survey


def answer_codes(letters_rows: list[list[str]]) -> np.ndarray:
    """Stored answers (rows of 12 letters) → rule codes: empty is MISSING, or EMPTY for the household columns."""
    if not letters_rows:
        return np.zeros((0, rules.N_INDICATORS), np.int8)
    arr = np.array(letters_rows, dtype="U1")
    out = np.empty(arr.shape, np.int8)
    for j in range(rules.N_INDICATORS):
        out[:, j] = rules.parse_answers(arr[:, j], household=j in rules.HOUSEHOLD)
    return out


def surveys_recompute(*, survey_ids: Iterable[int]) -> int:
    """Recompute the family values, completeness, ΣY/ΣT/ΣN and category of these surveys from all their stored
    answers (``rules.family_values``, the same code the ``iks`` command runs). Returns how many changed."""
    ids = sorted(set(survey_ids))
    changed = 0
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        rows = list(Answer.objects.filter(survey_id__in=chunk).order_by("survey_id", "member_id")
                    .values_list("survey_id", *rules.COLUMNS))
        if not rows:
            continue
        survey_of = np.array([r[0] for r in rows])
        present, family_index = np.unique(survey_of, return_inverse=True)
        codes = answer_codes([list(r[1:]) for r in rows])
        values = rules.family_values(codes, family_index, len(present))
        scores = rules.family_scores(values, rules.family_complete(codes, family_index, len(present)))
        current = {s.pk: s for s in Survey.objects.filter(pk__in=present.tolist())}
        updates = []
        for k, sid in enumerate(present.tolist()):
            s = current[sid]
            cat = ("" if not scores.defined[k] else rules.SEHAT if scores.sehat[k] else
                   rules.PRA_SEHAT if scores.pra_sehat[k] else rules.TIDAK_SEHAT)
            new = (rules.values_text(values[k]), bool(scores.complete[k]), int(scores.sum_y[k]),
                   int(scores.sum_t[k]), int(scores.sum_n[k]), cat)
            if new != (s.values, s.complete, s.sum_y, s.sum_t, s.sum_n, s.category):
                s.values, s.complete, s.sum_y, s.sum_t, s.sum_n, s.category = new
                updates.append(s)
        Survey.objects.bulk_update(updates, ["values", "complete", "sum_y", "sum_t", "sum_n", "category"],
                                   batch_size=2000)
        changed += len(updates)
        data_changed.send(sender=Survey, source="families", cells=set(
            Survey.objects.filter(pk__in=chunk).values_list("family__desa_id", "visited_on")))
    return changed


#: Not one of AuditEntry.Action's choices (create/update/delete): an export changes nothing, and recording it as
#: "update" would make the family's history claim a change that never happened. The value is stored as is and
#: shown raw; adding ``EXPORT = "export", _("diekspor")`` to core.models.AuditEntry.Action would label it.
EXPORT_ACTION = "export"


def home_visit_export_audit(*, actor, families: list[Family], indicator: int, year: int | None, fmt: str) -> int:
    """One audit entry per family whose data left the system in a home-visit list (who, when, which list)."""
    after = {"daftar": f"kunjungan rumah i{indicator:02d}", "tahun": year, "format": fmt}
    return audit_bulk(
        ({"action": EXPORT_ACTION, "obj": f, "before": None, "after": after, "area_code": f.desa_id}
         for f in families),
        actor=actor, source="web",
    )


def family_register(*, actor, data: dict, members: list[dict], source: str = "web") -> Family:
    """Register a family (No. KK, head, address, RT, RW, desa) with its members, inside the actor's area; audited.
    A No. KK already registered is refused."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from binasehat.core.audit import audit_record, snapshot


    scope = actor.scope
    if scope.posyandu_ids is not None or not scope.covers(data.get("desa_id")):
        raise PermissionDenied(_("Desa di luar wilayah Anda."))
    no_kk = (data.get("no_kk") or "").strip()
    if len(no_kk) != 16 or not no_kk.isdigit():
        raise ValidationError({"no_kk": _("No. KK harus 16 angka.")})
    with transaction.atomic():
        if Family.objects.filter(no_kk=no_kk).exists():
            raise ValidationError({"no_kk": _("No. KK ini sudah terdaftar.")})
        family = Family.objects.create(no_kk=no_kk, head_name=data["head_name"].strip()[:150],
                                       address=(data.get("address") or "")[:255], rt=(data.get("rt") or "")[:3],
                                       rw=(data.get("rw") or "")[:3], desa_id=data["desa_id"])
        audit_record(actor=actor, action="create", obj=family, after=snapshot(family), area_code=family.desa_id,
                     source=source)
        for m in members:
            member_add(actor=actor, family=family, data=m, source=source)
    return family


def member_add(*, actor, family: Family, data: dict, source: str = "web"):
    """Add one member (name, sex, birth_date, relation, NIK optional) to a family in the actor's area; audited."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction
    from django.utils.translation import gettext as _

    from binasehat.core.audit import audit_record, snapshot

    from .models import Member

    scope = actor.scope
    if scope.posyandu_ids is not None or not scope.covers(family.desa_id):
        raise PermissionDenied(_("Keluarga di luar wilayah Anda."))
    with transaction.atomic():
        member = Member.objects.create(family=family, name=data["name"].strip()[:150], sex=data["sex"],
                                       birth_date=data["birth_date"], relation=data["relation"],
                                       nik=data.get("nik") or "")
        audit_record(actor=actor, action="create", obj=member, after=snapshot(member), area_code=family.desa_id,
                     source=source)
    return member


def family_visit_record(*, actor, family: Family, visited_on, answers: dict[int, dict[int, str]], surveyor: str = "",
                        source: str = "web") -> Survey:
    """Record the answers of one visit (``answers``: {member id: {indicator 1–12: "Y"/"T"/"N"/""}}), replacing that
    day's answers, and recompute the family values and IKS (``surveys_recompute``, as the ``iks`` command); audited."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from binasehat.core.audit import audit_record, snapshot

    scope = actor.scope
    if scope.posyandu_ids is not None or not scope.covers(family.desa_id):
        raise PermissionDenied(_("Keluarga di luar wilayah Anda."))
    members = {m.pk: m for m in family.members.all()}
    if set(answers) - set(members):
        raise ValidationError(_("Jawaban untuk orang yang bukan anggota keluarga ini."))
    for member_answers in answers.values():
        if any(v not in ("Y", "T", "N", "") for v in member_answers.values()):
            raise ValidationError(_("Jawaban hanya Y, T atau N."))
    with transaction.atomic():
        survey, created = Survey.objects.get_or_create(family=family, visited_on=visited_on,
                                                       defaults={"surveyor": surveyor[:150]})
        before = None if created else {str(a.member_id): a.letters() for a in survey.answers.all()}
        survey.answers.all().delete()
        Answer.objects.bulk_create([
            Answer(survey=survey, member_id=member_id, **{rules.COLUMNS[i - 1]: v for i, v in member_answers.items()})
            for member_id, member_answers in sorted(answers.items())])
        surveys_recompute(survey_ids=[survey.pk])
        survey.refresh_from_db()
        after = {str(a.member_id): a.letters() for a in survey.answers.all()}
        audit_record(actor=actor, action="create" if created else "update", obj=survey,
                     before=None if created else {"answers": before}, after={"answers": after, **snapshot(survey)},
                     area_code=family.desa_id, source=source)
    return survey


class StaleEdit(Exception):
    """The family or member was saved by someone else after this version was read: nothing was written."""


#: What an edit of a family may change (the No. KK is its key: a wrong one is a new registration).
FAMILY_EDITABLE = ("head_name", "address", "rt", "rw", "desa_id", "puskesmas_id")
MEMBER_EDITABLE = ("nik", "name", "sex", "birth_date", "relation", "pregnant", "breastfeeding")


def _no_version():
    from django.utils.translation import gettext as _

    return StaleEdit(_("Perubahan ini tidak menyebut versi data yang dibuka, jadi tidak disimpan (agar tidak menimpa "
                       "perubahan orang lain). Muat ulang lalu ulangi."))


def _stale():
    from django.utils.translation import gettext as _

    return StaleEdit(_("Data ini sudah diubah orang lain sejak dibuka. Muat ulang lalu ulangi perubahan."))


def _versioned_edit(queryset, *, pk, actor, data: dict, version: int | None, editable: tuple[str, ...],
                    check_scope, clean_exclude: list[str], area_code, prepare=None, source: str):
    """The one edit sequence of a family or a member: lock the stored row, check the actor's area (``check_scope``
    with the stored row), refuse a missing or stale ``version`` (StaleEdit), apply ``data``, validate, write it with
    ``version + 1`` and audit the change. Returns ``(stored, before, after)``; nothing is written on a refusal."""
    from django.core.exceptions import ValidationError
    from django.db.models import F
    from django.utils.translation import gettext as _

    from binasehat.core.audit import audit_record, snapshot

    unknown = set(data) - set(editable)
    if unknown:
        raise ValidationError(_("Kolom ini tidak dapat diubah: %(c)s.") % {"c": ", ".join(sorted(unknown))})
    stored = queryset.select_for_update().get(pk=pk)
    check_scope(stored)
    if version is None:
        raise _no_version()
    if stored.version != version:
        raise _stale()
    if prepare is not None:
        prepare(stored)
    before = snapshot(stored, list(editable))
    for name, value in data.items():
        setattr(stored, name, value)
    stored.full_clean(exclude=clean_exclude)
    queryset.model.objects.filter(pk=stored.pk, version=version).update(
        **{k: getattr(stored, k) for k in data}, version=F("version") + 1)
    stored.refresh_from_db()
    after = snapshot(stored, list(editable))
    if after != before:
        audit_record(actor=actor, action="update", obj=stored, before=before, after=after,
                     area_code=area_code(stored), source=source)
    return stored, before, after


def _outside_area():
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    return PermissionDenied(_("Keluarga di luar wilayah Anda."))


def family_update(*, actor, family: Family, data: dict, version: int | None, source: str = "web") -> Family:
    """Change a family's head, address, RT/RW, desa or puskesmas, made from ``version`` (refused with StaleEdit when
    it is missing or someone saved the family meanwhile); inside the actor's area before and after; audited. A
    family moved to another desa moves its surveys' counts with it."""
    from django.db import transaction

    scope = actor.scope

    def check_scope(stored):
        for code in (stored.desa_id, data.get("desa_id", stored.desa_id)):
            if scope.posyandu_ids is not None or not scope.covers(code):
                raise _outside_area()

    with transaction.atomic():
        stored, before, after = _versioned_edit(
            Family.objects.all(), pk=family.pk, actor=actor, data=data, version=version, editable=FAMILY_EDITABLE,
            check_scope=check_scope, clean_exclude=["no_kk"], area_code=lambda f: f.desa_id, source=source)
        if before["desa_id"] != after["desa_id"]:
            days = Survey.objects.filter(family=stored).values_list("visited_on", flat=True)
            cells = {(desa, day) for day in days for desa in (before["desa_id"], after["desa_id"])}
            if cells:
                data_changed.send(sender=Family, source="families", cells=cells)
    return stored


def member_update(*, actor, member, data: dict, version: int | None, source: str = "web"):
    """Change a member's NIK, name, sex, birth date, relation, pregnant or breastfeeding, made from ``version``
    (refused with StaleEdit when it is missing or someone saved the member meanwhile); inside the actor's area;
    audited. The family's surveys are recomputed (an answer's applicability depends on age and sex)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from .models import Member

    scope = actor.scope
    data = {k: ("" if k == "nik" and v is None else v) for k, v in data.items()}

    def check_scope(stored):
        if scope.posyandu_ids is not None or not scope.covers(stored.family.desa_id):
            raise _outside_area()

    def check_nik(stored):
        nik = data.get("nik", stored.nik)
        if nik != stored.nik and nik and Member.objects.filter(nik=nik).exclude(pk=stored.pk).exists():
            raise ValidationError({"nik": _("NIK ini tidak dapat dipakai di sini. Bila NIK sudah benar, hubungi Dinas "
                                            "Kesehatan.")})

    with transaction.atomic():
        stored, before, after = _versioned_edit(
            Member.objects.select_related("family"), pk=member.pk, actor=actor, data=data, version=version,
            editable=MEMBER_EDITABLE, check_scope=check_scope, clean_exclude=["family"],
            area_code=lambda m: m.family.desa_id, prepare=check_nik, source=source)
        if after != before:
            surveys_recompute(survey_ids=Survey.objects.filter(family_id=stored.family_id).values_list("pk", flat=True))
    return stored
