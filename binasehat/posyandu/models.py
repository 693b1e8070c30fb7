from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Posyandu


def _count(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


class PosyanduMonth(models.Model):
    """What one posyandu did in one month. A month without a record counts as not opened."""

    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="months", verbose_name=_("posyandu"))
    month = models.DateField(_("bulan"), help_text=_("Hari pertama bulan laporan."))
    opening_days = models.PositiveSmallIntegerField(_("hari buka"), default=0)
    opening_dates = models.JSONField(_("tanggal dan cara buka"), default=list, blank=True)
    kader_on_duty = models.DecimalField(_("rerata kader bertugas"), max_digits=4, decimal_places=1, default=0)
    tenaga_kesehatan = _count(_("tenaga kesehatan hadir"))
    # SKDN for balita
    s = _count("S")
    k = _count("K")
    d = _count("D")
    n = _count("N")
    o = _count("O")
    b = _count("B")
    bgm = _count("BGM")
    t2 = _count("2T")
    # Services: target (sasaran) and served
    gizi_sasaran = _count(_("sasaran gizi (balita)"))
    ibu_hamil_sasaran = _count(_("sasaran ibu hamil"))
    ibu_hamil_dilayani = _count(_("ibu hamil dilayani"))
    kb_sasaran = _count(_("sasaran KB"))
    kb_dilayani = _count(_("peserta KB dilayani"))
    imunisasi_sasaran = _count(_("sasaran imunisasi"))
    imunisasi_dilayani = _count(_("imunisasi diberikan"))
    # Life-stage services of the ILP posyandu
    usia_sekolah_dilayani = _count(_("usia sekolah dilayani"))
    remaja_dilayani = _count(_("remaja dilayani"))
    usia_produktif_dilayani = _count(_("usia produktif dilayani"))
    usia_produktif_skrining = _count(_("usia produktif diskrining"))
    lansia_dilayani = _count(_("lansia dilayani"))
    lansia_skrining = _count(_("lansia diskrining"))
    pmt_diberikan = _count(_("PMT diberikan"))
    kk_total = _count(_("jumlah KK"))
    kk_dana_sehat = _count(_("KK peserta dana sehat"))
    alat_pantau = models.BooleanField(_("alat pemantauan tumbuh kembang ada"), default=False)
    kegiatan_tambahan = models.BooleanField(_("ada kegiatan tambahan"), default=False)
    kegiatan_tambahan_uraian = models.CharField(_("uraian kegiatan tambahan"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("laporan bulanan posyandu")
        verbose_name_plural = _("laporan bulanan posyandu")
        ordering = ["posyandu_id", "month"]
        constraints = [models.UniqueConstraint(fields=["posyandu", "month"], name="posyandu_month_unique")]

    def __str__(self):
        from django.utils import formats

        name = self.posyandu.name
        return f"{name} {formats.date_format(self.month, 'YEAR_MONTH_FORMAT')}" if self.month else name

    @property
    def area_code(self):
        return self.posyandu.desa_id

    @property
    def opened(self) -> bool:
        return self.opening_days > 0
