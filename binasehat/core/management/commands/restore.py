"""manage.py restore FILE: replace the whole database by a backup made with `manage.py backup`, then check the
row count and checksum of every table against FILE.manifest.json (exit 1 when they differ)."""

from django.core.management.base import BaseCommand, CommandError

from binasehat.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the whole database from FILE (made by `backup`) and verify every table."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the database")

    def handle(self, *args, file, database, yes, **options):
        if not yes and options.get("interactive", True):
            answer = input(f"Replace the whole database by {file}? Type 'ya' to go on: ")
            if answer.strip().lower() not in {"ya", "yes"}:
                raise CommandError("restore cancelled")
        try:
            manifest = restore(file, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"restored {file}: {len(manifest['tables'])} tables, {rows} rows, all checksums match")
