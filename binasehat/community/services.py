"""Every write of Desa Siaga inputs and KKS assessments: keyword-only, atomic, audited, scoped.

The KKS workflow is draft → submitted (by the kab/kota's Forum KKS secretariat, dinkes) → verified by the province
→ verified nationally. No step is skipped; answers change only in draft (self-assessment) and verifier values only
while submitted; a verified assessment is read-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core.uploads import check_upload

from . import rules
from .models import (
    Institution,
    KksAnswer,
    KksAssessment,
    KksEvidence,
    KksRound,
    RuleParameter,
    SiagaInput,
)
from .reference import SIAGA_RULESET, siaga_ruleset

SIAGA_FIELDS = ["forum", "akses_harian", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif", "peraturan",
                "phbs_rt_persen", "sk_number", "sk_date", "evidence", "evidence_link"]
ANSWER_FIELDS = ["owner_id", "value", "notes", "evidence_link", "verifier_value", "verifier_comment"]

#: Evidence files: what a district attaches as data dukung.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class WorkflowError(Exception):
    """A KKS step that is not allowed from the assessment's current status."""


def _name(actor) -> str:
    return getattr(actor, "username", "") or "sistem"


# --- Desa Siaga ------------------------------------------------------------------------------------------------

def _siaga_check(actor, desa) -> None:
    if actor is None:  # the system (demo, command-line import without --user)
        return
    scope = actor.scope
    if not scope.can("siaga.enter"):
        raise PermissionDenied(_("Peran Anda tidak boleh mengisi data Desa Siaga."))
    if not scope.covers(desa.code) or scope.posyandu_ids is not None:
        raise PermissionDenied(_("Desa ini di luar wilayah Anda."))


@transaction.atomic
def siaga_input_save(*, actor, desa, year: int, data: dict, source: str = "web") -> SiagaInput:
    """Create or change a desa's entered Siaga inputs for ``year``; who entered them is kept and audited."""
    _siaga_check(actor, desa)
    item = SiagaInput.objects.select_for_update().filter(desa=desa, year=year).first()
    before = snapshot(item, SIAGA_FIELDS) if item else None
    if item is None:
        item = SiagaInput(desa=desa, year=year)
    for key in SIAGA_FIELDS:
        if key in data:
            setattr(item, key, data[key])
    if item.forum and item.forum not in rules.FORUM_LEVELS:
        raise ValidationError(_("Nilai forum tidak dikenal."))
    if item.peraturan and item.peraturan not in rules.PERATURAN_LEVELS:
        raise ValidationError(_("Nilai peraturan tidak dikenal."))
    if item.phbs_rt_persen is not None and not Decimal(0) <= Decimal(item.phbs_rt_persen) <= Decimal(100):
        raise ValidationError(_("PHBS harus antara 0 dan 100 %."))
    after = snapshot(item, SIAGA_FIELDS)
    if before == after and item.pk:
        return item
    item.entered_by = _name(actor)
    item.entered_source = source
    if item.pk:
        item.version = F("version") + 1
    item.save()
    item.refresh_from_db()
    audit_record(actor=actor, action="update" if before else "create", obj=item, before=before, after=after,
                 area_code=desa.code, source=source)
    return item


@transaction.atomic
def rule_parameter_set(*, actor, key: str, value, ruleset_code: str = SIAGA_RULESET) -> RuleParameter:
    """Configure a disputed cell of the rule set (e.g. the Mandiri dana/ormas minimum)."""
    if actor is not None and not actor.scope.can("indicators.manage"):
        raise PermissionDenied(_("Peran Anda tidak boleh mengubah aturan penilaian."))
    definition = siaga_ruleset().definition if ruleset_code == SIAGA_RULESET else {}
    if key not in definition.get("parameters", {}):
        raise ValidationError(_("Parameter %(key)s tidak dikenal.") % {"key": key})
    old = RuleParameter.objects.filter(ruleset_code=ruleset_code, key=key).first()
    param, _created = RuleParameter.objects.update_or_create(
        ruleset_code=ruleset_code, key=key, defaults={"value": value, "changed_by": _name(actor)})
    audit_record(actor=actor, action="update" if old else "create", obj=param,
                 before={"value": old.value} if old else None, after={"value": value})
    return param


# --- KKS -------------------------------------------------------------------------------------------------------

def _in_district(actor, district_code: str) -> bool:
    return actor is None or actor.scope.covers(district_code)


def _locked(assessment: KksAssessment, allowed: str) -> None:
    if assessment.status != allowed:
        raise WorkflowError(_("Penilaian berstatus \"%(status)s\": perubahan ini tidak diizinkan.") % {
            "status": assessment.get_status_display()})


