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


class Letterhead(models.Model):
    """The kop surat and signature block of an office bound to an area (a Dinas Kesehatan of a kabupaten/kota,
    or of a province), printed on every report sent upward. A report uses the letterhead of its area or of the
    nearest area above it that has one."""

    region = models.OneToOneField(Region, verbose_name=_("wilayah"), on_delete=models.CASCADE,
                                  related_name="letterhead")
    government = models.CharField(_("pemerintah daerah"), max_length=120,
                                  help_text=_("mis. Pemerintah Kabupaten Bangka Selatan"))
    office = models.CharField(_("instansi"), max_length=120, help_text=_("mis. Dinas Kesehatan"))
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    contact = models.CharField(_("telepon, surel, laman"), max_length=255, blank=True)
    place = models.CharField(_("tempat penandatanganan"), max_length=60, blank=True, help_text=_("mis. Toboali"))
    signatory_title = models.CharField(_("jabatan penanda tangan"), max_length=160, blank=True,
                                       help_text=_("mis. Kepala Dinas Kesehatan Kabupaten Bangka Selatan"))
    signatory_name = models.CharField(_("nama penanda tangan"), max_length=120, blank=True)
    signatory_rank = models.CharField(_("pangkat/golongan"), max_length=80, blank=True)
    signatory_nip = models.CharField(_("NIP"), max_length=18, blank=True)
    #: The logo itself (PNG or JPEG, at most ``LOGO_MAX_BYTES``): kept in the database so that the PDF embeds it
    #: without a media server and a backup carries it.
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    LOGO_MAX_BYTES = 512 * 1024

    class Meta:
        verbose_name = _("kop surat")
        verbose_name_plural = _("kop surat")

    def __str__(self):
        return f"{self.office} — {self.government}"

    @property
    def logo_data_uri(self) -> str:
        import base64

        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(bytes(self.logo)).decode()}"
