
from django.core.management.base import BaseCommand, CommandError

from binasehat.core.cells import SafeCsvWriter
from binasehat.assessments import services
from binasehat.assessments.models import PosyanduEvaluation
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
        ids = list(qs.values_list("pk", flat=True))
        services.posyandu_evaluate(year=year, posyandu_ids=ids)
        evaluations = {}
        for e in PosyanduEvaluation.objects.filter(year=year, posyandu_id__in=ids).select_related("ruleset"):
            evaluations.setdefault(e.posyandu_id, {})[e.ruleset_code] = e
        header = ["code", "name", "desa_code", "stratum", "aktif", "months", "ruleset_versions"]
        for c in CRITERIA_STRATA:
            header += [f"strata_{c}", f"strata_{c}_met"]
        for c in CRITERIA_AKTIF:
            header += [f"aktif_{c}", f"aktif_{c}_met"]
        writer = SafeCsvWriter(self.stdout, delimiter="," if format == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        for p in qs.order_by("desa_id", "code"):
            strata, aktif = evaluations[p.pk]["posyandu-strata-2011"], evaluations[p.pk]["posyandu-aktif"]
            row = [p.code, p.name, p.desa_id, strata.result, aktif.result, strata.months_covered,
                   f"{strata.ruleset.version};{aktif.ruleset.version}"]
            for crits, ev in ((CRITERIA_STRATA, strata), (CRITERIA_AKTIF, aktif)):
                by = {c["indicator"]: c for c in ev.criteria}
                for c in crits:
                    value = by[c]["actual"]
                    row += [_fmt(value), "ya" if by[c]["met"] else "tidak"]
            writer.writerow(row)


def _fmt(value):
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value
