from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class Region(models.Model):
    """A Kemendagri administrative area. The code is the key; level and kind follow from it."""

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        DESA = "desa", _("Desa")
        KELURAHAN = "kelurahan", _("Kelurahan")
        DESA_ADAT = "desa_adat", _("Desa adat")

    LEVEL_NAMES = {1: _("Provinsi"), 2: _("Kabupaten/Kota"), 3: _("Kecamatan"), 4: _("Desa/Kelurahan")}

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=255)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("tingkat"), db_index=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        indexes = [models.Index(fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}" if self.level == 3 else self.name

    def save(self, *args, **kwargs):
        self.level = rules.level_of(self.code)
        self.kind = rules.kind_of(self.code)
        self.parent_id = rules.parent_of(self.code)
        super().save(*args, **kwargs)

    @property
    def level_name(self):
        return self.LEVEL_NAMES[self.level]

    @property
    def child_level_name(self):
        return self.LEVEL_NAMES.get(self.level + 1, "")

    def ancestor_codes(self) -> list[str]:
        return rules.ancestors_of(self.code)


class Population(models.Model):
    """Population of an area in a year: the denominators of coverage indicators."""

    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("tahun"))
    total = models.PositiveIntegerField(_("jumlah penduduk"))
    male = models.PositiveIntegerField(_("laki-laki"), null=True, blank=True)
    female = models.PositiveIntegerField(_("perempuan"), null=True, blank=True)
    households = models.PositiveIntegerField(_("jumlah KK"), null=True, blank=True)
    source = models.CharField(_("sumber"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("penduduk")
        verbose_name_plural = _("penduduk")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="population_region_year_unique")]
        ordering = ["region_id", "-year"]

    def __str__(self):
        return f"{self.region_id} {self.year}: {self.total}"
