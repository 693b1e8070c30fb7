"""API tokens: a user's named keys for calling the REST API from another program. Only a SHA-256 hash of the
key is stored; the key itself is shown once, when it is created."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pengguna"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100)
    #: The first characters of the key, shown so that the owner can tell keys apart.
    prefix = models.CharField(_("awalan"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None


class FederationRun(models.Model):
    """One ``manage.py federate push|pull``: where to, since when, what came back. The next run in the same
    direction to the same place starts after ``watermark`` (the newest ``lastUpdated`` sent or received by the
    last run that finished), so a repeat sends nothing new and a failed run is simply done again."""

    class Direction(models.TextChoices):
        PUSH = "push", _("kirim")
        PULL = "pull", _("ambil")

    class Status(models.TextChoices):
        RUNNING = "running", _("berjalan")
        OK = "ok", _("selesai")
        FAILED = "failed", _("gagal")

    direction = models.CharField(_("arah"), max_length=4, choices=Direction.choices)
    url = models.CharField(_("alamat"), max_length=300)
    started_at = models.DateTimeField(_("mulai"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    since = models.DateTimeField(_("sejak"), null=True, blank=True)
    watermark = models.DateTimeField(_("batas data"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    sent = models.PositiveIntegerField(_("nilai dikirim"), default=0)
    counts = models.JSONField(_("jumlah"), default=dict, blank=True)
    conflicts = models.JSONField(_("konflik"), default=list, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        verbose_name = _("federasi")
        verbose_name_plural = _("federasi")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{self.direction} {self.url} {date_text(self.started_at)} {self.status}"
