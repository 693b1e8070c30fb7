"""Writes of region-bound records: the letterhead (kop surat) of an office. Atomic, audited, version-checked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from binasehat.core.audit import audit_record, snapshot

from . import rules
from .models import Letterhead, Region

AUDITED = ("government", "office", "address", "contact", "place", "signatory_title", "signatory_name",
           "signatory_rank", "signatory_nip", "logo_type")
NIP_MESSAGES = {
    "length": gettext_noop("NIP harus 18 angka."),
    "birth": gettext_noop("Delapan angka pertama NIP bukan tanggal lahir yang sah (TTTTBBHH)."),
    "appointment": gettext_noop("Angka ke-9 sampai ke-14 NIP bukan tahun dan bulan pengangkatan yang sah (TTTTBB)."),
    "sex": gettext_noop("Angka ke-15 NIP harus 1 (laki-laki) atau 2 (perempuan)."),
}
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class Conflict(Exception):
    """Someone else saved the record since the form was opened; ``current`` is what is stored now."""

    def __init__(self, current):
        super().__init__(_("Kop surat ini sudah diubah orang lain sejak formulir dibuka. Periksa isinya di bawah, "
                           "lalu simpan lagi bila perlu."))
        self.current = current


def logo_type(content: bytes) -> str:
    for magic, kind in LOGO_TYPES.items():
        if content.startswith(magic):
            return kind
    raise ValidationError(_("Logo harus berkas PNG atau JPEG."))


@transaction.atomic
def letterhead_save(*, actor, scope, region: Region, data: dict, version: int, logo: bytes | None = None,
                    remove_logo: bool = False) -> Letterhead:
    """Create or update the letterhead of ``region``. ``version`` is the version the form showed (0: there was
    none); a different stored version is a conflict, never a silent overwrite."""
    if not scope.can("regions.import") or not scope.covers(region.code):
        raise PermissionDenied(_("Anda tidak boleh mengubah kop surat wilayah ini."))
    nip = (data.get("signatory_nip") or "").strip()
    if nip and (problem := rules.nip_problem(nip)):
        raise ValidationError({"signatory_nip": _(NIP_MESSAGES[problem])})
    if logo is not None and len(logo) > Letterhead.LOGO_MAX_BYTES:
        raise ValidationError({"logo": _("Logo paling besar 512 KB.")})
    kind = logo_type(logo) if logo else None
    current = Letterhead.objects.select_for_update().filter(region=region).first()
    if (current.version if current else 0) != version:
        raise Conflict(current)
    before = snapshot(current, AUDITED) if current else None
    obj = current or Letterhead(region=region)
    for field in AUDITED[:-1]:
        setattr(obj, field, (data.get(field) or "").strip())
    if kind:
        obj.logo, obj.logo_type = logo, kind
    elif remove_logo:
        obj.logo, obj.logo_type = None, ""
    obj.version = (current.version + 1) if current else 1
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:  # created by someone else at the same moment
        raise Conflict(Letterhead.objects.filter(region=region).first()) from None
    audit_record(actor=actor, action="update" if current else "create", obj=obj, before=before,
                 after=snapshot(obj, AUDITED), area_code=region.code)
    return obj
