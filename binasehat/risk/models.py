"""Risk areas: the scoring rule set (reference data, editable by the district), designations as decisions,
and the intervention plan of a designated area (problems, activities, progress notes with files)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.accounts.models import Institution
from binasehat.indicators.models import Indicator
from binasehat.regions.models import Region

from . import rules


class RuleSet(models.Model):
    code = models.SlugField(_("kode"), max_length=50, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    name_en = models.CharField(_("nama (Inggris)"), max_length=200, blank=True)
    #: Raised by one on every change made through the page (the shipped file carries its own).
    version = models.PositiveIntegerField(_("versi"), default=1)
    level = models.CharField(_("tingkat"), max_length=10, default="desa")
    source = models.TextField(_("sumber"), blank=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("aturan skor wilayah berisiko")
        verbose_name_plural = _("aturan skor wilayah berisiko")

    def __str__(self):
        return f"{self.name} v{self.version}"


class RuleItem(models.Model):
    OP_CHOICES = [(op, op) for op in rules.OPS]
    MEASURE_CHOICES = [(rules.VALUE, _("nilai tahun ini")), (rules.CHANGE, _("perubahan dari tahun lalu"))]

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("kode"), max_length=40)
    indicator = models.ForeignKey(Indicator, verbose_name=_("indikator"), on_delete=models.PROTECT,
                                  related_name="+")
    measure = models.CharField(_("ukuran"), max_length=10, choices=MEASURE_CHOICES, default=rules.VALUE)
    op = models.CharField(_("pembanding"), max_length=2, choices=OP_CHOICES)
    threshold = models.FloatField(_("ambang"))
    weight = models.FloatField(_("bobot"), default=1)
    active = models.BooleanField(_("dipakai"), default=True)
    note = models.TextField(_("keterangan"), blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "code"], name="risk_item_unique_code")]

    def __str__(self):
        return self.code

    def criterion(self) -> rules.Criterion:
        return rules.Criterion(self.code, self.indicator.code, self.op, self.threshold, self.weight, self.measure)


class Designation(models.Model):
    """The decision that a desa/kelurahan is a "wilayah berisiko" for a year, and the decision ending it."""

    region = models.ForeignKey(Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    decided_on = models.DateField(_("tanggal keputusan"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("diputuskan oleh"))
    reason = models.TextField(_("alasan"))
    #: The score when decided: {"year", "score", "rank", "ruleset_version", "checks": [...]}.
    score_snapshot = models.JSONField(_("skor saat diputuskan"), default=dict)
    ended_on = models.DateField(_("tanggal diakhiri"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("diakhiri oleh"))
    end_reason = models.TextField(_("alasan diakhiri"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("penetapan wilayah berisiko")
        verbose_name_plural = _("penetapan wilayah berisiko")
        ordering = ["-year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], condition=models.Q(ended_on__isnull=True),
                                               name="risk_one_open_designation")]

    def __str__(self):
        return f"{self.region.name} {self.year}"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class Problem(models.Model):
    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="problems")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indikator"), on_delete=models.PROTECT,
                                  related_name="+")
    description = models.TextField(_("uraian masalah"))

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description[:80]


class Activity(models.Model):
    class Programme(models.TextChoices):
        GIZI = "gizi", _("gizi")
        JIWA = "jiwa", _("kesehatan jiwa")
        P2P = "p2p", _("P2P (TB, DBD, …)")
        PROMKES = "promkes", _("promosi kesehatan")
        KESLING = "kesling", _("kesehatan lingkungan")
        KIA = "kia", _("KIA")
        LAIN = "lain", _("lainnya")

    class Partner(models.TextChoices):
        DESA = "desa", _("pemerintah desa/kelurahan")
        KECAMATAN = "kecamatan", _("kecamatan")
        PKK = "pkk", _("PKK")
        KADER = "kader", _("kader")
        LSM = "lsm", _("LSM")
        CSR = "csr", _("perusahaan (CSR)")
        OPD = "opd", _("OPD")
        SEKOLAH = "sekolah", _("sekolah")
        TOKOH = "tokoh", _("tokoh agama/masyarakat")

    class Funding(models.TextChoices):
        DANA_DESA = "dana_desa", _("Dana Desa")
        APBD = "apbd", _("APBD")
        BOK = "bok", _("BOK")
        CSR = "csr", _("CSR")
        SWADAYA = "swadaya", _("swadaya")

    class Status(models.TextChoices):
        RENCANA = "rencana", _("rencana")
        BERJALAN = "berjalan", _("berjalan")
        SELESAI = "selesai", _("selesai")
        BATAL = "batal", _("batal")

    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="activities")
    problem = models.ForeignKey(Problem, verbose_name=_("masalah"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="activities")
    title = models.CharField(_("kegiatan"), max_length=200)
    programme = models.CharField(_("program"), max_length=10, choices=Programme.choices)
    partner_kind = models.CharField(_("sektor mitra"), max_length=10, choices=Partner.choices)
    institution = models.ForeignKey(Institution, verbose_name=_("lembaga mitra"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="activities")
    responsible = models.CharField(_("penanggung jawab"), max_length=120)
    budget = models.DecimalField(_("anggaran (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True)
    funding = models.CharField(_("sumber dana"), max_length=10, choices=Funding.choices, blank=True)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RENCANA)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("kegiatan")
        verbose_name_plural = _("kegiatan")

    def __str__(self):
        return self.title


def _upload_to(instance, filename: str) -> str:
    return f"risk/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ProgressNote(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("tanggal"))
    text = models.TextField(_("catatan kemajuan"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]


class Attachment(models.Model):
    """A photo or document attached to a progress note: stored under MEDIA_ROOT, served only by a scoped view."""

    note = models.ForeignKey(ProgressNote, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_upload_to)
    name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.name
