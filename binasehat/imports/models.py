from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file on its way in: validated (dry run) first, committed only when the user says so."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("sedang diperiksa")
        VALIDATED = "validated", _("siap disimpan")
        INVALID = "invalid", _("ditolak")
        COMMITTING = "committing", _("sedang disimpan")
        COMMITTED = "committed", _("tersimpan")
        FAILED = "failed", _("gagal")

    kind = models.CharField(_("jenis data"), max_length=40)
    file = models.FileField(_("berkas"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    size = models.PositiveBigIntegerField(_("ukuran"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs",
                                   verbose_name=_("pengunggah"))
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    partial = models.BooleanField(_("simpan baris yang sah saja"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    rows_done = models.PositiveIntegerField(_("baris diperiksa"), default=0)
    fraction = models.FloatField(default=0.0)
    result = models.JSONField(_("hasil"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("disimpan"), null=True, blank=True)
    #: When the worker took the job (None while it waits in the queue).
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: One fingerprint per row as the preview saw it; the commit stops when a row no longer matches.
    preview_state = models.BinaryField(default=b"", blank=True, editable=False)
    #: The uploaded file (with NIK) is deleted after the commit, a refusal, or the retention period.
    file_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("impor data")
        verbose_name_plural = _("impor data")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.original_name}"

    @property
    def running(self):
        return self.status in {self.Status.VALIDATING, self.Status.COMMITTING}

    @property
    def queued(self):
        return self.running and self.claimed_at is None

    @property
    def percent(self):
        return int(round(self.fraction * 100))


class ImportLock(models.Model):
    """At most one commit of each kind of import at a time (a second one is refused, not run alongside)."""

    kind = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=80, blank=True, default="")
    taken_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.kind}: {self.holder or '-'}"
