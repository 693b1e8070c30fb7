from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.regions.models import Region


class Facility(models.Model):
    """Fields every facility has. ``version`` guards edits: a stale form is refused, never silently saved."""

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)
    active = models.BooleanField(_("beroperasi"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Puskesmas(Facility):
    kecamatan = models.ForeignKey(
        Region, verbose_name=_("kecamatan"), on_delete=models.PROTECT, related_name="puskesmas",
        limit_choices_to={"level": 3},
    )
    wilayah_kerja = models.ManyToManyField(
        Region, verbose_name=_("wilayah kerja"), related_name="puskesmas_wilayah", blank=True,
        limit_choices_to={"level": 4},
    )
    rawat_inap = models.BooleanField(_("rawat inap"), default=False)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)

    class Meta(Facility.Meta):
        verbose_name = _("puskesmas")
        verbose_name_plural = _("puskesmas")
        indexes = [models.Index(fields=["kecamatan"], name="pkm_kec_prefix_idx", opclasses=["varchar_pattern_ops"])]

    @property
    def area_code(self):
        return self.kecamatan_id


class Pustu(Facility):
    """Puskesmas pembantu; under the ILP transformation many become Posyandu Prima."""

    desa = models.ForeignKey(Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                             related_name="pustu", limit_choices_to={"level": 4})
    puskesmas = models.ForeignKey(Puskesmas, verbose_name=_("puskesmas induk"), on_delete=models.PROTECT,
                                  related_name="pustu")
    posyandu_prima = models.BooleanField(_("Posyandu Prima"), default=False)
    prima_since = models.DateField(_("Posyandu Prima sejak"), null=True, blank=True)

    class Meta(Facility.Meta):
        verbose_name = _("pustu")
        verbose_name_plural = _("pustu")
        indexes = [models.Index(fields=["desa"], name="pustu_desa_prefix_idx", opclasses=["varchar_pattern_ops"])]

    @property
    def area_code(self):
        return self.desa_id


class Posyandu(Facility):
    desa = models.ForeignKey(Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT,
                             related_name="posyandu", limit_choices_to={"level": 4})
    dusun = models.CharField(_("dusun/lingkungan"), max_length=100, blank=True)
    rw = models.CharField(_("RW"), max_length=10, blank=True)
    founded_on = models.DateField(_("tanggal berdiri"), null=True, blank=True)
    sk_number = models.CharField(_("nomor SK"), max_length=100, blank=True)
    sk_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    closed_on = models.DateField(_("tanggal tutup"), null=True, blank=True)

    class Meta(Facility.Meta):
        verbose_name = _("posyandu")
        verbose_name_plural = _("posyandu")
        indexes = [models.Index(fields=["desa"], name="posy_desa_prefix_idx", opclasses=["varchar_pattern_ops"])]

    @property
    def area_code(self):
        return self.desa_id

    @property
    def status_label(self):
        return _("beroperasi") if self.active else _("tutup")
