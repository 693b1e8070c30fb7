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
