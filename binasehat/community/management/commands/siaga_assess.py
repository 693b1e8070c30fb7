"""`python manage.py siaga_assess --year 2025 [--area 19.03] --format csv`: the Desa Siaga stratum of every desa,
with each criterion's value and the stratum that criterion reaches (the same computation as the pages)."""

import csv

from django.core.management.base import BaseCommand, CommandError

from binasehat.community import rules
from binasehat.community.selectors import siaga_compute
from binasehat.regions.models import Region


class Command(BaseCommand):
    help = "Desa/Kelurahan Siaga Aktif strata for a year as CSV: desa_code,name,stratum, then per criterion " \
           "its value and result (the stratum it reaches; empty: not Siaga Aktif)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--area", default="", help="a Kemendagri code: only the desa below it")
        parser.add_argument("--format", default="csv", choices=["csv"])

    def handle(self, *args, year, area, format, **options):
        desa = Region.objects.filter(level=4).select_related("parent").order_by("code")
        if area:
            if not Region.objects.filter(code=area).exists():
                raise CommandError(f"area {area!r} does not exist")
            desa = desa.filter(code__startswith=area + ".") if area.count(".") < 3 else desa.filter(code=area)
        rows = siaga_compute(list(desa), year)
        writer = csv.writer(self.stdout, lineterminator="\n")
        header = ["desa_code", "name", "stratum"]
        for key in rules.CRITERIA:
            header += [key, f"{key}_result"]
        writer.writerow(header)
        for r in rows:
            line = [r.code, r.name, r.stratum or ""]
            for key in rules.CRITERIA:
                line += [r.value_text(key), r.levels.get(key) or ""]
            writer.writerow(line)
