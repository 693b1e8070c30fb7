"""manage.py backup FILE: the whole database into FILE, with FILE.manifest.json (row count and checksum of each
table) beside it. SQLite: online backup API; PostgreSQL: pg_dump (custom format)."""

from django.core.management.base import BaseCommand, CommandError

from binasehat.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database into FILE (and FILE.manifest.json)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, database, **options):
        try:
            manifest = backup(file, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"backup {file}: {len(manifest['tables'])} tables, {rows} rows ({manifest['vendor']})")
