"""Web imports: upload → validate (dry run, by ``manage.py import_worker``, or inline when ``IMPORTS_RUN_INLINE``)
→ the user reviews → commit all or nothing, stopped when a row changed since the preview."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.importing import get_importer, run_import
from binasehat.core.tabular import ACCEPTED_SUFFIXES, Table, TableError

from .locks import ImportBusy, import_lock
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
    job.refresh_from_db()
    return job


def job_commit(*, actor, job: ImportJob) -> ImportJob:
    """Commit a validated job: the file is validated again against the database as it is now, and every row is
    compared with what the preview showed (a row changed in between stops the commit with a conflict report)."""
    if not job.file or job.file_deleted_at:
        raise UploadRefused(_("Berkas impor ini sudah dihapus. Unggah ulang berkasnya."))
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATED).update(
        status=ImportJob.Status.COMMITTING, rows_done=0, fraction=0.0, claimed_at=None
    )
    if not updated:
        raise UploadRefused(_("Impor ini tidak dalam keadaan siap disimpan."))
    _start(job.pk, commit=True)
    job.refresh_from_db()
    return job


def _start(job_id: int, *, commit: bool) -> None:
    """Run the job now when configured (tests, development), else leave it queued for ``manage.py import_worker``:
    a web worker never spends minutes (and gigabytes) on a file."""
    if settings.IMPORTS_RUN_INLINE:
        job_run(job_id, commit=commit)


def job_claim_next() -> tuple[int, bool] | None:
    """Take the oldest queued job for this worker: (job id, commit?) or None when the queue is empty."""
    queued = ImportJob.objects.filter(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING], claimed_at__isnull=True,
    ).order_by("pk").values_list("pk", "status")
    for pk, status in queued[:20]:
        if ImportJob.objects.filter(pk=pk, status=status, claimed_at__isnull=True).update(claimed_at=timezone.now()):
            return pk, status == ImportJob.Status.COMMITTING
    return None


def jobs_fail_stale(*, older_than: dt.timedelta) -> int:
    """Jobs a worker took and never finished (the worker was killed): marked failed, so nobody waits forever."""
    cutoff = timezone.now() - older_than
    stale = list(ImportJob.objects.filter(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING], claimed_at__lt=cutoff))
    for job in stale:
        _finish(job, ImportJob.Status.FAILED, {**job.result, "error": _("Pemrosesan impor terhenti. Unggah ulang berkasnya.")})
    return len(stale)


def job_run(job_id: int, *, commit: bool) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.claimed_at is None:
        ImportJob.objects.filter(pk=job.pk).update(claimed_at=timezone.now())
    user = job.created_by
    importer = get_importer(job.kind)(actor=user, scope=user.scope, source="import", job_id=job.pk)

    def progress(rows: int, fraction: float) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=rows, fraction=fraction)

    try:
        table = Table(job.file.path, job.original_name)
        if commit:
            with import_lock(job.kind, f"job:{job.pk}", str(importer.label)):
                result = run_import(importer, [table], partial=job.partial, progress=progress,
                                     expected=bytes(job.preview_state))
        else:
            result = run_import(importer, [table], dry_run=True, partial=job.partial, progress=progress)
    except TableError as exc:
        return _finish(job, ImportJob.Status.INVALID, {"error": str(exc)})
    except ImportBusy as exc:
        return _finish(job, ImportJob.Status.VALIDATED, {**job.result, "error": "", "busy": str(exc)})
    except Exception:  # never leave a job spinning; the log has the traceback
        log.exception("import job %s failed", job.pk)
        return _finish(job, ImportJob.Status.FAILED, {"error": _("Terjadi kesalahan sistem saat memproses berkas. "
                                                                 "Tidak ada yang disimpan.")})
    data = result.as_json()
    if result.error:
        status = ImportJob.Status.INVALID
    elif commit:
        status = ImportJob.Status.COMMITTED if result.committed else ImportJob.Status.INVALID
    else:
        nothing_to_do = not (result.planned["create"] or result.planned["update"])
        blocked = result.rejected and not job.partial
        status = ImportJob.Status.INVALID if blocked or nothing_to_do and result.rejected else ImportJob.Status.VALIDATED
    return _finish(job, status, data, committed=commit and result.committed,
                   preview=bytes(result.fingerprints) if not commit else None)


def _finish(job: ImportJob, status: str, result: dict, committed: bool = False,
            preview: bytes | None = None) -> ImportJob:
    job.status = status
    job.result = result
    job.fraction = 1.0
    job.rows_done = result.get("rows", job.rows_done)
    job.claimed_at = None
    fields = ["status", "result", "fraction", "rows_done", "committed_at", "claimed_at"]
    if committed:
        job.committed_at = timezone.now()
    if preview is not None:
        job.preview_state = preview
        fields.append("preview_state")
    job.save(update_fields=fields)
    if status != ImportJob.Status.VALIDATED:
        job_delete_file(job=job)
    return job


def job_delete_file(*, job: ImportJob) -> None:
    """The uploaded file holds personal data (NIK): once the job can no longer be committed it goes."""
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:
            log.warning("could not delete the file of import job %s", job.pk)
    ImportJob.objects.filter(pk=job.pk).update(file="", preview_state=b"", file_deleted_at=timezone.now())
    job.file_deleted_at = timezone.now()


def jobs_delete_old_files(*, older_than: dt.timedelta) -> int:
    """Delete the files of jobs uploaded before ``older_than`` ago that are not being processed (for cron)."""
    cutoff = timezone.now() - older_than
    old = ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING])
    count = 0
    for job in old:
        job_delete_file(job=job)
        count += 1
    return count
