"""PIS-PK records: families (as on the Kartu Keluarga), their members, survey visits and the answers given."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region

from . import rules

ANSWER_CHOICES = [("Y", "Y"), ("T", "T"), ("N", "N"), ("", _("kosong"))]


class Family(models.Model):
    no_kk = models.CharField(_("No. KK"), max_length=16, unique=True)
    head_name = models.CharField(_("kepala keluarga"), max_length=150)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa/kelurahan"))
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("puskesmas"))
    created_at = models.DateTimeField(auto_now_add=True)
    #: Raised by every update (form, API, import): an update made from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("keluarga")
        verbose_name_plural = _("keluarga")
        ordering = ["desa_id", "rw", "rt", "head_name"]
        indexes = [models.Index(fields=["desa", "rw", "rt"], name="family_area_idx"),
                   models.Index(fields=["desa"], name="family_desa_prefix_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.head_name} ({self.no_kk})"

    @property
    def area_code(self):
        return self.desa_id


class Member(models.Model):
    class Sex(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    class Relation(models.TextChoices):
        KEPALA = "kepala", _("Kepala keluarga")
        PASANGAN = "pasangan", _("Istri/suami")
        ANAK = "anak", _("Anak")
        MENANTU = "menantu", _("Menantu")
        CUCU = "cucu", _("Cucu")
        ORANG_TUA = "orang_tua", _("Orang tua/mertua")
        LAIN = "lain", _("Famili lain")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("nama"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    relation = models.CharField(_("hubungan dengan kepala keluarga"), max_length=10, choices=Relation.choices)
    pregnant = models.BooleanField(_("hamil"), null=True, blank=True)
    breastfeeding = models.BooleanField(_("menyusui"), null=True, blank=True)
    #: Raised by every update (form, API, import): an update made from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        ordering = ["family_id", "birth_date", "id"]

    def __str__(self):
        return self.name


class Survey(models.Model):
    """One visit of the pendataan keluarga, with the family values and IKS computed from its answers
    (``families.rules``) whenever its answers change."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="surveys")
    visited_on = models.DateField(_("tanggal kunjungan"))
    surveyor = models.CharField(_("petugas pendata"), max_length=150, blank=True)
    # Computed: the 12 family values as letters Y/T/N, "?" where not yet known (an answer missing).
    values = models.CharField(_("nilai keluarga"), max_length=12, default="?" * 12)
    complete = models.BooleanField(_("terdata lengkap"), default=False)
    sum_y = models.PositiveSmallIntegerField(default=0)
    sum_t = models.PositiveSmallIntegerField(default=0)
    sum_n = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("kategori"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("kunjungan pendataan")
        verbose_name_plural = _("kunjungan pendataan")
        ordering = ["family_id", "-visited_on"]
        constraints = [models.UniqueConstraint(fields=["family", "visited_on"], name="survey_family_day_unique")]
        indexes = [models.Index(fields=["visited_on"], name="survey_day_idx")]

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{self.family.head_name} · {date_text(self.visited_on)}"

    @property
    def iks(self):
        """The family's IKS as an exact fraction, None when undefined (incomplete, or all N)."""
        if not self.complete or self.sum_y + self.sum_t == 0:
            return None
        from fractions import Fraction

        return Fraction(self.sum_y, self.sum_y + self.sum_t)

    @property
    def iks_text(self) -> str:
        return rules.ratio_text(self.sum_y, self.sum_y + self.sum_t, 3, ",") if self.iks is not None else ""

    @property
    def household_water(self) -> str:
        return self.values[10]

    @property
    def household_latrine(self) -> str:
        return self.values[11]


class Answer(models.Model):
    """One member's answers at one visit: Y / T / N per indicator, "" when not asked (missing). The household
    indicators i11, i12 are given on one member's row."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="answers")
    i01 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i02 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i03 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i04 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i05 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i06 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i07 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i08 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i09 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i10 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i11 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)
    i12 = models.CharField(max_length=1, blank=True, choices=ANSWER_CHOICES)

    class Meta:
        verbose_name = _("jawaban anggota")
        verbose_name_plural = _("jawaban anggota")
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="answer_survey_member_unique")]

    def __str__(self):
        return f"{self.survey_id}/{self.member_id}"

    def letters(self) -> list[str]:
        return [getattr(self, c) for c in rules.COLUMNS]
