from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.regions.models import Region

from . import rules


class SiagaInput(models.Model):
    """What a desa/kelurahan declares for a year's Desa Siaga assessment, with its evidence and who entered it.
    Inputs the system knows (kader, posyandu, forum meetings, PHBS from PIS-PK) are computed, not stored here."""

    FORUM_CHOICES = [
        ("tidak_ada", _("Tidak ada")), ("belum_berjalan", _("Ada, belum berjalan")),
        ("tidak_rutin", _("Berjalan, belum rutin tiap triwulan")), ("triwulanan", _("Berjalan setiap triwulan")),
        ("bulanan", _("Berjalan setiap bulan")),
    ]
    PERATURAN_CHOICES = [
        ("tidak_ada", _("Belum ada")), ("ada", _("Ada, belum direalisasikan")),
        ("direalisasikan", _("Ada, sudah direalisasikan")),
    ]

    desa = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("desa/kelurahan"))
    year = models.PositiveSmallIntegerField(_("tahun"))
    forum = models.CharField(_("forum masyarakat desa"), max_length=20, choices=FORUM_CHOICES, blank=True)
    akses_harian = models.BooleanField(_("akses pelayanan kesehatan dasar setiap hari"), null=True, blank=True)
    ukbm_lain_aktif = models.PositiveSmallIntegerField(_("UKBM lain yang aktif"), null=True, blank=True)
    dana_sumber_lain = models.PositiveSmallIntegerField(_("sumber dana selain pemerintah desa"), null=True, blank=True)
    ormas_aktif = models.PositiveSmallIntegerField(_("ormas yang aktif"), null=True, blank=True)
    peraturan = models.CharField(_("peraturan desa"), max_length=20, choices=PERATURAN_CHOICES, blank=True)
    phbs_rt_persen = models.DecimalField(_("rumah tangga dibina PHBS (%)"), max_digits=5, decimal_places=1,
                                         null=True, blank=True)
    sk_number = models.CharField(_("nomor SK Desa Siaga"), max_length=100, blank=True)
    sk_date = models.DateField(_("tanggal SK Desa Siaga"), null=True, blank=True)
    evidence = models.TextField(_("bukti / keterangan"), blank=True)
    evidence_link = models.URLField(_("tautan bukti"), max_length=500, blank=True)
    entered_by = models.CharField(_("dientri oleh"), max_length=150, blank=True)
    entered_source = models.CharField(max_length=20, default="web")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("masukan Desa Siaga")
        verbose_name_plural = _("masukan Desa Siaga")
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="siaga_input_desa_year_unique")]

    def __str__(self):
        return f"{self.desa_id} {self.year}"

    @property
    def forum_level(self) -> int | None:
        return rules.FORUM_LEVELS.index(self.forum) if self.forum else None

    @property
    def peraturan_level(self) -> int | None:
        return rules.PERATURAN_LEVELS.index(self.peraturan) if self.peraturan else None


class RuleParameter(models.Model):
    """A configured value of a rule-set parameter (a disputed cell); without a row the file's default applies."""

    ruleset_code = models.CharField(_("kode aturan"), max_length=60)
    key = models.CharField(_("parameter"), max_length=60)
    value = models.JSONField(_("nilai"))
    changed_by = models.CharField(_("diubah oleh"), max_length=150, blank=True)
    changed_at = models.DateTimeField(_("diubah pada"), auto_now=True)

    class Meta:
        verbose_name = _("parameter aturan")
        verbose_name_plural = _("parameter aturan")
        constraints = [models.UniqueConstraint(fields=["ruleset_code", "key"], name="rule_parameter_unique")]


class Institution(models.Model):
    """A perangkat daerah (OPD) of a kab/kota that owns KKS indicators."""

    district = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota"))
    code = models.CharField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="institutions",
                                     verbose_name=_("pengguna OPD"))

    class Meta:
        verbose_name = _("perangkat daerah (OPD)")
        verbose_name_plural = _("perangkat daerah (OPD)")
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="institution_district_code_unique")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class KksRound(models.Model):
    """An assessment round (reference data): tatanan, indicators, thresholds, basis and prerequisites. Thresholds,
    basis and ODF minimums are configurable; the shipped defaults are not verified against a juknis."""

    year = models.PositiveSmallIntegerField(_("tahun"), unique=True)
    title = models.CharField(_("judul"), max_length=200)
    source = models.TextField(_("sumber"))
    thresholds = models.JSONField(_("ambang kategori"))
    score_basis = models.CharField(_("dasar skor"), max_length=20, choices=[
        ("average", _("rata-rata tatanan")), ("per_tatanan", _("setiap tatanan"))])
    odf_min = models.JSONField(_("syarat ODF (%)"), default=dict)
    require_basic_documents = models.BooleanField(_("aspek dasar wajib"), default=True)
    basic_documents = models.JSONField(_("aspek dasar"), default=list)

    class Meta:
        verbose_name = _("putaran KKS")
        verbose_name_plural = _("putaran KKS")
        ordering = ["-year"]

    def __str__(self):
        return self.title


