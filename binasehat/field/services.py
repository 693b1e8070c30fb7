"""Writes of the posyandu day and of entries sent from phones: keyword-only, atomic, audited, scoped.

Every entry from a phone carries a client id (a UUID made on the phone). The first time an id arrives its entry
is stored and the result kept (``ClientEntry``); the same id again returns that result and stores nothing, so a
retry never duplicates. An entry that would overwrite a record changed on the server since the phone saw it is
not stored: it comes back as a conflict with both versions.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.facilities.selectors import posyandu_for_user
from binasehat.growth import services as growth_services
from binasehat.growth.models import Child, Measurement
from binasehat.growth.selectors import children_for_user

from .models import ClientEntry, FamilyAssignment, ServiceVisit

MEASURED = ("weight_kg", "lenhei_cm", "measure", "oedema", "muac_cm")
SERVICES = ("vitamin_a", "imunisasi", "pmt", "referred", "referral_to", "referral_reason")
LIMITS = {"weight_kg": (decimal.Decimal("0.5"), decimal.Decimal(60)),
          "lenhei_cm": (decimal.Decimal(35), decimal.Decimal(140)),
          "muac_cm": (decimal.Decimal(5), decimal.Decimal(30))}


def parse_number(value, places: int) -> decimal.Decimal | None:
    """A number as Indonesians write it (``9,5``) or with a point; None when empty."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return decimal.Decimal(text).quantize(decimal.Decimal(1).scaleb(-places))
    except decimal.InvalidOperation:
        raise ValidationError(_("%(value)s bukan angka.") % {"value": value}) from None


def clean_visit(raw: dict, *, today: dt.date) -> dict:
    """Measurement and services of one child at one visit from a form or a phone's JSON, checked."""
    errors = {}
    data = {}
    try:
        day = raw.get("measured_on") or today
        data["measured_on"] = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    except ValueError:
        errors["measured_on"] = _("Tanggal tidak valid.")
    else:
        if data["measured_on"] > today:
            errors["measured_on"] = _("Tanggal ukur tidak boleh di masa depan.")
    for name, places in (("weight_kg", 2), ("lenhei_cm", 1), ("muac_cm", 1)):
        try:
            data[name] = parse_number(raw.get(name), places)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
            continue
        low, high = LIMITS[name]
        if data[name] is not None and not low <= data[name] <= high:
            errors[name] = _("Di luar rentang yang mungkin (%(low)s–%(high)s).") % {"low": low, "high": high}
    if data.get("weight_kg") is None and data.get("lenhei_cm") is None and "weight_kg" not in errors:
        errors["weight_kg"] = _("Isi berat badan atau panjang/tinggi badan.")
    data["measure"] = raw.get("measure") if raw.get("measure") in ("l", "h") else ""
    if data.get("lenhei_cm") is not None and not data["measure"]:
        errors["measure"] = _("Pilih cara ukur: berbaring atau berdiri.")
    data["oedema"] = str(raw.get("oedema", "")).lower() in ("1", "true", "on", "y", "ya")
    services = {
        "vitamin_a": str(raw.get("vitamin_a", "")).lower() in ("1", "true", "on", "y", "ya"),
        "imunisasi": raw.get("imunisasi") if raw.get("imunisasi") in ServiceVisit.Imunisasi.values else "",
        "pmt": str(raw.get("pmt", "")).lower() in ("1", "true", "on", "y", "ya"),
        "referred": str(raw.get("referred", "")).lower() in ("1", "true", "on", "y", "ya"),
        "referral_to": (raw.get("referral_to") or "")[:100],
        "referral_reason": (raw.get("referral_reason") or "")[:255],
    }
    if errors:
        raise ValidationError(errors)
    return {"measurement": data, "services": services}


def _inside(actor, posyandu) -> bool:
    return posyandu_for_user(actor).filter(pk=posyandu.pk).exists()


def measurement_values(m: Measurement | None) -> dict | None:
    if m is None:
        return None
    return {"measured_on": m.measured_on.isoformat(), "weight_kg": None if m.weight_kg is None else str(m.weight_kg),
            "lenhei_cm": None if m.lenhei_cm is None else str(m.lenhei_cm), "measure": m.measure,
            "oedema": m.oedema, "muac_cm": None if m.muac_cm is None else str(m.muac_cm)}


def _same(values: dict | None, other: dict | None) -> bool:
    if values is None or other is None:
        return values is other

    def norm(v):
        return {k: (None if v.get(k) in (None, "") else str(decimal.Decimal(str(v[k])).normalize())
                    if k in ("weight_kg", "lenhei_cm", "muac_cm") else v.get(k)) for k in MEASURED}

    return norm(values) == norm(other)


class Conflict(Exception):
    def __init__(self, server: dict, mine: dict):
        super().__init__("conflict")
        self.server, self.mine = server, mine


