"""Web imports: upload → validate (dry run, in the background) → the user reviews → commit all or nothing."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.importing import get_importer, run_import
from binasehat.core.tabular import ACCEPTED_SUFFIXES, Table, TableError

from .models import ImportJob

log = logging.getLogger("binasehat.imports")


class UploadRefused(Exception):
    pass


def job_create(*, actor, kind: str, upload, partial: bool = False) -> ImportJob:
    """Store the uploaded file and start validating it."""
    importer_class = get_importer(kind)
    if not actor.scope.can(importer_class.permission):
        raise UploadRefused(_("Peran Anda tidak boleh mengimpor %(label)s.") % {"label": importer_class.label})
    suffix = Path(upload.name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise UploadRefused(_("Jenis berkas %(suffix)s tidak didukung. Gunakan CSV (UTF-8) atau XLSX.")
                            % {"suffix": suffix or "?"})
    if upload.size == 0:
        raise UploadRefused(_("Berkas kosong."))
    if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise UploadRefused(_("Berkas terlalu besar (maksimum %(mb)s MB).")
                            % {"mb": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)})
    job = ImportJob.objects.create(kind=kind, file=upload, original_name=upload.name[:255], size=upload.size,
                                   created_by=actor, partial=partial)
    _start(job.pk, commit=False)
    return job


def job_commit(*, actor, job: ImportJob) -> ImportJob:
    """Commit a validated job: the file is validated again against the database as it is now."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATED).update(
        status=ImportJob.Status.COMMITTING, rows_done=0, fraction=0.0
    )
    if not updated:
        raise UploadRefused(_("Impor ini tidak dalam keadaan siap disimpan."))
    _start(job.pk, commit=True)
    job.refresh_from_db()
    return job


def _start(job_id: int, *, commit: bool) -> None:
    """Run the job once the row that describes it is committed (inline when configured, e.g. in tests)."""
    if settings.IMPORTS_RUN_INLINE:
        job_run(job_id, commit=commit)
        return
    thread = threading.Thread(target=_run_in_thread, args=(job_id, commit), daemon=True)
    transaction.on_commit(thread.start)


def _run_in_thread(job_id: int, commit: bool) -> None:
    try:
        job_run(job_id, commit=commit)
    finally:
        close_old_connections()


def job_run(job_id: int, *, commit: bool) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    importer = get_importer(job.kind)(actor=user, scope=user.scope, source="import", job_id=job.pk)

    def progress(rows: int, fraction: float) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=rows, fraction=fraction)

    try:
        table = Table(job.file.path, job.original_name)
        result = run_import(importer, [table], dry_run=not commit, partial=job.partial, progress=progress)
    except TableError as exc:
        return _finish(job, ImportJob.Status.INVALID, {"error": str(exc)})
    except Exception:  # never leave a job spinning; the log has the traceback
        log.exception("import job %s failed", job.pk)
        return _finish(job, ImportJob.Status.FAILED, {"error": _("Terjadi kesalahan sistem saat memproses berkas.")})
    data = result.as_json()
    if result.error:
        status = ImportJob.Status.INVALID
    elif commit:
        status = ImportJob.Status.COMMITTED if result.committed else ImportJob.Status.INVALID
    else:
        nothing_to_do = not (result.planned["create"] or result.planned["update"])
        blocked = result.rejected and not job.partial
        status = ImportJob.Status.INVALID if blocked or nothing_to_do and result.rejected else ImportJob.Status.VALIDATED
    return _finish(job, status, data, committed=commit and result.committed)


def _finish(job: ImportJob, status: str, result: dict, committed: bool = False) -> ImportJob:
    job.status = status
    job.result = result
    job.fraction = 1.0
    job.rows_done = result.get("rows", job.rows_done)
    if committed:
        job.committed_at = timezone.now()
    job.save(update_fields=["status", "result", "fraction", "rows_done", "committed_at"])
    return job
