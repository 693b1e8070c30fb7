"""Checks on uploaded photos and documents (progress notes, action-item evidence, KKS data dukung): an allowed
type, by name *and* by content, and a size limit. One check for every app that accepts files."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Extension → (content type, how the file must begin).
ALLOWED = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def max_bytes() -> int:
    return int(getattr(settings, "FOLLOWUP_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def check_upload(upload, *, limit: int | None = None) -> str:
    """The content type of an acceptable upload (at most ``limit`` bytes; default the follow-up setting);
    ``ValidationError`` in Indonesian otherwise."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError(_("Jenis berkas tidak diterima: unggah foto (JPG, PNG) atau dokumen (PDF, DOCX, XLSX)."))
    limit = max_bytes() if limit is None else limit
    if upload.size > limit:
        raise ValidationError(_("Berkas lebih dari %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("Berkas kosong."))
    content_type, magics = ALLOWED[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(_("Isi berkas tidak sesuai dengan jenisnya (%(ext)s).") % {"ext": suffix})
    return content_type
