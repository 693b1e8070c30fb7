from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Posyandu


class RuleSet(models.Model):
    """A versioned rule set, loaded from a file shipped in the package (``rulesets/*.json``)."""

    code = models.CharField(_("kode"), max_length=60)
    version = models.CharField(_("versi"), max_length=20)
    title = models.CharField(_("judul"), max_length=200)
    source = models.TextField(_("sumber"))
    definition = models.JSONField(_("definisi"))
    valid_from = models.PositiveSmallIntegerField(_("berlaku mulai tahun"), null=True, blank=True)
    valid_to = models.PositiveSmallIntegerField(_("berlaku sampai tahun"), null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aturan penilaian")
        verbose_name_plural = _("aturan penilaian")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ruleset_code_version_unique")]
        ordering = ["code", "-version"]

    def __str__(self):
        return f"{self.code} {self.version}"


class PosyanduEvaluation(models.Model):
    """One posyandu, one year, one rule set: the inputs, the result and the next level. Every criterion (with its
    label, actual value and whether it is met) and what is missing follow from the inputs and the rule set
    version stored with the result: they are derived when shown (``criteria``, ``missing``), not stored."""

    # Evaluations are derived data, written only by ``services.posyandu_evaluate`` from posyandu ids and rule set
    # versions it reads in the same transaction (the posyandu locked): no index of their own (the unique
    # constraint (posyandu, year, rule set) starts with the posyandu) and no database constraint checked per row
    # at commit (600,000 rows for a country); CASCADE and PROTECT are kept by the ORM.
    posyandu = models.ForeignKey(Posyandu, on_delete=models.CASCADE, related_name="evaluations", db_index=False,
                                 db_constraint=False)
    year = models.PositiveSmallIntegerField(_("tahun"))
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="evaluations", db_index=False,
                                db_constraint=False)
    ruleset_code = models.CharField(max_length=60)
    result = models.CharField(_("hasil"), max_length=20)
    inputs = models.JSONField(_("masukan"))
    next_level = models.CharField(_("tingkat berikutnya"), max_length=20, blank=True)
    months_covered = models.PositiveSmallIntegerField(
        _("bulan yang dinilai"), default=12, help_text=_("Januari sampai bulan ke-n; 12 = tahun penuh (final)."))
    evaluated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("penilaian posyandu")
        verbose_name_plural = _("penilaian posyandu")
        constraints = [
            models.UniqueConstraint(fields=["posyandu", "year", "ruleset_code"], name="posyandu_eval_unique")
        ]
        indexes = [models.Index(fields=["ruleset_code", "year"], name="eval_code_year_idx")]

    @cached_property
    def outcome(self):
        """The evaluation of the stored inputs by the stored rule set version (``rules.evaluate``)."""
        from .rules import evaluate

        return evaluate(self.ruleset.definition, self.inputs)

    @property
    def criteria(self) -> list[dict]:
        """Every criterion of the result's rule (of the highest level for strata): indicator, label, op, value,
        actual, met."""
        return self.outcome.criteria

    @property
    def missing(self) -> list[dict]:
        """The criteria not yet met for the next level (strata) or for the result (aktif)."""
        return self.outcome.missing

    @property
    def final(self) -> bool:
        """A verdict over the whole year; otherwise provisional ("sementara s.d. <bulan>")."""
        return self.months_covered >= 12

    @property
    def through(self):
        """The first day of the last month the verdict covers."""
        import datetime as dt

        return dt.date(self.year, max(self.months_covered, 1), 1)
