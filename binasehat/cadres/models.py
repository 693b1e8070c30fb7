from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Posyandu


class SkillGroup(models.Model):
    code = models.CharField(_("kode"), max_length=20, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("kelompok keterampilan")
        verbose_name_plural = _("kelompok keterampilan")
        ordering = ["order"]

    def __str__(self):
        return self.name


class Skill(models.Model):
    """One of the 25 keterampilan dasar (reference data with its source). A skill whose wording was not found is a
    placeholder: shown, recordable, never required by the level rule."""

    class Status(models.TextChoices):
        FOUND = "found", _("ditemukan")
        UNCONFIRMED = "unconfirmed", _("belum terkonfirmasi")
        NOT_FOUND = "not_found", _("rumusan belum ditemukan")

    code = models.CharField(_("kode"), max_length=10, primary_key=True)
    group = models.ForeignKey(SkillGroup, on_delete=models.PROTECT, related_name="skills", verbose_name=_("kelompok"))
    name = models.CharField(_("keterampilan"), max_length=255)
    placeholder = models.BooleanField(_("belum diisi dari kurikulum"), default=False)
    status = models.CharField(_("status rumusan"), max_length=12, choices=Status.choices, default=Status.FOUND)
    source = models.TextField(_("sumber"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("keterampilan dasar")
        verbose_name_plural = _("keterampilan dasar")
        ordering = ["group__order", "order"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Level(models.Model):
    """A tanda kecakapan kader level with its (configurable) rule."""

    code = models.CharField(_("kode"), max_length=20, primary_key=True)
    name = models.CharField(_("nama"), max_length=50)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    required_groups = models.JSONField(_("kelompok wajib"), default=list)
    min_groups = models.PositiveSmallIntegerField(_("jumlah kelompok minimal"), default=0)

    class Meta:
        verbose_name = _("tingkat kader")
        verbose_name_plural = _("tingkat kader")
        ordering = ["order"]

    def __str__(self):
        return self.name

    def as_rule(self) -> dict:
        return {"code": self.code, "order": self.order, "required_groups": self.required_groups,
                "min_groups": self.min_groups}


class Kader(models.Model):
    class Sex(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="kader", verbose_name=_("posyandu"))
    sk_number = models.CharField(_("nomor SK kepala desa/lurah"), max_length=100, blank=True)
    sk_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    skills = models.ManyToManyField(Skill, through="KaderSkill", blank=True, verbose_name=_("keterampilan"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kader")
        verbose_name_plural = _("kader")
        ordering = ["posyandu__code", "name"]

    def __str__(self):
        return self.name

    @property
    def area_code(self):
        return self.posyandu.desa_id

    @property
    def has_sk(self) -> bool:
        return bool(self.sk_number)


class KaderSkill(models.Model):
    kader = models.ForeignKey(Kader, on_delete=models.CASCADE, related_name="passed_skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT)
    passed_on = models.DateField(_("lulus pada"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kader", "skill"], name="kader_skill_unique")]


class Training(models.Model):
    kader = models.ForeignKey(Kader, on_delete=models.CASCADE, related_name="trainings")
    name = models.CharField(_("pelatihan"), max_length=200)
    held_on = models.DateField(_("tanggal"), null=True, blank=True)
    organizer = models.CharField(_("penyelenggara"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("pelatihan kader")
        verbose_name_plural = _("pelatihan kader")
        ordering = ["-held_on"]