@transaction.atomic
def institution_register(*, actor, district, code: str, name: str, members=()) -> Institution:
    if actor is not None and not (actor.scope.can("kks.submit") and _in_district(actor, district.code)):
        raise PermissionDenied(_("Peran Anda tidak boleh mengelola OPD."))
    old = Institution.objects.filter(district=district, code=code).first()
    before = {"code": code, "name": old.name, "members": sorted(old.members.values_list("username", flat=True))} \
        if old else None
    inst, created = Institution.objects.update_or_create(district=district, code=code, defaults={"name": name})
    if members:
        inst.members.add(*members)
    after = {"code": code, "name": name, "members": sorted(inst.members.values_list("username", flat=True))}
    if after != before:
        audit_record(actor=actor, action="create" if created else "update", obj=inst, before=before, after=after,
                     area_code=district.code)
    return inst


@transaction.atomic
def kks_assessment_start(*, actor, round: KksRound, district) -> KksAssessment:
    """A draft self-assessment of ``district`` for ``round`` with one answer per indicator of the round."""
    if actor is not None and not (actor.scope.can("kks.submit") and _in_district(actor, district.code)):
        raise PermissionDenied(_("Peran Anda tidak boleh memulai penilaian KKS."))
    assessment, created = KksAssessment.objects.get_or_create(round=round, district=district)
    if created:
        from .models import KksIndicator

        KksAnswer.objects.bulk_create([KksAnswer(assessment=assessment, indicator=ind)
                                       for ind in KksIndicator.objects.filter(tatanan__round=round)])
        audit_record(actor=actor, action="create", obj=assessment, after={"round": round.year, "status": "draft"},
                     area_code=district.code)
    return assessment


def _can_fill(actor, answer: KksAnswer) -> None:
    if actor is None:
        return
    scope = actor.scope
    if not scope.can("kks.fill"):
        raise PermissionDenied(_("Peran Anda tidak boleh mengisi penilaian KKS."))
    if scope.role == "opd":
        if answer.owner_id is None or not answer.owner.members.filter(pk=actor.pk).exists():
            raise PermissionDenied(_("Indikator ini bukan milik OPD Anda."))
    elif not _in_district(actor, answer.assessment.district_id):
        raise PermissionDenied(_("Penilaian ini di luar wilayah Anda."))


def _save_answer(actor, answer: KksAnswer, changes: dict, source: str) -> KksAnswer:
    before = snapshot(answer, ANSWER_FIELDS)
    for k, v in changes.items():
        setattr(answer, k, v)
    after = snapshot(answer, ANSWER_FIELDS)
    if before == after:
        return answer
    answer.updated_by = _name(actor)
    answer.save()
    audit_record(actor=actor, action="update", obj=answer, before=before, after=after,
                 area_code=answer.assessment.district_id, source=source)
    return answer


def _lock_answer(answer: KksAnswer) -> KksAnswer:
    """The answer as stored, with its assessment locked first (a status change waits for the write, and back)."""
    KksAssessment.objects.select_for_update().filter(pk=answer.assessment_id).first()
    return KksAnswer.objects.select_for_update(of=("self",)).select_related(
        "assessment", "indicator", "owner").get(pk=answer.pk)


@transaction.atomic
def kks_answer_save(*, actor, answer: KksAnswer, value: int | None, notes: str = "", evidence_link: str = "",
                    source: str = "web") -> KksAnswer:
    """The self-assessment of one indicator (its owner OPD, or dinkes), while the assessment is a draft."""
    answer = _lock_answer(answer)
    _locked(answer.assessment, KksAssessment.DRAFT)
    _can_fill(actor, answer)
    if value is not None and value not in answer.indicator.scores:
        raise ValidationError(_("Nilai %(v)s bukan salah satu pilihan indikator ini.") % {"v": value})
    return _save_answer(actor, answer, {"value": value, "notes": notes, "evidence_link": evidence_link}, source)


@transaction.atomic
def kks_owner_set(*, actor, answer: KksAnswer, owner: Institution | None) -> KksAnswer:
    answer = _lock_answer(answer)
    _locked(answer.assessment, KksAssessment.DRAFT)
    if actor is not None and not (actor.scope.can("kks.submit") and _in_district(actor, answer.assessment.district_id)):
        raise PermissionDenied(_("Hanya sekretariat Forum KKS (dinkes) yang menentukan OPD penanggung jawab."))
    if owner is not None and owner.district_id != answer.assessment.district_id:
        raise ValidationError(_("OPD ini bukan milik kabupaten/kota tersebut."))
    return _save_answer(actor, answer, {"owner_id": owner.pk if owner else None}, "web")


def _check_upload(upload) -> str:
    """The file's suffix, once the shared check (type by name and content, size) accepts it."""
    check_upload(upload, limit=EVIDENCE_MAX_BYTES)
    return Path(upload.name).suffix.lower()


@transaction.atomic
def kks_evidence_add(*, actor, answer: KksAnswer, upload) -> KksEvidence:
    """Attach a data dukung file (type and size checked; stored under MEDIA_ROOT, served only through a scoped
    view)."""
    answer = _lock_answer(answer)
    _locked(answer.assessment, KksAssessment.DRAFT)
    _can_fill(actor, answer)
    suffix = _check_upload(upload)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(upload.name).stem)[:80] or "bukti"
    evidence = KksEvidence(answer=answer, original_name=Path(upload.name).name[:200], size=upload.size,
                           content_type=EVIDENCE_TYPES[suffix], uploaded_by=_name(actor))
    evidence.file.save(f"{safe}{suffix}", upload, save=False)
    evidence.save()
    audit_record(actor=actor, action="create", obj=evidence,
                 after={"answer": answer.pk, "file": evidence.original_name, "size": evidence.size},
                 area_code=answer.assessment.district_id)
    return evidence


