from django.core.management.base import BaseCommand, CommandError

from binasehat.indicators import aggregates
from binasehat.core.inputs import SOURCES


class Command(BaseCommand):
    help = "Hitung ulang seluruh agregat bulanan indikator dari data (pemulihan, atau sesudah muat data massal)."

    def add_arguments(self, parser):
        parser.add_argument("--source", action="append", choices=sorted(SOURCES),
                            help="Hanya sumber ini (boleh diulang). Bawaan: semua.")

    def handle(self, *args, source=None, **options):
        try:
            done = aggregates.rebuild(source)
        except KeyError as e:
            raise CommandError(f"Sumber tidak dikenal: {e}") from None
        for name, rows in done.items():
            self.stdout.write(f"{name}: {rows} baris agregat")
