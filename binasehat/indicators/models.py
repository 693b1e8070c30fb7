"""Indicator definitions (data, shipped in ``reference/indicators.json``) and the monthly aggregates the engine
reads: one row per (input, smallest area, month), and its roll-ups per (input, kecamatan / kabupaten/kota /
province, month), kept current when records change."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    class Direction(models.TextChoices):
        UP = "up", _("makin tinggi makin baik")
        DOWN = "down", _("makin rendah makin baik")

    class Behaviour(models.TextChoices):
        """How the indicator behaves for periods shorter than a year (``rules.py``)."""

        SUM = "sum", _("jumlah bulan: pembilang dan penyebut dijumlahkan")
        ANNUALISED = "annualised", _("disetahunkan: hitungan bulan/triwulan × 12 ÷ jumlah bulan terhadap penyebut tahunan")
        YEARLY = "yearly", _("tahunan: nilai tahun itu berlaku untuk setiap periodenya")
        DISTINCT = "distinct", _("per orang: setiap anak sekali per periode, dengan pengukuran terakhirnya")

    class Formula(models.TextChoices):
        RATIO = "ratio", _("pembilang ÷ penyebut × faktor")
        DENSITY_FIGURE = "density_figure", _("Density Figure dari HI, CI dan BI")

    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    name_en = models.CharField(_("nama (Inggris)"), max_length=200, blank=True)
    short = models.CharField(_("singkatan"), max_length=40, blank=True)
    program = models.CharField(_("program"), max_length=20)
    #: Each a list of input codes, summed; a leading "-" subtracts (ABJ = diperiksa − positif).
    numerator = models.JSONField(_("pembilang"))
    denominator = models.JSONField(_("penyebut"), default=list, blank=True)
    numerator_label = models.CharField(_("keterangan pembilang"), max_length=200, blank=True)
    denominator_label = models.CharField(_("keterangan penyebut"), max_length=200, blank=True)
    factor = models.FloatField(_("faktor"), default=100)
    unit = models.CharField(_("satuan"), max_length=30, blank=True)
    decimals = models.PositiveSmallIntegerField(_("desimal"), default=1)
    formula = models.CharField(_("rumus"), max_length=20, choices=Formula.choices, default=Formula.RATIO)
    direction = models.CharField(_("arah"), max_length=4, choices=Direction.choices, default=Direction.UP)
    behaviour = models.CharField(_("perilaku periode"), max_length=12, choices=Behaviour.choices,
                                 default=Behaviour.SUM)
    #: Targets, each valid for a span of years and with its source:
    #: ``[{"value": 14, "from": 2020, "to": 2024, "source": "Perpres 72/2021"}]`` ("from"/"to" null: open);
    #: ``"district": true`` marks a target the district set itself (no national target). Where spans overlap,
    #: the later entry wins.
    targets = models.JSONField(_("target"), default=list, blank=True)
    #: How the value is compared with the target: ">=", ">", "<=" or "<".
    target_op = models.CharField(_("pembanding target"), max_length=2, default=">=")
    source = models.TextField(_("sumber"), blank=True)
    description = models.TextField(_("keterangan"), blank=True)
    sort = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") and self.name_en else self.name

    def target_entry(self, year: int) -> dict | None:
        """The target in force in ``year`` (with its value, validity and source), or None."""
        found = None
        for t in self.targets if isinstance(self.targets, list) else []:
            if (t.get("from") is None or t["from"] <= year) and (t.get("to") is None or year <= t["to"]):
                found = t
        return found

    def target_for(self, year: int) -> float | None:
        entry = self.target_entry(year)
        return None if entry is None else float(entry["value"])

    def target_source(self, year: int) -> str:
        entry = self.target_entry(year)
        return "" if entry is None else entry.get("source", "")

    def target_is_district(self, year: int) -> bool:
        entry = self.target_entry(year)
        return bool(entry and entry.get("district"))

    def inputs(self) -> list[str]:
        return sorted({term.lstrip("-") for term in [*self.numerator, *self.denominator]})


class Aggregate(models.Model):
    """Σ of one input over one smallest area (a desa; a kecamatan for puskesmas-level data) and one month.
    Inputs that hold for a whole year (population, targets, yearly evaluations) are stored on January."""

    source = models.CharField(max_length=20)
    input = models.CharField(max_length=48)
    #: A Kemendagri code, or ``<kecamatan>.#<puskesmas code>`` for a puskesmas' own data.
    region_code = models.CharField(max_length=48)
    month = models.DateField()
    value = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["input", "region_code", "month"],
                                               name="aggregate_input_region_month_unique")]
        indexes = [
            # Covering on PostgreSQL (the engine reads only these columns); a plain index elsewhere.
            models.Index(fields=["input", "month", "region_code"], include=["value"], name="aggregate_read_idx"),
            # Month first: a refresh deletes and re-reads one month of one source, by cell or by subtree.
            models.Index(fields=["source", "month", "region_code"], name="aggregate_source_month_idx"),
        ]


class Rollup(models.Model):
    """Σ of one input over one province, kabupaten/kota or kecamatan (``region_code`` of 2, 5 or 8 characters) and
    one month: the sum of every ``Aggregate`` row of that area and of the areas below it (the area's own rows, its
    desa, its puskesmas' ``<kecamatan>.#<code>`` rows). Kept with the aggregates (``aggregates.py``), so that
    areas above the desa are never summed from every desa (a programme data element's report count in the row of
    its values): each level is summed from the one below it, and the engine reads their year rows
    (``RollupYear``). On PostgreSQL the unique key also holds ``value`` and ``count`` (migration ``0008``)."""

    source = models.CharField(max_length=20)
    input = models.CharField(max_length=48)
    region_code = models.CharField(max_length=8)
    month = models.DateField()
    #: None when no aggregate row of ``input`` lies in the area (the row holds only a report count).
    value = models.FloatField(null=True)
    #: For a programme data element's values (``de:<code>``): the Σ of its report counts (``de#:<code>``), kept in
    #: the same row (``aggregates.FOLDED``); None for other inputs.
    count = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["input", "region_code", "month"],
                                               name="rollup_input_region_month_unique")]
        indexes = [models.Index(fields=["source", "month", "region_code"], name="rollup_source_month_idx")]


#: ``RollupYear``'s columns: the twelve months' values, then their report counts.
YEAR_VALUES = tuple(f"v{m:02d}" for m in range(1, 13))
YEAR_COUNTS = tuple(f"n{m:02d}" for m in range(1, 13))


class RollupYear(models.Model):
    """The ``Rollup`` rows of one input, area and year as one row: month m's ``value`` in ``v<m>`` and its ``count``
    in ``n<m>`` (None where that month has no roll-up row). Kept with the monthly roll-ups by every refresh and
    rebuild (``aggregates.py``), and what the engine reads for areas above the desa: a year of a kab/kota's
    kecamatan is one row per kecamatan and input instead of twelve."""

    source = models.CharField(max_length=20)
    input = models.CharField(max_length=48)
    region_code = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["input", "region_code", "year"],
                                               name="rollupyear_input_region_year_unique")]
        indexes = [models.Index(fields=["source", "year", "region_code"], name="rollupyear_source_year_idx")]


for _column in YEAR_VALUES + YEAR_COUNTS:
    RollupYear.add_to_class(_column, models.FloatField(null=True))
del _column


class Pending(models.Model):
    """A (source, area, month) cell whose aggregates must be recomputed: written in the same transaction as the
    records that changed, removed once recomputed. Never unique: a cell marked again while it is being
    recomputed stays pending."""

    source = models.CharField(max_length=20)
    region_code = models.CharField(max_length=48, blank=True)
    #: None: every month of the area (or, without an area, the whole source).
    month = models.DateField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)


class FillState(models.Model):
    """How current the aggregates of one source are."""

    source = models.CharField(_("sumber"), max_length=20, primary_key=True)
    rebuilt_at = models.DateTimeField(_("dibangun ulang"), null=True)
    refreshed_at = models.DateTimeField(_("diperbarui"), null=True)
    rows = models.PositiveIntegerField(_("baris"), default=0)
    seconds = models.FloatField(_("lama (detik)"), default=0)

    class Meta:
        verbose_name = _("status pengisian agregat")
        verbose_name_plural = _("status pengisian agregat")

    def __str__(self):
        return str(self.source)
