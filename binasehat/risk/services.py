"""Every write of the risk app: keyword-only, atomic, audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core.uploads import check_upload
from binasehat.regions.models import Region

from . import rules
from .loading import current_ruleset
from .models import Activity, Attachment, Designation, Problem, ProgressNote, RuleItem
from .scoring import district_of, district_scores

ITEM_FIELDS = ["op", "threshold", "weight", "active", "note"]


def _require(actor, permission: str) -> None:
    if not actor.can(permission):
        raise PermissionDenied


@transaction.atomic
def ruleset_item_update(*, actor, item: RuleItem, op: str, threshold: float, weight: float, active: bool,
                        note: str) -> RuleItem:
    """Change one line of the rule set; the rule set's version goes up by one and the change is audited."""
    _require(actor, "risk.rules")
    if op not in rules.OPS:
        raise ValidationError(_("Pembanding tidak dikenal."))
    if weight < 0:
        raise ValidationError(_("Bobot tidak boleh negatif."))
    item = RuleItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    item.op, item.threshold, item.weight, item.active, item.note = op, threshold, weight, active, note
    after = snapshot(item, ITEM_FIELDS)
    if before == after:
        return item
    item.save()
    rs = item.ruleset
    rs.version += 1
    rs.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="update", obj=item, before={**before, "ruleset_version": rs.version - 1},
                 after={**after, "ruleset_version": rs.version})
    return item


def _in_scope(actor, code: str) -> None:
    if not actor.scope.covers(code):
        raise PermissionDenied


@transaction.atomic
def designation_create(*, actor, region: Region, year: int, decided_on: dt.date, reason: str,
                       score_year: int | None = None) -> Designation:
    """Designate a desa/kelurahan as wilayah berisiko for ``year``, recording the score it had at the time for
    ``score_year`` (by default the year before: the last whole year of data)."""
    _require(actor, "risk.plan")
    _in_scope(actor, region.code)
    if region.level != 4:
        raise ValidationError(_("Hanya desa/kelurahan yang dapat ditetapkan."))
    if not reason.strip():
        raise ValidationError(_("Tuliskan alasan keputusan."))
    if Designation.objects.filter(region=region, year=year, ended_on__isnull=True).exists():
        raise ValidationError(_("Wilayah ini sudah ditetapkan berisiko untuk tahun %(y)s.") % {"y": year})
    ruleset = current_ruleset()
    scored = district_scores(district_of(region.code), score_year or year - 1, ruleset)
    result = scored.get(region.code)
    d = Designation.objects.create(region=region, year=year, decided_on=decided_on, decided_by=actor,
                                   reason=reason.strip(), score_snapshot=result.snapshot(ruleset) if result else {})
    audit_record(actor=actor, action="create", obj=d, after=snapshot(d), area_code=region.code)
    return d


@transaction.atomic
def designation_end(*, actor, designation: Designation, ended_on: dt.date, reason: str) -> Designation:
    _require(actor, "risk.plan")
    _in_scope(actor, designation.region_id)
    d = Designation.objects.select_for_update().get(pk=designation.pk)
    if d.ended_on:
        raise ValidationError(_("Penetapan ini sudah diakhiri."))
    if not reason.strip():
        raise ValidationError(_("Tuliskan alasan keputusan."))
    before = snapshot(d)
    d.ended_on, d.ended_by, d.end_reason = ended_on, actor, reason.strip()
    d.save()
    audit_record(actor=actor, action="update", obj=d, before=before, after=snapshot(d), area_code=d.region_id)
    return d


@transaction.atomic
def problem_add(*, actor, designation: Designation, indicator, description: str) -> Problem:
    _require(actor, "risk.plan")
    _in_scope(actor, designation.region_id)
    p = Problem.objects.create(designation=designation, indicator=indicator, description=description.strip())
    audit_record(actor=actor, action="create", obj=p, after=snapshot(p), area_code=designation.region_id)
    return p


ACTIVITY_FIELDS = ["problem", "title", "programme", "partner_kind", "institution", "responsible", "budget",
                   "funding", "start", "end", "status"]


@transaction.atomic
def activity_save(*, actor, designation: Designation, activity: Activity | None = None, **fields) -> Activity:
    """Create or change an activity of a plan (people planning: ``risk.plan`` in the area)."""
    _require(actor, "risk.plan")
    _in_scope(actor, designation.region_id)
    if fields.get("problem") is not None and fields["problem"].designation_id != designation.pk:
        raise ValidationError(_("Masalah itu bukan bagian dari rencana ini."))
    if fields["end"] < fields["start"]:
        raise ValidationError(_("Tanggal selesai sebelum tanggal mulai."))
    if activity is None:
        activity = Activity(designation=designation)
        before = None
    else:
        activity = Activity.objects.select_for_update().get(pk=activity.pk, designation=designation)
        before = snapshot(activity)
    for name in ACTIVITY_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    activity.save()
    audit_record(actor=actor, action="update" if before else "create", obj=activity, before=before,
                 after=snapshot(activity), area_code=designation.region_id)
    return activity


@transaction.atomic
def activity_progress(*, actor, activity: Activity, date: dt.date, text: str, status: str = "",
                      files=()) -> ProgressNote:
    """A progress note (with photos or documents) and optionally a new status. The caller has fetched
    ``activity`` through a selector for this actor (a partner only reaches its own activities)."""
    if not (actor.can("risk.plan") or (actor.can("partner.update") and activity.institution_id
                                       and activity.institution_id == actor.institution_id)):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError(_("Tuliskan catatan kemajuan."))
    types = [check_upload(f) for f in files]
    note = ProgressNote.objects.create(activity=activity, date=date, text=text.strip(), author=actor)
    for f, content_type in zip(files, types):
        Attachment.objects.create(note=note, file=f, name=f.name[:200], content_type=content_type, size=f.size)
    area = activity.designation.region_id
    audit_record(actor=actor, action="create", obj=note,
                 after={**snapshot(note), "files": [f.name for f in files]}, area_code=area)
    if status and status != activity.status:
        if status not in Activity.Status.values:
            raise ValidationError(_("Status tidak dikenal."))
        before = snapshot(activity, ["status"])
        Activity.objects.filter(pk=activity.pk).update(status=status)
        activity.status = status
        audit_record(actor=actor, action="update", obj=activity, before=before, after={"status": status},
                     area_code=area)
    return note
