"""Guidance visits (pembinaan), coordination meetings and the action items their decisions become."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binasehat.accounts.models import Institution
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.regions.models import Region
from binasehat.risk.models import Activity, Designation


class Visit(models.Model):
    class Level(models.TextChoices):
        KABUPATEN = "kabupaten", _("kabupaten → kecamatan/puskesmas")
        PUSKESMAS = "puskesmas", _("puskesmas → desa/posyandu")

    date = models.DateField(_("tanggal"))
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name=_("wilayah yang dibina"), on_delete=models.PROTECT,
                               related_name="+")
    puskesmas = models.ForeignKey(Puskesmas, verbose_name=_("puskesmas"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    designation = models.ForeignKey(Designation, verbose_name=_("wilayah berisiko"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="visits")
    team = models.CharField(_("tim pembina"), max_length=300)
    findings = models.TextField(_("temuan umum"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("kunjungan pembinaan")
        verbose_name_plural = _("kunjungan pembinaan")

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{date_text(self.date)} {self.region.name}"


class VisitFinding(models.Model):
    """What the team found at one posyandu (the Buleleng visits: SK, strata, budget for kader and PMT)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings_per_posyandu")
    posyandu = models.ForeignKey(Posyandu, verbose_name=_("posyandu"), on_delete=models.PROTECT, related_name="+")
    has_sk = models.BooleanField(_("ada SK"), null=True)
    stratum = models.CharField(_("strata menurut tim"), max_length=20, blank=True)
    kader_budget = models.BooleanField(_("ada anggaran kader"), null=True)
    pmt_budget = models.BooleanField(_("ada anggaran PMT"), null=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["posyandu__code"]


class Meeting(models.Model):
    class Kind(models.TextChoices):
        POKJANAL = "pokjanal", _("Pokjanal Posyandu")
        TP_POSYANDU = "tp_posyandu", _("TP Posyandu")
        FORUM_DESA = "forum_desa", _("forum desa")
        LOKMIN = "lokmin", _("lokakarya mini")
        LINTAS_SEKTOR = "lintas_sektor", _("lintas sektor")

    class Level(models.TextChoices):
        KABUPATEN = "kabupaten", _("kabupaten/kota")
        KECAMATAN = "kecamatan", _("kecamatan")
        DESA = "desa", _("desa/kelurahan")

    kind = models.CharField(_("jenis rapat"), max_length=15, choices=Kind.choices)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="+")
    designation = models.ForeignKey(Designation, verbose_name=_("wilayah berisiko"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="meetings")
    date = models.DateField(_("tanggal"))
    place = models.CharField(_("tempat"), max_length=200)
    agenda = models.TextField(_("agenda"))
    findings = models.TextField(_("temuan"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("rapat koordinasi")
        verbose_name_plural = _("rapat koordinasi")

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{self.get_kind_display()} {self.region.name} {date_text(self.date)}"


class Attendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("nama"), max_length=120)
    institution = models.CharField(_("lembaga"), max_length=200)
    role = models.CharField(_("jabatan/peran"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]


class ActionItem(models.Model):
    """A decision to act: who, for which institution, by when; its status and evidence. ``version`` rises with
    every change so that two people editing it never silently overwrite each other."""

    class Status(models.TextChoices):
        TERBUKA = "terbuka", _("belum dikerjakan")
        BERJALAN = "berjalan", _("sedang dikerjakan")
        SELESAI = "selesai", _("selesai")
        BATAL = "batal", _("batal")

    OPEN = (Status.TERBUKA, Status.BERJALAN)

    meeting = models.ForeignKey(Meeting, verbose_name=_("rapat"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="actions")
    activity = models.ForeignKey(Activity, verbose_name=_("kegiatan rencana"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="actions")
    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="+")
    decision = models.TextField(_("keputusan"))
    owner_name = models.CharField(_("penanggung jawab"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("akun penanggung jawab"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_email = models.EmailField(_("surel penanggung jawab"), blank=True)
    institution = models.ForeignKey(Institution, verbose_name=_("lembaga"), on_delete=models.PROTECT,
                                    related_name="actions")
    due = models.DateField(_("tenggat"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TERBUKA)
    evidence = models.TextField(_("bukti/keterangan"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")

    def __str__(self):
        return self.decision[:80]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due < timezone.localdate()

    @property
    def email(self) -> str:
        return self.owner_email or (self.owner.email if self.owner_id and self.owner else "")


def _upload_to(instance, filename: str) -> str:
    return f"followups/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Evidence(models.Model):
    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_upload_to)
    name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