@transaction.atomic
def posyandu_visit_record(*, actor, posyandu, child: Child, data: dict, base: dict | None | bool = False,
                          source: str = "web"):
    """Record one child's weighing and services at ``posyandu`` (``data`` from ``clean_visit``). ``base``: the
    measurement of that day the entry was made against (None: none existed; False: do not check). A measurement
    changed on the server since then raises ``Conflict`` and nothing is stored."""
    if not (_inside(actor, posyandu) and children_for_user(actor).filter(pk=child.pk, posyandu=posyandu).exists()):
        raise PermissionDenied(_("Anak ini di luar posyandu Anda."))
    m = data["measurement"]
    existing = Measurement.objects.select_for_update().filter(child=child, measured_on=m["measured_on"]).first()
    server = measurement_values(existing)
    mine = {**m, "measured_on": m["measured_on"].isoformat(),
            **{k: None if m.get(k) is None else str(m[k]) for k in ("weight_kg", "lenhei_cm", "muac_cm")}}
    if base is not False and existing is not None and not _same(server, base) and not _same(server, mine):
        raise Conflict(server, mine)
    measurement = growth_services.measurement_record(actor=actor, child=child,
                                                     data={**m, "posyandu_id": posyandu.pk}, source=source)
    svc = data["services"]
    visit = ServiceVisit.objects.select_for_update().filter(child=child, visited_on=m["measured_on"]).first()
    before = snapshot(visit) if visit else None
    if visit is None:
        visit = ServiceVisit.objects.create(child=child, posyandu=posyandu, visited_on=m["measured_on"], **svc)
    else:
        for k, v in svc.items():
            setattr(visit, k, v)
        visit.posyandu = posyandu
        visit.save()
    after = snapshot(visit)
    if before != after:
        audit_record(actor=actor, action="update" if before else "create", obj=visit, before=before, after=after,
                     area_code=child.desa_id, source=source)
    return measurement, visit


# --- entries from phones ----------------------------------------------------------------------------------------

def _child_data(raw: dict) -> dict:
    errors = {}
    name = " ".join((raw.get("name") or "").split())
    if not name:
        errors["name"] = _("Nama anak wajib diisi.")
    sex = raw.get("sex")
    if sex not in ("L", "P"):
        errors["sex"] = _("Pilih jenis kelamin.")
    try:
        birth = dt.date.fromisoformat(str(raw.get("birth_date") or ""))
    except ValueError:
        errors["birth_date"] = _("Tanggal lahir tidak valid.")
        birth = None
    if birth and birth > timezone.localdate():
        errors["birth_date"] = _("Tanggal lahir tidak boleh di masa depan.")
    nik = (raw.get("nik") or "").strip()
    if nik and (len(nik) != 16 or not nik.isdigit()):
        errors["nik"] = _("NIK harus 16 angka.")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "sex": sex, "birth_date": birth, "mother_name": (raw.get("mother_name") or "").strip(),
            "nik": nik}


def child_brief(child: Child) -> dict:
    return {"id": child.pk, "name": child.name, "sex": child.sex, "birth_date": child.birth_date.isoformat(),
            "mother_name": child.mother_name, "posyandu": child.posyandu.name if child.posyandu_id else ""}


def _apply(actor, entry: dict) -> tuple[str, str, dict]:
    """Store one entry; returns (status, object pk, result)."""
    kind = entry.get("kind")
    data = entry.get("data") or {}
    if kind == "family_visit":
        return _family_visit(actor, entry)
    try:
        posyandu = posyandu_for_user(actor).get(pk=int(data.get("posyandu")))
    except (ValueError, TypeError, posyandu_for_user(actor).model.DoesNotExist):
        return "refused", "", {"reason": _("Posyandu di luar wilayah Anda.")}
    if kind == "child":
        try:
            child = growth_services.child_register(actor=actor, posyandu=posyandu, data=_child_data(data),
                                                   source="ponsel")
        except growth_services.DuplicateChild as exc:
            return "conflict", "", {"reason": _("Anak ini sudah terdaftar."), "mine": data,
                                    "server": [child_brief(c) for c in exc.children
                                               if children_for_user(actor).filter(pk=c.pk).exists()]}
        return "ok", str(child.pk), {"child": child_brief(child)}
    if kind == "measurement":
        child_ref = data.get("child")
        if isinstance(child_ref, str) and child_ref.startswith("client:"):
            made = ClientEntry.objects.filter(client_id=child_ref[7:], user=actor, kind="child", status="ok").first()
            if made is None:
                return "refused", "", {"reason": _("Anak baru ini belum tersimpan di server.")}
            child_ref = made.object_pk
        try:
            child = children_for_user(actor).get(pk=int(child_ref), posyandu=posyandu)
        except (ValueError, TypeError, Child.DoesNotExist):
            return "refused", "", {"reason": _("Anak di luar posyandu Anda.")}
        visit = clean_visit(data, today=timezone.localdate())
        base = entry.get("base", None)
        try:
            measurement, _visit = posyandu_visit_record(actor=actor, posyandu=posyandu, child=child, data=visit,
                                                        base=base, source="ponsel")
        except Conflict as exc:
            return "conflict", str(child.pk), {"reason": _("Pengukuran anak ini pada tanggal itu sudah diubah di "
                                                           "server."), "server": exc.server, "mine": exc.mine,
                                               "child": child_brief(child)}
        return "ok", str(measurement.pk), {"child": child_brief(child), "measurement": measurement_values(measurement),
                                           "bb_u": measurement.bb_u, "pb_tb_u": measurement.pb_tb_u,
                                           "bb_pb_tb": measurement.bb_pb_tb}
    return "refused", "", {"reason": _("Jenis entri tidak dikenal.")}


