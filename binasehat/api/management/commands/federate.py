"""``manage.py federate push|pull``: programme data values to and from another Bina Sehat or a DHIS2 2.40.

    manage.py federate push --to https://provinsi.example --token d2pat_… [--since 2025-01-01T00:00:00+07:00]
                            [--mapping peta.json] [--data-set DBD_BULANAN] [--org-unit 19.03] [--dry-run]
    manage.py federate pull --from https://provinsi.example --token d2pat_… [same options]

Only values changed since the last finished run in the same direction with the same address are sent (or taken),
deletions included. Prints every conflict, then ``imported=N updated=N ignored=N deleted=N``; exits 1 when a
value was refused and 2 when the other side could not be reached (the next run then sends the same values again).
"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from binasehat.api.federation import COUNT_KEYS, Mapping, federation_pull, federation_push


def _moment(text: str) -> dt.datetime:
    from binasehat.programs.dhis2 import ParameterError, _as_moment

    try:
        return _as_moment(text)
    except ParameterError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "Send programme data values to (push) or take them from (pull) another Bina Sehat or a DHIS2."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        for name, target in (("push", "--to"), ("pull", "--from")):
            sub = actions.add_parser(name)
            sub.add_argument(target, dest="url", required=True, help="base address of the other instance")
            sub.add_argument("--token", required=True, help="personal access token there (d2pat_…)")
            sub.add_argument("--since", type=_moment, help="only values changed after this moment")
            sub.add_argument("--mapping", help="JSON file mapping our codes to theirs")
            sub.add_argument("--data-set", action="append", default=[], help="data set code (repeatable)")
            sub.add_argument("--org-unit", help="region code (with everything below it) or puskesmas code")
            sub.add_argument("--dry-run", action="store_true", help="let the receiver check and count only")
            if name == "push":
                sub.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, action, url, token, since, mapping, data_set, org_unit, dry_run, **options):
        try:
            rules = Mapping.load(mapping)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{mapping}: {exc}") from None
        if action == "push":
            run = federation_push(url=url, token=token, since=since, mapping=rules, data_sets=data_set or None,
                                  org_unit=org_unit, batch_size=options["batch_size"], dry_run=dry_run)
        else:
            run = federation_pull(url=url, token=token, since=since, mapping=rules, data_sets=data_set or None,
                                  org_unit=org_unit, dry_run=dry_run)
        for c in run.conflicts:
            self.stdout.write(f"conflict {c.get('errorCode') or ''} {c.get('object')}: {c.get('value')} "
                              f"(rows {', '.join(str(i) for i in c.get('indexes', [])[:20])})")
        if run.error:
            self.stderr.write(f"failed after {run.sent} values: {run.error}")
        self.stdout.write(f"sent={run.sent} " + " ".join(f"{k}={run.counts.get(k, 0)}" for k in COUNT_KEYS))
        if run.error:
            sys.exit(2)
        if run.conflicts:
            sys.exit(1)
