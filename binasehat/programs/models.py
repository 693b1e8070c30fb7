"""Aggregate programme data, DHIS2-style: data elements grouped in data sets, one value per data element,
organisation unit and period. Organisation units are a region (by Kemendagri code) or a puskesmas (by its
code); every value also carries the smallest region it belongs to, so it is scoped and summed up the tree
like everything else."""

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    sort = models.PositiveSmallIntegerField(_("urutan"), default=0)

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
    sort = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta(Named.Meta):
        verbose_name = _("elemen data")
        verbose_name_plural = _("elemen data")
        ordering = ["data_set__sort", "sort", "code"]


class LiveValues(models.Manager):
    """Values that are not deleted: what every page, check, rule and indicator reads."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted=False)


class DataValue(models.Model):
    """One value, with DHIS2 2.40's bookkeeping: ``created``, ``last_updated`` (indexed, for incremental sync),
    ``deleted`` (a soft delete, so a deletion can be passed on), ``stored_by``, ``followup``. ``version`` grows by
    one at every change and is checked by ``services.datavalues_write`` so that no one overwrites a change they
    have not seen. ``objects`` holds live values only; ``all_objects`` also the deleted ones."""

    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values",
                                verbose_name=_("elemen data"))
    #: The organisation unit's code: a Kemendagri region code or a puskesmas code.
    org_unit = models.CharField(_("unit"), max_length=30)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("periode"), max_length=7)
    #: First day of the period (months of yearly values: January).
    period_start = models.DateField(_("awal periode"))
    value = models.FloatField(_("nilai"))
    comment = models.TextField(_("catatan"), blank=True)
    followup = models.BooleanField(_("perlu tindak lanjut"), default=False)
    #: Who stored it: the user name, or the ``storedBy`` of an imported value.
    stored_by = models.CharField(_("disimpan oleh"), max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("diubah oleh"))
    created = models.DateTimeField(_("dibuat"), default=timezone.now)
    last_updated = models.DateTimeField(_("diubah"), default=timezone.now, db_index=True)
    deleted = models.BooleanField(_("dihapus"), default=False)
    version = models.PositiveIntegerField(_("versi"), default=1)

    objects = LiveValues()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("nilai data")
        verbose_name_plural = _("nilai data")
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["element", "org_unit", "period"],
                                               name="datavalue_element_unit_period_unique")]
        indexes = [models.Index(fields=["region", "period_start"], name="datavalue_region_start_idx")]

    def __str__(self):
        return f"{self.element.code} {self.org_unit} {self.period} = {self.value:g}"


class DataSetCompletion(models.Model):
    """A data set registered complete for one organisation unit and period (DHIS2's complete data set
    registration): on which day (``completed_on``, DHIS2's ``completeDate``), by whom, and when it was recorded.
    Reporting rates count these against the units expected to report; timeliness compares ``completed_on`` with
    the end of the period."""

    data_set = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="completions",
                                 verbose_name=_("kumpulan data"))
    org_unit = models.CharField(_("unit"), max_length=30)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("periode"), max_length=7)
    period_start = models.DateField()
    completed_on = models.DateField(_("tanggal lengkap"))
    stored_by = models.CharField(_("disimpan oleh"), max_length=255, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    registered_at = models.DateTimeField(_("dicatat"), default=timezone.now)

    class Meta:
        verbose_name = _("laporan lengkap")
        verbose_name_plural = _("laporan lengkap")
        constraints = [models.UniqueConstraint(fields=["data_set", "org_unit", "period"],
                                               name="completion_set_unit_period_unique")]
        indexes = [models.Index(fields=["region", "period_start"], name="completion_region_start_idx")]

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{self.data_set.code} {self.org_unit} {self.period}: {date_text(self.completed_on)}"


# =====================================================================================================
# Validation rules, min–max bounds and validation results (logic: validation.py, validation_rules.py).
# DHIS2 semantics: a rule compares a left and a right expression over data element totals.
# =====================================================================================================


class ValidationRule(models.Model):
    class Operator(models.TextChoices):
        EQUAL_TO = "equal_to", _("sama dengan (=)")
        NOT_EQUAL_TO = "not_equal_to", _("tidak sama dengan (≠)")
        GREATER_THAN = "greater_than", _("lebih dari (>)")
        GREATER_THAN_OR_EQUAL_TO = "greater_than_or_equal_to", _("lebih dari atau sama dengan (≥)")
        LESS_THAN = "less_than", _("kurang dari (<)")
        LESS_THAN_OR_EQUAL_TO = "less_than_or_equal_to", _("kurang dari atau sama dengan (≤)")
        COMPULSORY_PAIR = "compulsory_pair", _("pasangan wajib (keduanya diisi atau keduanya kosong)")
        EXCLUSIVE_PAIR = "exclusive_pair", _("pasangan eksklusif (hanya salah satu yang diisi)")

    class MissingValueStrategy(models.TextChoices):
        SKIP_IF_ANY_VALUE_MISSING = "SKIP_IF_ANY_VALUE_MISSING", _("lewati jika ada nilai yang kosong")
        SKIP_IF_ALL_VALUES_MISSING = "SKIP_IF_ALL_VALUES_MISSING", _("lewati jika semua nilai kosong")
        NEVER_SKIP = "NEVER_SKIP", _("jangan lewati (nilai kosong dihitung 0)")

    class Importance(models.TextChoices):
        HIGH = "high", _("tinggi")
        MEDIUM = "medium", _("sedang")
        LOW = "low", _("rendah")

    code = models.CharField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    name_en = models.CharField(_("nama (Inggris)"), max_length=200, blank=True)
    instruction = models.TextField(_("petunjuk"), help_text=_("Apa yang harus diperiksa bila aturan ini dilanggar."))
    importance = models.CharField(_("tingkat kepentingan"), max_length=8, choices=Importance.choices,
                                  default=Importance.MEDIUM)
    period_type = models.CharField(_("jenis periode"), max_length=8, choices=PeriodType.choices,
                                   default=PeriodType.MONTH)
    left_expression = models.CharField(_("ruas kiri"), max_length=500,
                                       help_text=_("Mis. #{TB_KOHORT_SEMBUH} + #{TB_KOHORT_LENGKAP}"))
    left_description = models.CharField(_("keterangan ruas kiri"), max_length=200, blank=True)
    left_missing = models.CharField(_("nilai kosong ruas kiri"), max_length=30, choices=MissingValueStrategy.choices,
                                    default=MissingValueStrategy.SKIP_IF_ANY_VALUE_MISSING)
    operator = models.CharField(_("operator"), max_length=30, choices=Operator.choices)
    right_expression = models.CharField(_("ruas kanan"), max_length=500)
    right_description = models.CharField(_("keterangan ruas kanan"), max_length=200, blank=True)
    right_missing = models.CharField(_("nilai kosong ruas kanan"), max_length=30,
                                     choices=MissingValueStrategy.choices,
                                     default=MissingValueStrategy.SKIP_IF_ANY_VALUE_MISSING)
    active = models.BooleanField(_("aktif"), default=True)
    #: Shipped in reference/validation_rules.json and kept in step with it after each migration; a rule edited
    #: in the admin is no longer overwritten.
    from_reference = models.BooleanField(_("dari berkas acuan"), default=False, editable=False)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("aturan validasi")
        verbose_name_plural = _("aturan validasi")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.name}"

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") and self.name_en else self.name

    def element_codes(self) -> list[str]:
        from .validation_rules import ExpressionError, parse

        codes: list[str] = []
        for text in (self.left_expression, self.right_expression):
            try:
                codes += [c for c in parse(text).codes if c not in codes]
            except ExpressionError:
                pass
        return codes

    def clean(self):
        from django.core.exceptions import ValidationError

        from .validation_rules import ExpressionError, parse

        errors: dict[str, str] = {}
        sides: dict[str, tuple[str, ...]] = {}
        for field in ("left_expression", "right_expression"):
            try:
                sides[field] = parse(getattr(self, field)).codes
            except ExpressionError as e:
                errors[field] = str(e)
        known = set(DataElement.objects.filter(code__in=[c for codes in sides.values() for c in codes])
                    .values_list("code", flat=True))
        for field, codes in sides.items():
            if unknown := [c for c in codes if c not in known]:
                errors[field] = _("Elemen data tidak dikenal: %(codes)s") % {"codes": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)


class MinMax(models.Model):
    """Accepted range of one data element's values in one organisation unit (DHIS2 "min-max values")."""

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("elemen data"))
    org_unit = models.CharField(_("unit"), max_length=30)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maksimum"), null=True, blank=True)
    comment = models.CharField(_("catatan"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("batas min–maks")
        verbose_name_plural = _("batas min–maks")
        constraints = [models.UniqueConstraint(fields=["element", "org_unit"], name="minmax_element_unit_unique")]

    def __str__(self):
        return f"{self.element.code} {self.org_unit}: {self.min_value}–{self.max_value}"


class ValidationResult(models.Model):
    """One violation of a rule, or one outlier, found by the last validation run that covered it, with its
    follow-up. Re-running keeps the follow-up of a violation that is still there and drops the ones that are
    gone."""

    class Kind(models.TextChoices):
        RULE = "rule", _("aturan validasi")
        OUTLIER = "outlier", _("pencilan")

    class Status(models.TextChoices):
        OPEN = "open", _("terbuka")
        FOLLOWED_UP = "followed_up", _("sudah ditindaklanjuti")

    #: Natural key: ``r<rule id>|<unit>|<period>`` or ``o<element id>|<method>|<unit>|<period>``.
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    rule = models.ForeignKey(ValidationRule, on_delete=models.CASCADE, null=True, blank=True, related_name="results",
                             verbose_name=_("aturan validasi"))
    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("elemen data"))
    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("kumpulan data"))
    #: Outliers: ``z``, ``modified_z`` or ``minmax``.
    method = models.CharField(_("metode"), max_length=12, blank=True)
    importance = models.CharField(_("tingkat kepentingan"), max_length=8, choices=ValidationRule.Importance.choices)
    org_unit = models.CharField(_("unit"), max_length=30)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    puskesmas = models.ForeignKey(Puskesmas, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("periode"), max_length=7)
    period_start = models.DateField()
    #: Rules: the left side. Outliers: the value.
    left_value = models.FloatField(_("nilai kiri"), null=True, blank=True)
    #: Rules: the right side. Outliers: the mean or median of the other values.
    right_value = models.FloatField(_("nilai kanan"), null=True, blank=True)
    score = models.FloatField(_("skor"), null=True, blank=True)
    lower_bound = models.FloatField(_("batas bawah"), null=True, blank=True)
    upper_bound = models.FloatField(_("batas atas"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("catatan tindak lanjut"), blank=True)
    followed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("ditindaklanjuti oleh"))
    followed_up_at = models.DateTimeField(_("ditindaklanjuti"), null=True, blank=True)
    first_found_at = models.DateTimeField(_("pertama ditemukan"), auto_now_add=True)
    last_found_at = models.DateTimeField(_("terakhir ditemukan"))

    class Meta:
        verbose_name = _("hasil validasi")
        verbose_name_plural = _("hasil validasi")
        ordering = ["-period_start", "org_unit", "key"]
        indexes = [models.Index(fields=["region", "period_start"], name="valresult_region_start_idx"),
                   models.Index(fields=["status", "importance"], name="valresult_status_idx")]

    def __str__(self):
        what = self.rule.code if self.rule_id else f"{self.element.code} ({self.method})"
        return f"{what} {self.org_unit} {self.period}"
