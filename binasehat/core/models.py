from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One create, update or delete of a record: who, when, what it was before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("dibuat")
        UPDATE = "update", _("diubah")
        DELETE = "delete", _("dihapus")
        EXPORT = "export", _("diekspor")
        IMPORT = "import", _("diimpor")

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("oleh"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("nama pengguna"), max_length=150, blank=True)
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    model = models.CharField(_("jenis data"), max_length=60)
    object_pk = models.CharField(_("kunci"), max_length=64)
    object_repr = models.CharField(_("data"), max_length=255, blank=True)
    #: The Kemendagri code the record hangs below, so that history is scoped like the record itself.
    area_code = models.CharField(_("kode wilayah"), max_length=13, blank=True, db_index=True)
    before = models.JSONField(_("sebelum"), null=True, blank=True)
    after = models.JSONField(_("sesudah"), null=True, blank=True)
    source = models.CharField(_("sumber"), max_length=20, default="web")
    import_job_id = models.BigIntegerField(_("impor"), null=True, blank=True)

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_pk", "-at"], name="audit_object_idx")]

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{date_text(self.at)} {self.actor_name} {self.action} {self.model}:{self.object_pk}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field that differs."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(label, before, after) with field labels, linked records' names and formatted values."""
        from .audit import readable_changes

        return readable_changes(self)


class AuditItem(models.Model):
    """One record written by a bulk import, under the import's single ``AuditEntry`` (action ``import``, with the
    files' SHA-256): what changed in that record, as compact JSON. ``history_for`` shows it as the record's entry."""

    #: Not indexed (a record's items are found by ``object_pk``): one index less to fill for 100,000 rows.
    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="items", db_index=False)
    action = models.CharField(max_length=10)
    #: The record's primary key; its model is the entry's ``model``.
    object_pk = models.CharField(max_length=64, db_index=True)
    #: Compact JSON: for a created record the list of its values in the order of the entry's ``after["fields"]``,
    #: for an updated one {field: [before, after]}.
    changes = models.TextField(blank=True, default="")

    def __str__(self):
        return f"{self.action} {self.object_pk}"


class Flag(models.Model):
    """A named site-wide fact, e.g. that the database holds demo data."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name
