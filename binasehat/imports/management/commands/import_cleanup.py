from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from binasehat.imports import services


class Command(BaseCommand):
    help = (
        "Delete uploaded import files (they hold NIK) older than the retention period "
        "(IMPORT_FILE_RETENTION_HOURS, default 72). Files are already deleted after a commit or a refusal; this "
        "removes previews nobody committed. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=None, help="override the retention period")

    def handle(self, *args, hours, **options):
        hours = hours if hours is not None else float(getattr(settings, "IMPORT_FILE_RETENTION_HOURS", 72))
        count = services.jobs_delete_old_files(older_than=timedelta(hours=hours))
        self.stdout.write(f"{count} uploaded file(s) deleted")
