"""Build the demo district: the real Kabupaten Bangka Selatan (19.03) with invented facilities and users."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from binasehat.demo.build import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Load the demo district (Kabupaten Bangka Selatan) with puskesmas, pustu, posyandu and one user per role."

    def add_arguments(self, parser):
        parser.add_argument("--without-individuals", action="store_true",
                            help="skip children, measurements and families (faster, for browser tests)")

    def handle(self, *args, without_individuals=False, **options):
        with transaction.atomic():
            try:
                summary = build_demo(individuals=not without_individuals)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Demo: {summary['kecamatan']} kecamatan, {summary['desa']} desa/kelurahan, "
            f"{summary['puskesmas']} puskesmas, {summary['pustu']} pustu, {summary['posyandu']} posyandu, "
            f"{summary['kader']} kader, {summary['months']} laporan bulanan posyandu, {summary['children']} anak, "
            f"{summary['measurements']} pengukuran, {summary['families'].get('families', 0)} keluarga PIS-PK."
        )
        year, month = summary["through"]
        self.stdout.write(f"Monthly records January 2025 to {year}-{month:02d}. Posyandu not aktif in 2025:")
        for code, (name, reason) in sorted(summary["failing"].items()):
            self.stdout.write(f"  {name} ({code}): {reason}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, where in summary["users"]:
            self.stdout.write(f"  {username:<10} {role:<11} {where}")
