"""``manage.py dhis2_datavalues export|import``: programme data as DHIS2 ``dataValueSets`` (JSON or CSV, codes
as identifiers), the same functions as the API's ``/api/dataValueSets``.

    manage.py dhis2_datavalues export [--data-set DBD_BULANAN] [--element DBD_KASUS] [--period 2025 2026Q1 …]
                                      [--start 2025-01-01 --end 2025-06-30] [--org-unit 19.03.01] [--no-children]
                                      [--format json|csv] [--output FILE]
    manage.py dhis2_datavalues import FILE [--format auto|json|csv] [--dry-run] [--strategy CREATE_AND_UPDATE]

Acts as the system (everything, audited as "sistem") unless ``--user`` names a user, like ``import_data``.
Import prints the conflicts, then ``imported=N updated=N ignored=N deleted=N`` (ignored: refused rows and values equal to what is stored); it exits 1 when a
row was refused and 2 when the file cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from binasehat.programs import dhis2


class Command(BaseCommand):
    help = "Export or import programme data values as DHIS2 dataValueSets (JSON or CSV, identifiers are codes)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write data values as a DHIS2 data value set")
        export.add_argument("--data-set", action="append", default=[], help="data set code (repeatable)")
        export.add_argument("--element", action="append", default=[], help="data element code (repeatable)")
        export.add_argument("--period", action="extend", nargs="+", default=[],
                            help="exact periods, as DHIS2 (202510 or 2025-10; 2025 is the yearly values); "
                                 "use --start/--end for every period between two dates")
        export.add_argument("--start", help="values whose period starts on or after this date (YYYY-MM-DD)")
        export.add_argument("--end", help="values whose period ends on or before this date (YYYY-MM-DD)")
        export.add_argument("--org-unit", help="region code (with everything below it) or puskesmas code")
        export.add_argument("--no-children", action="store_true", help="only the org unit itself")
        export.add_argument("--format", choices=["json", "csv"], default="json")
        export.add_argument("--output", help="file to write (default: standard output)")
        export.add_argument("--user", help="act as this user (scope); default: the system, everything")
        imp = actions.add_parser("import", help="read a DHIS2 data value set")
        imp.add_argument("file", help="JSON or CSV data value set")
        imp.add_argument("--format", choices=["auto", "json", "csv"], default="auto")
        imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        imp.add_argument("--strategy", default=dhis2.CREATE_AND_UPDATE, type=str.upper,
                         choices=sorted(dhis2.STRATEGIES))
        imp.add_argument("--user", help="act as this user (scope and audit); default: the system, everything")

    def _actor(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"user {username!r} does not exist") from None

    def handle(self, *args, action, **options):
        actor = self._actor(options.get("user"))
        if action == "export":
            self.export(actor, **options)
        else:
            self.import_(actor, **options)

    def export(self, actor, *, data_set, element, period, start, end, org_unit, no_children, format, output,
               **options):
        try:
            rows = dhis2.export_values(actor, data_sets=data_set, elements=element, periods=period, start=start,
                                       end=end, org_unit=org_unit, children=not no_children)
        except dhis2.ParameterError as exc:
            raise CommandError(str(exc)) from None
        if format == "csv":
            text = dhis2.as_csv(rows)
        else:
            header = {"dataSet": data_set[0]} if len(data_set) == 1 else {}
            text = json.dumps(dhis2.as_json(rows, **header), ensure_ascii=False) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(rows)} nilai ditulis ke {output}")
        else:
            self.stdout.write(text, ending="")

    def import_(self, actor, *, file, format, dry_run, strategy, **options):
        path = Path(file)
        try:
            payload = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        if format == "auto" and path.suffix.lower() in (".json", ".csv"):
            format = path.suffix.lower()[1:]
        summary = dhis2.import_values(actor, payload, fmt=format, dry_run=dry_run, strategy=strategy)
        count = summary["importCount"]
        for conflict in summary["conflicts"]:
            where = ", ".join(str(i + 1) for i in conflict["indexes"][:20])
            more = len(conflict["indexes"]) - 20
            if more > 0:
                where += f" … (+{more})"
            self.stdout.write(f"nilai ke-{where}: {conflict['object']}: {conflict['value']}")
        self.stderr.write(summary["description"])
        self.stdout.write(" ".join(f"{k}={count[k]}" for k in ("imported", "updated", "ignored", "deleted")))
        if summary["status"] == "ERROR" and not summary["rejectedIndexes"]:
            sys.exit(2)
        if summary["rejectedIndexes"]:
            sys.exit(1)
