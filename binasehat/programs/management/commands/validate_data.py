from django.core.management.base import BaseCommand, CommandError

from binasehat.core.periods import Period, PeriodError
from binasehat.programs import validation
from binasehat.programs.models import DataSet, ValidationRule
from binasehat.programs.validation_rules import OPERATOR_SYMBOLS


def _num(x) -> str:
    if x is None:
        return "-"
    return f"{x:g}"


class Command(BaseCommand):
    help = ("Jalankan aturan validasi (dan deteksi pencilan) atas data program, simpan hasilnya, dan cetak satu "
            "baris per pelanggaran: periode, unit, kode, tingkat, nilai.")

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", required=True, help="2025, 2025Q4 atau 2025-10 (boleh diulang).")
        parser.add_argument("--data-set", dest="data_set", help="Kode kumpulan data, mis. DBD_BULANAN.")
        parser.add_argument("--area", help="Kode wilayah (mis. 19.03) atau kode unit.")
        parser.add_argument("--outliers", action="store_true", help="Juga cari pencilan (berakhir di periode terakhir).")
        parser.add_argument("--method", choices=validation.METHODS, default="z", help="Metode pencilan (bawaan z).")
        parser.add_argument("--threshold", type=float, default=3.0, help="Ambang skor/batas (bawaan 3).")
        parser.add_argument("--n-periods", dest="n_periods", type=int, default=12,
                            help="Panjang deret bulanan untuk pencilan (bawaan 12 bulan).")
        parser.add_argument("--no-store", dest="store", action="store_false", help="Hanya cetak, jangan simpan.")

    def handle(self, *args, period=(), data_set=None, area=None, outliers=False, method="z", threshold=3.0,
               n_periods=12, store=True, **options):
        try:
            periods = [Period.parse(p) for p in period]
        except PeriodError as e:
            raise CommandError(str(e)) from None
        if data_set and not DataSet.objects.filter(code=data_set).exists():
            raise CommandError(f"Kumpulan data tidak dikenal: {data_set}")
        if store:
            summary = validation.validation_run(actor=None, periods=periods, data_set=data_set, area=area,
                                                with_outliers=outliers, method=method, threshold=threshold,
                                                n_periods=n_periods)
            violations, found = summary.violations, summary.outliers
        else:
            violations = validation.run_rules(None, data_set=data_set, periods=periods, area=area)
            end = max(periods, key=lambda p: p.last_month)
            found = validation.outliers(None, data_set=data_set, end_period=end, n_periods=n_periods,
                                        method=method, threshold=threshold, area=area) if outliers else []
        for v in violations:
            self.stdout.write("\t".join([str(v.period), v.org_unit, v.rule.code, v.rule.importance,
                                         f"{_num(v.left)} {OPERATOR_SYMBOLS[v.rule.operator]} {_num(v.right)}"]))
        for o in found:
            detail = f"{_num(o.value)} di luar {_num(o.lower)}–{_num(o.upper)}"
            if o.score is not None:
                detail += f" ({o.method}={o.score:.2f})"
            self.stdout.write("\t".join([str(o.period), o.org_unit, o.element.code,
                                         f"pencilan:{o.method}", detail]))
        tail = f"{len(violations)} pelanggaran aturan"
        if outliers:
            tail += f", {len(found)} pencilan"
        if store:
            tail += f" (baru {summary.created}, tetap {summary.kept}, hilang {summary.removed})"
        self.stderr.write(tail + ".")
        if not ValidationRule.objects.exists():
            self.stderr.write("Belum ada aturan validasi: jalankan migrate (atau load_rules).")
