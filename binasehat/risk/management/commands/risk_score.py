"""Print the risk score of every desa/kelurahan below an area, highest risk first."""

import csv

from django.core.management.base import BaseCommand, CommandError

from binasehat.regions.models import Region
from binasehat.risk.scoring import district_of, district_scores


class Command(BaseCommand):
    help = "Risk scores per desa/kelurahan: area_code,name,score,rank,failed,no_data (rank 1 = highest risk)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--area", required=True, help="Kemendagri code of a kabupaten/kota, kecamatan or desa")
        parser.add_argument("--format", choices=["csv", "text"], default="text")

    def handle(self, *args, year, area, format, **options):
        region = Region.objects.filter(code=area).first()
        if region is None or region.level < 2:
            raise CommandError(f"Wilayah {area} tidak dikenal (tulis kode kabupaten/kota, kecamatan atau desa).")
        rows = [r for c, r in district_scores(district_of(area), year).items()
                if c == area or c.startswith(area + ".")]
        rows.sort(key=lambda r: (r.rank, r.code))
        if format == "csv":
            w = csv.writer(self.stdout, lineterminator="\n")
            w.writerow(["area_code", "name", "score", "rank", "failed", "no_data"])
            for r in rows:
                w.writerow([r.code, r.name, f"{r.score:g}", r.rank, ";".join(r.result.failed),
                            ";".join(r.result.no_data)])
            return
        for r in rows:
            self.stdout.write(f"{r.rank:>3} {r.score:>5g} {r.code} {r.name}: {', '.join(r.result.failed) or '-'}"
                              f" (tanpa data: {', '.join(r.result.no_data) or '-'})")
