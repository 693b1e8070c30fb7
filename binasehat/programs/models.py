"""Aggregate programme data, DHIS2-style: data elements grouped in data sets, one value per data element,
organisation unit and period. Organisation units are a region (by Kemendagri code) or a puskesmas (by its
code); every value also carries the smallest region it belongs to, so it is scoped and summed up the tree
like everything else."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region


class Program(models.TextChoices):
    TB = "tb", _("Tuberkulosis")
    JIWA = "jiwa", _("Kesehatan jiwa")
    DBD = "dbd", _("Demam berdarah dengue")


class PeriodType(models.TextChoices):
    MONTH = "month", _("Bulanan")
    YEAR = "year", _("Tahunan")


class OrgKind(models.TextChoices):
    DESA = "desa", _("Desa/kelurahan")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    KABUPATEN = "kabupaten", _("Kabupaten/kota")


class Named(models.Model):
    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    name_en = models.CharField(_("nama (Inggris)"), max_length=200, blank=True)
    description = models.TextField(_("keterangan"), blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") and self.name_en else self.name


class DataSet(Named):
    """Elements entered together for one kind of unit and period. Values of monthly data sets are counts of
    events and add up over months; values of yearly data sets (targets, estimates, projections) hold for the
    whole year."""

    program = models.CharField(_("program"), max_length=10, choices=Program.choices)
    period_type = models.CharField(_("jenis periode"), max_length=8, choices=PeriodType.choices)
    org_kind = models.CharField(_("diisi per"), max_length=10, choices=OrgKind.choices)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta(Named.Meta):
        verbose_name = _("kumpulan data")
        verbose_name_plural = _("kumpulan data")
        ordering = ["sort", "code"]


class DataElement(Named):
    class ValueType(models.TextChoices):
        INTEGER = "integer", _("bilangan bulat ≥ 0")
        NUMBER = "number", _("angka ≥ 0")

    data_set = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="elements",
                                 verbose_name=_("kumpulan data"))
    value_type = models.CharField(_("jenis nilai"), max_length=8, choices=ValueType.choices,
                                  default=ValueType.INTEGER)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta(Named.Meta):
        verbose_name = _("elemen data")
        verbose_name_plural = _("elemen data")
        ordering = ["data_set__sort", "sort", "code"]


class DataValue(models.Model):
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values",
                                verbose_name=_("elemen data"))
    #: The organisation unit's code: a Kemendagri region code or a puskesmas code.
    org_unit = models.CharField(_("unit"), max_length=30)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("periode"), max_length=7)
    #: First day of the period (months of yearly values: January).
    period_start = models.DateField()
    value = models.FloatField(_("nilai"))
    comment = models.CharField(_("catatan"), max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("nilai data")
        verbose_name_plural = _("nilai data")
        constraints = [models.UniqueConstraint(fields=["element", "org_unit", "period"],
                                               name="datavalue_element_unit_period_unique")]
        indexes = [models.Index(fields=["region", "period_start"], name="datavalue_region_start_idx")]

    def __str__(self):
        return f"{self.element.code} {self.org_unit} {self.period} = {self.value:g}"
