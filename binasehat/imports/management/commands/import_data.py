import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from binasehat.core.importing import get_importer, importer_kinds, run_import
from binasehat.core.tabular import Table, TableError


class Command(BaseCommand):
    help = (
        "Import CSV/XLSX files of one kind (validated row by row; committed all or nothing). "
        "Ends with 'created=N updated=N unchanged=N rejected=N'; exits 1 when a row was rejected, 2 when a file "
        "cannot be read, 3 when another import of the same kind is being committed."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(importer_kinds()))
        parser.add_argument("files", nargs="+", help="CSV (UTF-8 or Windows-1252) or XLSX files, read in this order as one import")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--partial", action="store_true",
                            help="commit the valid rows even when some rows are rejected")
        parser.add_argument("--user", help="act as this user (scope and audit); default: the system, everything")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress lines on stderr")

    def handle(self, *args, kind, files, dry_run, partial, user, quiet_progress, **options):
        try:
            importer_class = get_importer(kind)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        actor = None
        scope = None
        if user:
            from django.contrib.auth import get_user_model

            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"user {user!r} does not exist") from None
            scope = actor.scope
        importer = importer_class(actor=actor, scope=scope, source="command")
        try:
            tables = [Table(path) for path in files]
        except (TableError, OSError) as exc:
            self.stderr.write(str(exc))
            self.stdout.write("created=0 updated=0 unchanged=0 rejected=0")
            sys.exit(2)
        started = time.monotonic()
        last = [0.0]

        def progress(rows, fraction):
            now = time.monotonic()
            if not quiet_progress and now - last[0] >= 1.0:
                last[0] = now
                self.stderr.write(f"… {rows} baris diperiksa ({now - started:.1f} s)")

        if dry_run:
            result = run_import(importer, tables, dry_run=True, partial=partial, progress=progress)
        else:
            from binasehat.imports.locks import ImportBusy, import_lock

            try:
                with import_lock(kind, f"command:{os.getpid()}", str(importer_class.label)):
                    result = run_import(importer, tables, partial=partial, progress=progress)
            except ImportBusy as exc:
                self.stderr.write(str(exc))
                self.stdout.write("created=0 updated=0 unchanged=0 rejected=0")
                sys.exit(3)
        if result.error:
            self.stderr.write(result.error)
            self.stdout.write(result.summary_line())
            sys.exit(2)
        for notice in result.notices:
            self.stderr.write(notice)
        for read_as in result.read_as:
            self.stderr.write(f"dibaca: {read_as}")
        for w in result.warnings:
            self.stderr.write(f"peringatan baris {w['row']}: {w['message']}")
        for r in result.rejections:
            self.stdout.write(f"baris {r['row']}: {r['key']}: {r['reason']}")
        if result.rejected > len(result.rejections):
            self.stdout.write(f"… dan {result.rejected - len(result.rejections)} baris ditolak lainnya")
        if dry_run:
            self.stderr.write("uji coba (--dry-run): tidak ada yang disimpan")
        elif result.rejected and not result.committed:
            p = result.planned
            self.stderr.write(
                f"tidak ada yang disimpan karena {result.rejected} baris ditolak "
                f"(akan dibuat {p['create']}, diubah {p['update']}); perbaiki berkas atau pakai --partial"
            )
        self.stderr.write(f"{result.rows} baris dalam {time.monotonic() - started:.1f} s")
        self.stdout.write(result.summary_line())
        if result.rejected:
            sys.exit(1)
