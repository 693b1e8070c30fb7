"""One commit per kind of import at a time: two people committing the same 20,000-row file at once must not
create 40,000 records. The lock is a row taken with a conditional UPDATE (works the same on SQLite and
PostgreSQL, never waits); a holder that died is taken over after ``IMPORT_LOCK_STALE_SECONDS``."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImportLock


class ImportBusy(Exception):
    """Another commit of the same kind is running."""


def _stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "IMPORT_LOCK_STALE_SECONDS", 6 * 3600)))


@contextmanager
def import_lock(kind: str, holder: str, label: str = ""):
    if not ImportLock.objects.filter(kind=kind).exists():
        try:
            with transaction.atomic():
                ImportLock.objects.create(kind=kind)
        except IntegrityError:
            pass  # created by the other one at the same moment
    now = timezone.now()
    taken = ImportLock.objects.filter(kind=kind).filter(Q(holder="") | Q(taken_at__lt=now - _stale_after())).update(
        holder=holder[:80], taken_at=now)
    if not taken:
        raise ImportBusy(_("Impor %(label)s lain sedang disimpan. Tunggu sampai selesai, lalu simpan lagi: "
                           "baris yang sudah tersimpan akan terlihat di pratinjau.") % {"label": label or kind})
    try:
        yield
    finally:
        ImportLock.objects.filter(kind=kind, holder=holder[:80]).update(holder="", taken_at=None)
