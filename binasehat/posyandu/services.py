"""Writing monthly posyandu records: scoped (a kader only for its own posyandu), validated by rules.py,
atomic, audited, version-guarded; the assessments are re-evaluated after commit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record, snapshot
from binasehat.core import limits
from binasehat.core.events import data_changed, records_changed

from . import computed as computed_figures
from . import rules
from .models import PosyanduMonth

EDITABLE = ["opening_days", "opening_dates", "kader_on_duty", *rules.COUNT_FIELDS, "alat_pantau", "kegiatan_tambahan",
            "kegiatan_tambahan_uraian"]


class StaleEdit(ValidationError):
    """Someone saved this month after the form was opened. ``current`` is the record as it is now (None when it
    was deleted), so the form can show both versions and let the person decide."""

    def __init__(self, message, *, current: PosyanduMonth | None = None):
        super().__init__(message)
        self.current = current


def can_record(actor, posyandu) -> bool:
    scope = actor.scope
    if not scope.can("posyandu.record"):
        return False
    if scope.posyandu_ids is not None:
        return posyandu.pk in scope.posyandu_ids
    return scope.covers(posyandu.desa_id)


def validate(data: dict, month: dt.date) -> None:
    too_large = limits.problems(PosyanduMonth, data)
    if too_large:
        raise ValidationError({f: limits.message(f, data[f], problem) for f, problem in too_large.items()})
    errors = rules.month_problems({**data, "month": month}, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)


def override_check(*, actor, posyandu, month: dt.date, data: dict, reason: str | None) -> dict:
    """The figures of ``data`` that differ from those computed from the children's records, with the reason, as
    the audit entry keeps them ({} when none differs); ValidationError when one differs and no reason is given.
    ``reason`` None: the caller shows no computed figures (a spreadsheet import of paper reports); not checked."""
    if actor is None or reason is None:
        return {}
    computed = computed_figures.computed_figures(actor, posyandu, month)
    changed = rules.overrides(data, computed)
    if not changed:
        return {}
    reason = " ".join((reason or "").split())
    if not reason:
        names = ", ".join("2T" if k == "t2" else k.upper() for k in changed)
        raise ValidationError({"override_reason": _("Angka %(names)s berbeda dari yang dihitung dari data anak: "
                                                    "tulis alasannya.") % {"names": names}})
    return {"override": {"reason": reason[:500], "figures": changed}}


@transaction.atomic
def month_record(*, actor, posyandu, month: dt.date, data: dict, version: int | None,
                 source: str = "web", override_reason: str | None = None) -> PosyanduMonth:
    """Create or update the record of ``posyandu`` for ``month``.

    Figures computed from the children's records (``computed.computed_figures``: D, N, O, B, BGM, 2T) may be
    entered differently only with ``override_reason``; the audit entry then holds the reason and, per changed
    figure, the computed and the entered value. Callers that show the computed figures (the monthly form) pass
    the reason, "" when none was given; None (imports of paper reports) skips the check.

    ``version`` is the version the form was opened with: 0 means "there was no record", and is refused when one
    exists now; None (the form did not say) is always refused, never an overwrite. A mismatch raises
    ``StaleEdit`` carrying the record as it is now."""
    if actor is not None and not can_record(actor, posyandu):
        raise PermissionDenied(_("Anda tidak boleh mencatat laporan posyandu ini."))
    if version is None or isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise StaleEdit(_("Formulir ini tidak menyebut versi laporan yang dibuka, jadi tidak disimpan (agar tidak "
                          "menimpa isian orang lain). Muat ulang halaman lalu ulangi."))
    month = month.replace(day=1)
    validate(data, month)
    override = override_check(actor=actor, posyandu=posyandu, month=month, data=data, reason=override_reason)
    existing = PosyanduMonth.objects.select_for_update().filter(posyandu=posyandu, month=month).first()
    if existing is None:
        if version != 0:
            raise StaleEdit(_("Laporan bulan ini sudah dihapus sejak formulir dibuka. Periksa isian lalu simpan lagi."))
        try:
            with transaction.atomic():
                record = PosyanduMonth.objects.create(posyandu=posyandu, month=month, **data)
        except IntegrityError:
            # Someone else created this month at the same moment (the unique constraint decided).
            current = PosyanduMonth.objects.filter(posyandu=posyandu, month=month).first()
            raise StaleEdit(_("Laporan bulan ini baru saja disimpan orang lain. Bandingkan isiannya dengan isian "
                              "Anda, lalu simpan lagi bila isian Anda yang benar."), current=current) from None
        audit_record(actor=actor, action="create", obj=record, after={**snapshot(record, EDITABLE), **override},
                     area_code=posyandu.desa_id, source=source)
    else:
        if version != existing.version:
            raise StaleEdit(
                _("Laporan bulan ini sudah disimpan orang lain sejak formulir dibuka (sudah diubah orang lain). "
                  "Bandingkan isiannya dengan isian Anda, lalu simpan lagi bila isian Anda yang benar."),
                current=existing)
        before = snapshot(existing, EDITABLE)
        PosyanduMonth.objects.filter(pk=existing.pk).update(**data, version=F("version") + 1)
        record = PosyanduMonth.objects.get(pk=existing.pk)
        after = snapshot(record, EDITABLE)
        if after != before:
            audit_record(actor=actor, action="update", obj=record, before=before, after={**after, **override},
                         area_code=posyandu.desa_id, source=source)
    data_changed.send(sender=PosyanduMonth, source="posyandu", cells=[(posyandu.desa_id, month)])
    transaction.on_commit(lambda: records_changed.send(sender=PosyanduMonth, posyandu_ids=[posyandu.pk],
                                                       months=[month]))
    return record
