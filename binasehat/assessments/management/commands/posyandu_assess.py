
from django.core.management.base import BaseCommand, CommandError

from binasehat.core.cells import SafeCsvWriter
from binasehat.assessments import rules, services
from binasehat.assessments.models import PosyanduEvaluation, RuleSet
from binasehat.facilities.models import Posyandu
from binasehat.regions import rules as region_rules

CRITERIA_STRATA = ("opening_months", "kader_avg", "ds_avg", "kia_cum", "kb_cum", "imunisasi_cum", "extra_program",
                   "dana_sehat")
CRITERIA_AKTIF = ("opening_months", "kader_sk", "services_8_months", "alat_pantau", "extra_program")


class Command(BaseCommand):
    help = ("Evaluate every posyandu in an area for a year (posyandu-strata-2011 and posyandu-aktif) from the "
            "monthly records and the kader registry, store the evaluations and print one row per posyandu. "
            "A year that is over uses its 12 months; the current year January to the last complete month "
            "(provisional). With --refresh-stale (for cron, e.g. daily or on the 1st of each month): re-evaluate "
            "only the verdicts that are missing or stale (a month closed since, or another rule set version in "
            "force), for --year or every year with records.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--area", help="Kemendagri code; default: everything")
        parser.add_argument("--format", choices=["csv", "table"], default="csv")
        parser.add_argument("--refresh-stale", action="store_true",
                            help="only refresh missing or stale verdicts and print how many per year")

    def handle(self, *args, year, area, format, refresh_stale=False, **options):
        if year is None and not refresh_stale:
            raise CommandError("--year is required (or use --refresh-stale)")
        if area:
            try:
                region_rules.validate_code(area)
            except region_rules.CodeError as exc:
                raise CommandError(str(exc)) from None
        if refresh_stale:
            scope = Posyandu.objects.all()
            if area:
                scope = (scope.filter(desa__code__startswith=area + ".") if area.count(".") < 3
                         else scope.filter(desa_id=area))
            for y in [year] if year else services.years_with_verdicts():
                n = services.verdicts_refresh(year=y, posyandu_queryset=scope)
                self.stdout.write(f"{y}: {n} posyandu re-evaluated ({services.months_covered(y)} months)")
            return
        qs = services.posyandu_existing_in(year)
        if area:
            qs = qs.filter(desa__code__startswith=area + ".") if area.count(".") < 3 else qs.filter(desa_id=area)
            services.posyandu_evaluate(year=year, posyandu_ids=list(qs.values_list("pk", flat=True)))
        else:  # every posyandu: the national pass
            services.posyandu_evaluate(year=year)
        header = ["code", "name", "desa_code", "stratum", "aktif", "months", "ruleset_versions"]
        for c in CRITERIA_STRATA:
            header += [f"strata_{c}", f"strata_{c}_met"]
        for c in CRITERIA_AKTIF:
            header += [f"aktif_{c}", f"aktif_{c}_met"]
        writer = SafeCsvWriter(self.stdout, delimiter="," if format == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        # Streamed in the output's order, the two verdicts of a posyandu side by side; each criterion's value
        # and result as ``rules.evaluate`` gives them (the criteria of the rule set's highest level).
        rows = (PosyanduEvaluation.objects.filter(year=year, posyandu__in=qs)
                .order_by("posyandu__desa_id", "posyandu__code", "posyandu_id", "ruleset_code")
                .values_list("posyandu_id", "posyandu__code", "posyandu__name", "posyandu__desa_id", "ruleset_code",
                             "ruleset_id", "result", "months_covered", "inputs")
                .iterator(chunk_size=10_000))
        criteria = {}
        current, pending = None, {}
        for pk, code, name, desa, ruleset_code, ruleset_id, result, months, inputs in rows:
            if pk != current:
                current, pending = pk, {}
            pending[ruleset_code] = (ruleset_id, result, months, inputs)
            if len(pending) < len(services.RULESETS):
                continue
            strata, aktif = pending.pop("posyandu-strata-2011"), pending.pop("posyandu-aktif")
            for ruleset_id in (strata[0], aktif[0]):
                if ruleset_id not in criteria:
                    criteria[ruleset_id] = _criteria(RuleSet.objects.get(pk=ruleset_id))
            row = [code, name, desa, strata[1], aktif[1], strata[2],
                   f"{criteria[strata[0]][0]};{criteria[aktif[0]][0]}"]
            for names, (ruleset_id, _result, _months, values) in ((CRITERIA_STRATA, strata), (CRITERIA_AKTIF, aktif)):
                by = criteria[ruleset_id][1]
                for c in names:
                    op, value = by[c]
                    actual = values[c]
                    row += [_fmt(actual), "ya" if rules._met(actual, op, value) else "tidak"]
            writer.writerow(row)


def _criteria(ruleset) -> tuple[str, dict]:
    """A rule set version's criteria, indicator → (op, value): those of its highest level (strata) or all."""
    definition = ruleset.definition
    items = definition["levels"][-1]["criteria"] if definition["kind"] == "levels" else definition["criteria"]
    return ruleset.version, {c["indicator"]: (c["op"], c["value"]) for c in items}


def _fmt(value):
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value
