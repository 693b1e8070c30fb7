import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from binasehat.imports import services


class Command(BaseCommand):
    help = (
        "Process queued web imports (validation and commit) outside the web server, one at a time, with progress "
        "stored on the job for its page. Run it as a service beside the web server (or with --once from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="process the jobs queued now, then exit")
        parser.add_argument("--sleep", type=float, default=2.0, help="seconds between looks at an empty queue")

    def handle(self, *args, once, sleep, **options):
        stale = timedelta(seconds=int(getattr(settings, "IMPORT_JOB_STALE_SECONDS", 6 * 3600)))
        done = 0
        while True:
            if not connection.in_atomic_block:  # (inside one only when called from a test)
                close_old_connections()
            services.jobs_fail_stale(older_than=stale)
            claimed = services.job_claim_next()
            if claimed is None:
                if once:
                    break
                time.sleep(sleep)
                continue
            job_id, commit = claimed
            job = services.job_run(job_id, commit=commit)
            done += 1
            self.stdout.write(f"import job {job.pk} ({job.kind}, {'commit' if commit else 'preview'}): {job.status}")
        self.stdout.write(f"{done} job(s) processed")
