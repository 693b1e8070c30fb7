"""Every write of the follow-up app: keyword-only, atomic, audited. Action items carry a version: a change
based on an older version is refused (``StaleVersion``) and the caller shows the newer one."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core.uploads import check_upload

from .models import ActionItem, Attendee, Evidence, Meeting, Visit, VisitFinding


class StaleVersion(Exception):
    """Someone else changed the action item since the editor loaded it."""

    def __init__(self, current: ActionItem):
        super().__init__(f"action item {current.pk} is at version {current.version}")
        self.current = current


def _manage(actor, code: str) -> None:
    if not actor.can("followups.manage") or not actor.scope.covers(code):
        raise PermissionDenied


@transaction.atomic
def visit_record(*, actor, **fields) -> Visit:
    _manage(actor, fields["region"].code)
    visit = Visit.objects.create(created_by=actor, **fields)
    audit_record(actor=actor, action="create", obj=visit, after=snapshot(visit), area_code=visit.region_id)
    return visit


@transaction.atomic
def visit_finding_add(*, actor, visit: Visit, posyandu, has_sk, stratum: str, kader_budget, pmt_budget,
                      note: str) -> VisitFinding:
    _manage(actor, visit.region_id)
    if not actor.scope.covers(posyandu.desa_id):
        raise PermissionDenied
    f = VisitFinding.objects.create(visit=visit, posyandu=posyandu, has_sk=has_sk, stratum=stratum,
                                    kader_budget=kader_budget, pmt_budget=pmt_budget, note=note)
    audit_record(actor=actor, action="create", obj=f, after=snapshot(f), area_code=posyandu.desa_id)
    return f


@transaction.atomic
def meeting_record(*, actor, **fields) -> Meeting:
    _manage(actor, fields["region"].code)
    meeting = Meeting.objects.create(created_by=actor, **fields)
    audit_record(actor=actor, action="create", obj=meeting, after=snapshot(meeting), area_code=meeting.region_id)
    return meeting


@transaction.atomic
def attendee_add(*, actor, meeting: Meeting, name: str, institution: str, role: str = "") -> Attendee:
    _manage(actor, meeting.region_id)
    a = Attendee.objects.create(meeting=meeting, name=name.strip(), institution=institution.strip(), role=role)
    audit_record(actor=actor, action="create", obj=a, after=snapshot(a), area_code=meeting.region_id)
    return a


@transaction.atomic
def decision_record(*, actor, meeting: Meeting | None = None, region=None, decision: str, owner_name: str,
                    institution, due: dt.date, owner=None, owner_email: str = "", activity=None) -> ActionItem:
    """A decision (of a meeting, or of a plan's activity) becomes an action item."""
    region = region or meeting.region
    _manage(actor, region.code)
    if not decision.strip() or not owner_name.strip():
        raise ValidationError(_("Keputusan dan penanggung jawab wajib diisi."))
    item = ActionItem.objects.create(meeting=meeting, region=region, decision=decision.strip(),
                                     owner_name=owner_name.strip(), owner=owner, owner_email=owner_email,
                                     institution=institution, due=due, activity=activity, updated_by=actor)
    audit_record(actor=actor, action="create", obj=item, after=snapshot(item), area_code=region.code)
    return item


UPDATE_FIELDS = ["status", "evidence", "due"]


def _may_update(actor, item: ActionItem) -> bool:
    if actor.can("followups.manage") and actor.scope.covers(item.region_id):
        return True
    return actor.can("partner.update") and bool(actor.institution_id) and actor.institution_id == item.institution_id


@transaction.atomic
def action_update(*, actor, item: ActionItem, version: int, status: str, evidence: str,
                  due: dt.date | None = None, files=()) -> ActionItem:
    """Change status, evidence (text and files) and, for the people managing follow-up, the due date.

    ``version`` is the version the editor saw; if the item has changed since, nothing is written and
    ``StaleVersion`` carries the newer item."""
    current = ActionItem.objects.select_for_update().get(pk=item.pk)
    if not _may_update(actor, current):
        raise PermissionDenied
    if current.version != version:
        raise StaleVersion(current)
    if status not in ActionItem.Status.values:
        raise ValidationError(_("Status tidak dikenal."))
    if status == ActionItem.Status.SELESAI and not (evidence.strip() or files or current.files.exists()):
        raise ValidationError(_("Tindak lanjut selesai perlu bukti: tulis keterangan atau unggah berkas."))
    types = [check_upload(f) for f in files]
    before = snapshot(current, UPDATE_FIELDS + ["version"])
    current.status, current.evidence = status, evidence.strip()
    if due is not None and actor.can("followups.manage"):
        current.due = due
    current.version += 1
    current.updated_by = actor
    current.save()
    for f, content_type in zip(files, types):
        Evidence.objects.create(action=current, file=f, name=f.name[:200], content_type=content_type, size=f.size,
                                uploaded_by=actor)
    audit_record(actor=actor, action="update", obj=current, before=before,
                 after={**snapshot(current, UPDATE_FIELDS + ["version"]), "files": [f.name for f in files]},
                 area_code=current.region_id)
    return current
