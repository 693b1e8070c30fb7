
from django.core.management.base import BaseCommand, CommandError

from binasehat.core.cells import SafeCsvWriter
from binasehat.assessments import services
from binasehat.assessments.models import PosyanduEvaluation
from binasehat.regions import rules as region_rules

CRITERIA_STRATA = ("opening_months", "kader_avg", "ds_avg", "kia_cum", "kb_cum", "imunisasi_cum", "extra_program",
                   "dana_sehat")
CRITERIA_AKTIF = ("opening_months", "kader_sk", "services_8_months", "alat_pantau", "extra_program")


class Command(BaseCommand):
    help = ("Evaluate every posyandu in an area for a year (posyandu-strata-2011 and posyandu-aktif) from the "
            "monthly records and the kader registry, store the evaluations and print one row per posyandu.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--area", help="Kemendagri code; default: everything")
        parser.add_argument("--format", choices=["csv", "table"], default="csv")

    def handle(self, *args, year, area, format, **options):
        if area:
            try:
                region_rules.validate_code(area)
            except region_rules.CodeError as exc:
                raise CommandError(str(exc)) from None
        qs = services.posyandu_existing_in(year)
        if area:
            qs = qs.filter(desa__code__startswith=area + ".") if area.count(".") < 3 else qs.filter(desa_id=area)
        ids = list(qs.values_list("pk", flat=True))
        services.posyandu_evaluate(year=year, posyandu_ids=ids)
        evaluations = {}
        for e in PosyanduEvaluation.objects.filter(year=year, posyandu_id__in=ids):
            evaluations.setdefault(e.posyandu_id, {})[e.ruleset_code] = e
        header = ["code", "name", "desa_code", "stratum", "aktif"]
        for c in CRITERIA_STRATA:
            header += [f"strata_{c}", f"strata_{c}_met"]
        for c in CRITERIA_AKTIF:
            header += [f"aktif_{c}", f"aktif_{c}_met"]
        writer = SafeCsvWriter(self.stdout, delimiter="," if format == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        for p in qs.order_by("desa_id", "code"):
            strata, aktif = evaluations[p.pk]["posyandu-strata-2011"], evaluations[p.pk]["posyandu-aktif"]
            row = [p.code, p.name, p.desa_id, strata.result, aktif.result]
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
