import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from binasehat.core.periods import Period, PeriodError
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.regions.models import Region


class Command(BaseCommand):
    help = ("Nilai indikator untuk wilayah dan periode sebagai CSV: "
            "indicator,area,period,numerator,denominator,value,target,meets.")

    def add_arguments(self, parser):
        parser.add_argument("--indicator", action="append", help="Kode indikator (boleh diulang). Bawaan: semua.")
        parser.add_argument("--area", action="append", required=True, help="Kode wilayah (boleh diulang).")
        parser.add_argument("--children", action="store_true", help="Juga setiap wilayah satu tingkat di bawahnya.")
        parser.add_argument("--period", action="append", required=True, help="2025, 2025Q4 atau 2025-10.")

    def handle(self, *args, indicator=None, area=(), children=False, period=(), **options):
        try:
            periods = [Period.parse(p) for p in period]
        except PeriodError as e:
            raise CommandError(str(e)) from None
        qs = Indicator.objects.all()
        if indicator:
            qs = qs.filter(code__in=indicator)
            missing = set(indicator) - set(qs.values_list("code", flat=True))
            if missing:
                raise CommandError(f"Indikator tidak dikenal: {', '.join(sorted(missing))}")
        areas = list(area)
        unknown = set(areas) - set(Region.objects.filter(code__in=areas).values_list("code", flat=True))
        if unknown:
            raise CommandError(f"Wilayah tidak dikenal: {', '.join(sorted(unknown))}")
        if children:
            areas += list(Region.objects.filter(parent_id__in=area).values_list("code", flat=True))
        out = csv.writer(sys.stdout if self.stdout._out is sys.stdout else self.stdout)
        out.writerow(["indicator", "area", "period", "numerator", "denominator", "value", "target", "meets"])
        for v in engine.evaluate(list(qs), areas, periods):
            out.writerow([v.indicator, v.area, v.period, _num(v.numerator), _num(v.denominator), _num(v.value),
                          _num(v.target), "" if v.meets is None else int(v.meets)])


def _num(x):
    if x is None:
        return ""
    return repr(float(x)) if x != int(x) else str(int(x))
