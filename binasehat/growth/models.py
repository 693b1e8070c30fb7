from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Posyandu
from binasehat.regions.models import Region


class Child(models.Model):
    class Sex(models.TextChoices):
        L = "L", _("Laki-laki")
        P = "P", _("Perempuan")

    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("nama"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    mother_name = models.CharField(_("nama ibu"), max_length=150, blank=True)
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa/kelurahan"))
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                                 verbose_name=_("posyandu"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anak")
        verbose_name_plural = _("anak")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["desa"], name="child_desa_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name", "birth_date"], name="child_name_birth_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def area_code(self):
        return self.desa_id

    @property
    def sex_code(self) -> int:
        return 1 if self.sex == "L" else 2


class Measurement(models.Model):
    """One visit: what was measured, and the WHO z-scores and Permenkes 2/2020 status computed from it."""

    class Place(models.TextChoices):
        POSYANDU = "posyandu", _("posyandu")
        HOME = "kunjungan_rumah", _("kunjungan rumah")
        FACILITY = "fasyankes", _("fasilitas kesehatan")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("tanggal ukur"))
    weight_kg = models.DecimalField(_("berat badan (kg)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lenhei_cm = models.DecimalField(_("panjang/tinggi badan (cm)"), max_digits=5, decimal_places=1, null=True,
                                    blank=True)
    measure = models.CharField(_("cara ukur"), max_length=1, blank=True,
                               choices=[("l", _("berbaring (panjang)")), ("h", _("berdiri (tinggi)"))])
    oedema = models.BooleanField(_("edema"), default=False)
    headc_cm = models.DecimalField(_("lingkar kepala (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    muac_cm = models.DecimalField(_("LiLA (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    place = models.CharField(_("tempat"), max_length=20, choices=Place.choices, default=Place.POSYANDU)
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Computed on save/import (growth.rules): unrounded z-scores, WHO flags, Permenkes categories.
    age_days = models.IntegerField(_("umur (hari)"))
    zwei = models.FloatField("z BB/U", null=True, blank=True)
    zlen = models.FloatField("z PB/U–TB/U", null=True, blank=True)
    zwfl = models.FloatField("z BB/PB–BB/TB", null=True, blank=True)
    zbmi = models.FloatField("z IMT/U", null=True, blank=True)
    zhc = models.FloatField("z LK/U", null=True, blank=True)
    zac = models.FloatField("z LiLA/U", null=True, blank=True)
    flags = models.CharField(_("nilai janggal (WHO)"), max_length=40, blank=True)
    bb_u = models.CharField("BB/U", max_length=40, blank=True)
    pb_tb_u = models.CharField("PB/U–TB/U", max_length=40, blank=True)
    bb_pb_tb = models.CharField("BB/PB–BB/TB", max_length=40, blank=True)
    imt_u = models.CharField("IMT/U", max_length=40, blank=True)
    stunting = models.BooleanField(null=True)
    wasting = models.BooleanField(null=True)
    underweight = models.BooleanField(null=True)
    overweight = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("pengukuran")
        verbose_name_plural = _("pengukuran")
        ordering = ["child_id", "measured_on"]
        constraints = [models.UniqueConstraint(fields=["child", "measured_on"], name="measurement_child_day_unique")]
        indexes = [models.Index(fields=["measured_on"], name="measurement_day_idx")]

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{self.child.name} · {date_text(self.measured_on)}"