def family_answers(family, visited_on: dt.date, flat, *, sensitive: bool) -> dict[int, dict[int, str]]:
    """Answers of one visit from a form's flat fields ``a<member>_<indicator>``: Y/T/N where the indicator applies
    to the member, N where it does not (empty for the household indicators on other rows). Diagnosis indicators a
    role may not see keep their last answer when left empty."""
    from binasehat.families import rules as pispk

    from .selectors import family_given, family_rows

    previous = family_given(family)
    answers = {}
    for m, _age, cells in family_rows(family, visited_on):
        answers[m.pk] = {}
        for i, applies in cells:
            value = str(flat.get(f"a{m.pk}_{i}", "") or "") if applies else ("" if i in (11, 12) else "N")
            if applies and not sensitive and i in pispk.DIAGNOSIS and value == "":
                value = previous.get((m.pk, i), "")
            answers[m.pk][i] = value if value in ("Y", "T", "N") else ""
    return answers


def survey_signature(survey) -> dict | None:
    """A visit's answers as {member id: 12 letters}, to compare versions."""
    if survey is None:
        return None
    return {str(a.member_id): "".join(x or "-" for x in a.letters()) for a in survey.answers.all()}


def _family_visit(actor, entry: dict) -> tuple[str, str, dict]:
    from binasehat.families import services as family_services
    from binasehat.families.models import Survey
    from binasehat.families.selectors import families_for_user

    data = entry.get("data") or {}
    try:
        family = families_for_user(actor).get(pk=int(data.get("family")))
    except (ValueError, TypeError, families_for_user(actor).model.DoesNotExist):
        return "refused", "", {"reason": _("Keluarga di luar wilayah Anda.")}
    try:
        visited_on = dt.date.fromisoformat(str(data.get("visited_on") or timezone.localdate()))
    except ValueError:
        raise ValidationError({"visited_on": _("Tanggal tidak valid.")}) from None
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("Tanggal kunjungan tidak boleh di masa depan.")})
    answers = family_answers(family, visited_on, data, sensitive=actor.scope.can("sensitive.view"))
    mine = {str(k): "".join(v.get(i, "") or "-" for i in range(1, 13)) for k, v in answers.items()}
    server = survey_signature(Survey.objects.select_for_update().filter(family=family, visited_on=visited_on).first())
    base = entry.get("base", None)
    if base is not False and server is not None and server != base and server != mine:
        return "conflict", str(family.pk), {"reason": _("Kunjungan keluarga ini pada tanggal itu sudah diubah di "
                                                        "server."), "server": server, "mine": mine,
                                            "family": {"id": family.pk, "name": family.head_name}}
    survey = family_services.family_visit_record(actor=actor, family=family, visited_on=visited_on, answers=answers,
                                                 surveyor=actor.get_full_name(), source="ponsel")
    return "ok", str(survey.pk), {"family": {"id": family.pk, "name": family.head_name},
                                  "iks": survey.iks_text, "category": survey.category}