class KksTatanan(models.Model):
    round = models.ForeignKey(KksRound, on_delete=models.CASCADE, related_name="tatanan")
    number = models.PositiveSmallIntegerField(_("nomor"))
    name = models.CharField(_("tatanan"), max_length=200)

    class Meta:
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="kks_tatanan_unique")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class KksIndicator(models.Model):
    tatanan = models.ForeignKey(KksTatanan, on_delete=models.CASCADE, related_name="indicators",
                                verbose_name=_("tatanan"))
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("indikator"), max_length=300)
    options = models.JSONField(_("pilihan nilai"))
    compute = models.JSONField(_("dihitung dari"), null=True, blank=True)
    verified = models.BooleanField(_("terverifikasi"), default=False)
    source = models.TextField(_("sumber"), blank=True)
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("indikator KKS")
        verbose_name_plural = _("indikator KKS")
        ordering = ["tatanan__number", "position"]
        constraints = [models.UniqueConstraint(fields=["tatanan", "code"], name="kks_indicator_unique")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def scores(self) -> list[int]:
        return [int(o["score"]) for o in self.options]


class KksAssessment(models.Model):
    DRAFT, SUBMITTED, PROVINCE, NATIONAL = "draft", "submitted", "province_verified", "national_verified"
    STATUS_CHOICES = [
        (DRAFT, _("Draf (penilaian mandiri)")), (SUBMITTED, _("Diajukan kabupaten/kota")),
        (PROVINCE, _("Terverifikasi provinsi")), (NATIONAL, _("Terverifikasi nasional")),
    ]
    ORDER = [DRAFT, SUBMITTED, PROVINCE, NATIONAL]

    round = models.ForeignKey(KksRound, on_delete=models.PROTECT, related_name="assessments")
    district = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kabupaten/kota"))
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=DRAFT)
    odf_percent = models.DecimalField(_("desa/kelurahan ODF (%)"), max_digits=5, decimal_places=1, null=True,
                                      blank=True)
    basic_documents = models.JSONField(_("aspek dasar"), default=dict)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=150, blank=True)
    province_verified_at = models.DateTimeField(null=True, blank=True)
    province_verified_by = models.CharField(max_length=150, blank=True)
    national_verified_at = models.DateTimeField(null=True, blank=True)
    national_verified_by = models.CharField(max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("penilaian KKS")
        verbose_name_plural = _("penilaian KKS")
        constraints = [models.UniqueConstraint(fields=["round", "district"], name="kks_assessment_unique")]

    def __str__(self):
        return f"KKS {self.round.year} {self.district.name}"

    @property
    def area_code(self) -> str:
        return self.district_id


class KksAnswer(models.Model):
    """One indicator of one assessment: owner OPD, self-assessment, evidence, verifier value, pre-fill."""

    assessment = models.ForeignKey(KksAssessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(KksIndicator, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers",
                              verbose_name=_("OPD penanggung jawab"))
    value = models.PositiveSmallIntegerField(_("nilai penilaian mandiri"), null=True, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    evidence_link = models.URLField(_("tautan data dukung"), max_length=500, blank=True)
    verifier_value = models.PositiveSmallIntegerField(_("nilai verifikator"), null=True, blank=True)
    verifier_comment = models.TextField(_("komentar verifikator"), blank=True)
    #: what the indicator engine gave at submission: {"value": x, "option": s, "period": "2025"}
    submitted_data = models.JSONField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator__tatanan__number", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="kks_answer_unique")]

    def __str__(self):
        return f"{self.assessment} {self.indicator.code}"

    @property
    def area_code(self) -> str:
        return self.assessment.district_id

    @property
    def effective(self) -> int | None:
        return self.verifier_value if self.verifier_value is not None else self.value


def evidence_path(instance, filename):
    return f"kks/{instance.answer.assessment_id}/{instance.answer_id}/{filename}"


class KksEvidence(models.Model):
    answer = models.ForeignKey(KksAnswer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.CharField(max_length=150, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