@transaction.atomic
def kks_basic_save(*, actor, assessment: KksAssessment, odf_percent, documents: dict) -> KksAssessment:
    """ODF share and the aspek dasar documents (SK Tim Pembina, SK Forum/Pokja, rencana kerja), in draft."""
    assessment = KksAssessment.objects.select_for_update().get(pk=assessment.pk)
    _locked(assessment, KksAssessment.DRAFT)
    if actor is not None and not (actor.scope.can("kks.submit") and _in_district(actor, assessment.district_id)):
        raise PermissionDenied(_("Peran Anda tidak boleh mengubah penilaian ini."))
    if odf_percent is not None and not 0 <= Decimal(odf_percent) <= 100:
        raise ValidationError(_("ODF harus antara 0 dan 100 %."))
    before = {"odf_percent": str(assessment.odf_percent) if assessment.odf_percent is not None else None,
              "basic_documents": assessment.basic_documents}
    assessment.odf_percent = odf_percent
    assessment.basic_documents = documents
    assessment.version += 1
    assessment.save()
    audit_record(actor=actor, action="update", obj=assessment, before=before,
                 after={"odf_percent": str(odf_percent) if odf_percent is not None else None,
                        "basic_documents": documents}, area_code=assessment.district_id)
    return assessment


def _transition(actor, assessment: KksAssessment, *, frm: str, to: str, permission: str, stamp: str) -> KksAssessment:
    assessment = KksAssessment.objects.select_for_update(of=("self",)).select_related("round").get(pk=assessment.pk)
    if actor is not None and not (actor.scope.can(permission) and _in_district(actor, assessment.district_id)):
        raise PermissionDenied(_("Peran Anda tidak boleh melakukan langkah ini."))
    if assessment.status != frm:
        raise WorkflowError(_("Langkah ini hanya dapat dilakukan dari status \"%(frm)s\"; status sekarang \"%(now)s\".") % {
            "frm": dict(KksAssessment.STATUS_CHOICES)[frm], "now": assessment.get_status_display()})
    before = assessment.status
    assessment.status = to
    setattr(assessment, f"{stamp}_at", timezone.now())
    setattr(assessment, f"{stamp}_by", _name(actor))
    assessment.version += 1
    assessment.save()
    audit_record(actor=actor, action="update", obj=assessment, before={"status": before}, after={"status": to},
                 area_code=assessment.district_id)
    return assessment


@transaction.atomic
def kks_submit(*, actor, assessment: KksAssessment) -> KksAssessment:
    """The kab/kota submits its self-assessment; the data behind pre-filled indicators are kept as they were, so a
    later change is flagged."""
    from .selectors import kks_prefill

    assessment = _transition(actor, assessment, frm=KksAssessment.DRAFT, to=KksAssessment.SUBMITTED,
                             permission="kks.submit", stamp="submitted")
    for answer in KksAnswer.objects.filter(assessment=assessment).select_related("indicator"):
        pre = kks_prefill(answer.indicator, assessment.district_id, assessment.round.year)
        if pre is not None:
            answer.submitted_data = {"value": pre.value, "option": pre.option, "period": pre.period,
                                     "indicator": pre.indicator_code}
            answer.save(update_fields=["submitted_data"])
    return assessment


@transaction.atomic
def kks_verifier_save(*, actor, answer: KksAnswer, value: int | None, comment: str = "") -> KksAnswer:
    """The province verifier's value and comment for one indicator, while the assessment is submitted."""
    answer = _lock_answer(answer)
    _locked(answer.assessment, KksAssessment.SUBMITTED)
    if actor is not None and not (actor.scope.can("kks.verify_province")
                                  and _in_district(actor, answer.assessment.district_id)):
        raise PermissionDenied(_("Peran Anda tidak boleh memverifikasi."))
    if value is not None and value not in answer.indicator.scores:
        raise ValidationError(_("Nilai %(v)s bukan salah satu pilihan indikator ini.") % {"v": value})
    return _save_answer(actor, answer, {"verifier_value": value, "verifier_comment": comment}, "web")


@transaction.atomic
def kks_verify_province(*, actor, assessment: KksAssessment) -> KksAssessment:
    return _transition(actor, assessment, frm=KksAssessment.SUBMITTED, to=KksAssessment.PROVINCE,
                       permission="kks.verify_province", stamp="province_verified")


@transaction.atomic
def kks_verify_national(*, actor, assessment: KksAssessment) -> KksAssessment:
    return _transition(actor, assessment, frm=KksAssessment.PROVINCE, to=KksAssessment.NATIONAL,
                       permission="kks.verify_national", stamp="national_verified")


def today() -> dt.date:
    return timezone.localdate()