def entries_sync(*, actor, entries: list[dict]) -> list[dict]:
    """Store entries sent from a phone, each on its own (one refused entry loses nothing else), in order (a new
    child before its weighing). Idempotent by ``client_id``: an id seen before returns its first result."""
    results = []
    for entry in entries:
        try:
            client_id = str(uuid.UUID(str(entry.get("client_id"))))
        except ValueError:
            results.append({"client_id": entry.get("client_id"), "status": "refused",
                            "reason": _("Entri tanpa id klien yang sah.")})
            continue
        seen = ClientEntry.objects.filter(client_id=client_id).first()
        if seen is not None:
            if seen.user_id != actor.pk:
                results.append({"client_id": client_id, "status": "refused", "reason": _("Id klien sudah dipakai.")})
            else:
                results.append({"client_id": client_id, "status": seen.status, "repeat": True, **seen.result})
            continue
        try:
            with transaction.atomic():
                savepoint = transaction.savepoint()
                try:
                    status, pk, result = _apply(actor, entry)
                except ValidationError as exc:
                    status, pk = "refused", ""
                    result = {"reason": " ".join(exc.messages),
                              "errors": exc.message_dict if hasattr(exc, "error_dict") else {}}
                except PermissionDenied as exc:
                    status, pk, result = "refused", "", {"reason": str(exc) or _("Di luar wilayah Anda.")}
                if status == "ok":
                    transaction.savepoint_commit(savepoint)
                else:
                    transaction.savepoint_rollback(savepoint)
                ClientEntry.objects.create(client_id=client_id, user=actor, kind=str(entry.get("kind"))[:20],
                                           status=status, object_pk=pk, result=result)
        except IntegrityError:  # the same id stored meanwhile by a parallel request
            seen = ClientEntry.objects.get(client_id=client_id)
            status, result = seen.status, seen.result
        results.append({"client_id": client_id, "status": status, **result})
    return results


@transaction.atomic
def family_assignments_set(*, actor, surveyor, families) -> list[FamilyAssignment]:
    """Give ``surveyor`` exactly these ``families`` to visit (replacing the earlier list), audited. The actor
    organises field work (``followups.manage``) and both the actor and the surveyor must cover every family."""
    from binasehat.families.selectors import families_for_user

    if not actor.scope.can("followups.manage"):
        raise PermissionDenied(_("Anda tidak boleh membagi tugas kunjungan."))
    wanted = {f.pk for f in families}
    if families_for_user(actor).filter(pk__in=wanted).count() != len(wanted):
        raise PermissionDenied(_("Keluarga di luar wilayah Anda."))
    if families_for_user(surveyor).filter(pk__in=wanted).count() != len(wanted):
        raise ValidationError(_("Keluarga di luar wilayah petugas pendata ini."))
    current = {a.family_id: a for a in FamilyAssignment.objects.select_for_update().filter(user=surveyor)}
    for family_id, assignment in current.items():
        if family_id not in wanted:
            audit_record(actor=actor, action="delete", obj=assignment, before={"user": surveyor.pk,
                                                                             "family": family_id},
                         area_code=assignment.family.desa_id)
            assignment.delete()
    made = []
    for family in families:
        if family.pk in current:
            made.append(current[family.pk])
            continue
        assignment = FamilyAssignment.objects.create(user=surveyor, family=family, assigned_by=actor)
        audit_record(actor=actor, action="create", obj=assignment, after={"user": surveyor.pk, "family": family.pk},
                     area_code=family.desa_id)
        made.append(assignment)
    return made


@transaction.atomic
def family_assignments_change(*, actor, surveyor, add=(), remove=()) -> int:
    """Add families to and take families off ``surveyor``'s visit list, audited. Changes are deltas, so two
    organisers working at once never undo each other; a family already on the list (or not on it) is left as it
    is. Same rules as ``family_assignments_set``. Returns the number of families on the list afterwards."""
    from binasehat.families.selectors import families_for_user

    if not actor.scope.can("followups.manage"):
        raise PermissionDenied(_("Anda tidak boleh membagi tugas kunjungan."))
    from .selectors import surveyors_for

    if surveyor.pk not in {u.pk for u in surveyors_for(actor)}:
        raise PermissionDenied(_("Petugas ini bukan petugas pendata di wilayah Anda."))
    add_ids, remove_ids = {int(pk) for pk in add}, {int(pk) for pk in remove}
    families = list(families_for_user(actor).filter(pk__in=add_ids | remove_ids))
    if len(families) != len(add_ids | remove_ids):
        raise PermissionDenied(_("Keluarga di luar wilayah Anda."))
    if families_for_user(surveyor).filter(pk__in=add_ids).count() != len(add_ids):
        raise ValidationError(_("Keluarga di luar wilayah petugas pendata ini."))
    by_id = {f.pk: f for f in families}
    current = {a.family_id: a for a in FamilyAssignment.objects.select_for_update()
               .filter(user=surveyor, family_id__in=add_ids | remove_ids)}
    for family_id in sorted(remove_ids - add_ids):
        assignment = current.get(family_id)
        if assignment is not None:
            audit_record(actor=actor, action="delete", obj=assignment,
                         before={"user": surveyor.pk, "family": family_id}, area_code=by_id[family_id].desa_id)
            assignment.delete()
    for family_id in sorted(add_ids - set(current)):
        assignment, created = FamilyAssignment.objects.get_or_create(
            user=surveyor, family_id=family_id, defaults={"assigned_by": actor})
        if created:
            audit_record(actor=actor, action="create", obj=assignment,
                         after={"user": surveyor.pk, "family": family_id}, area_code=by_id[family_id].desa_id)
    return FamilyAssignment.objects.filter(user=surveyor).count()

