"""Benchmark: import the national Kemendagri region list (91,599 rows) through the project's import mechanism.

Run from the repository root:

    .venv/bin/python bench/regions_import.py                       # SQLite, in a temporary file
    .venv/bin/python bench/regions_import.py --database-url postgres://postgres@127.0.0.1:54339/postgres

With a PostgreSQL URL the database named in it is used only as the maintenance database: the bench creates its own
throw-away databases (``bench_regions_<pid>`` and ``bench_regions_<pid>_naive``) and drops them at the end.

What is measured (each phase in its own process, on its own fresh, migrated database):

1. ``import``: ``run_import(RegionImporter, [provinces, regencies, districts, villages])`` on an empty region table,
   as ``manage.py import_data regions FILES...`` does (reading the CSVs, validating every row, one transaction,
   one audit entry per row). Then the same files again (``re-import``: every row unchanged, nothing written).
2. ``naive``: "the obvious alternative" for comparison: a row-by-row loop of ``Region.objects.update_or_create``
   plus one ``audit_record`` per row, for the first 5,000 villages, with the same code validation. To be fair to
   it, the loop runs inside one ``transaction.atomic()`` (per-row autocommit would be far slower, on SQLite in
   particular) and the provinces, regencies and districts it needs as parents are loaded beforehand with the
   bulk import, untimed. Its rate is extrapolated to the 91,599 rows of the full list.

The project's settings run with DEBUG off here, as in production (with DEBUG on Django also keeps every query's SQL).
Requirement checked: the full import and the re-import each take less than 60 s.

The data is ``../shared/data/wilayah/{provinces,regencies,districts,villages}.csv`` beside the checkout (for tests
and CI only); without it the bench says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _common import peak_mb, pg_admin, run_child, with_db

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binasehat.settings")

DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "wilayah"
FILES = ["provinces.csv", "regencies.csv", "districts.csv", "villages.csv"]
FULL_ROWS = 91_599  # the Kemendagri list of 2025, for the record; the bench counts the rows it is given
LIMIT_SECONDS = 60.0
NAIVE_SAMPLE = 5_000


# --- phases (run in a child process whose environment points at a fresh database) -----------------------------------


def _django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)




def phase_import() -> dict:
    _django()
    from binasehat.core.importing import run_import
    from binasehat.core.models import AuditEntry
    from binasehat.core.tabular import Table
    from binasehat.regions import importers
    from binasehat.regions.importers import RegionImporter
    from binasehat.regions.models import Region

    paths = [DATA_DIR / name for name in FILES]
    # A breakdown without changing the code: time the importer's write() and, inside it, the audit entries.
    spent = {"write": 0.0, "audit": 0.0}

    def timed(key, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[key] += time.perf_counter() - t
        return wrapper

    importers.audit_bulk = timed("audit", importers.audit_bulk)
    RegionImporter.write = timed("write", RegionImporter.write)

    def once():
        spent.update(write=0.0, audit=0.0)
        started, cpu = time.perf_counter(), time.process_time()
        result = run_import(RegionImporter(source="command"), [Table(p) for p in paths])
        seconds = time.perf_counter() - started
        spent["cpu"] = time.process_time() - cpu
        if result.error or result.rejected or not result.committed:
            raise SystemExit(f"import failed: {result.error or result.rejections[:5]}")
        breakdown = {"cpu": spent["cpu"], "read_and_validate": seconds - spent["write"],
                     "write_regions": spent["write"] - spent["audit"], "write_audit": spent["audit"]}
        return seconds, result.planned, breakdown

    first, planned_first, breakdown = once()
    regions, audits = Region.objects.count(), AuditEntry.objects.count()
    again, planned_again, _ = once()
    return {
        "rows": sum(planned_first.values()),
        "seconds": first,
        "planned": planned_first,
        "breakdown": breakdown,
        "reimport_seconds": again,
        "reimport_planned": planned_again,
        "regions": regions,
        "audit_entries": audits,
        "audit_entries_after_reimport": AuditEntry.objects.count(),
        "peak_rss_mb": peak_mb(),
    }


def phase_naive(sample: int) -> dict:
    _django()
    import csv
    from itertools import islice

    from django.db import transaction

    from binasehat.core.audit import audit_record
    from binasehat.core.importing import run_import
    from binasehat.core.models import AuditEntry
    from binasehat.core.tabular import Table
    from binasehat.regions import rules
    from binasehat.regions.importers import RegionImporter
    from binasehat.regions.models import Region

    # Parents, untimed, with the bulk import.
    parents = run_import(RegionImporter(source="command"), [Table(DATA_DIR / name) for name in FILES[:3]])
    assert parents.committed and not parents.rejected, parents.error or parents.rejections[:5]

    with (DATA_DIR / "villages.csv").open(newline="", encoding="utf-8") as f:
        rows = list(islice(csv.DictReader(f), sample))

    started = time.perf_counter()
    with transaction.atomic():
        for row in rows:
            code = rules.validate_code(row["code"].strip())
            name = " ".join(row["name"].split())
            region, created = Region.objects.update_or_create(
                code=code,
                defaults={"name": name, "parent_id": rules.parent_of(code), "level": rules.level_of(code),
                          "kind": rules.kind_of(code)},
            )
            audit_record(actor=None, action="create" if created else "update", obj=region, before=None,
                         after={"name": name, "parent": region.parent_id}, area_code=code, source="command")
    seconds = time.perf_counter() - started
    assert Region.objects.filter(level=4).count() == len(rows)
    return {"rows": len(rows), "seconds": seconds, "audit_entries": AuditEntry.objects.filter(
        model="regions.region", object_pk__in=[r["code"] for r in rows]).count(), "peak_rss_mb": peak_mb()}


# --- orchestration ---------------------------------------------------------------------------------------------------








def _fmt_rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "∞ rows/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to use (its maintenance db); default: SQLite")
    parser.add_argument("--naive-sample", type=int, default=NAIVE_SAMPLE,
                        help="villages imported row by row for the comparison (default %(default)s)")
    parser.add_argument("--phase", choices=["import", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "import":
        print(json.dumps(phase_import()))
        return 0
    if args.phase == "naive":
        print(json.dumps(phase_naive(args.naive_sample)))
        return 0

    missing = [name for name in FILES if not (DATA_DIR / name).is_file()]
    if missing:
        print(f"regions import bench: skipped: {', '.join(missing)} not found in {DATA_DIR} "
              "(the national region list lives beside the checkout, in ../shared/data/wilayah)")
        return 0

    sizes = {name: (DATA_DIR / name).stat().st_size for name in FILES}
    counts = {}
    for name in FILES:
        with (DATA_DIR / name).open(encoding="utf-8") as f:
            counts[name] = sum(1 for line in f if line.strip()) - 1
    total_rows, villages = sum(counts.values()), counts["villages.csv"]

    tmp = tempfile.TemporaryDirectory(prefix="bench-regions-")
    env = dict(os.environ, BINASEHAT_VAR_DIR=tmp.name, DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40,
               IMPORTS_RUN_INLINE="true", LOG_LEVEL="WARNING")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    created_dbs: list[str] = []
    if args.database_url:
        backend = "postgresql"
        base = f"bench_regions_{os.getpid()}"
        urls = {"import": with_db(args.database_url, base), "naive": with_db(args.database_url, base + "_naive")}
        with pg_admin(args.database_url) as admin:
            for name in (base, base + "_naive"):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
                created_dbs.append(name)
            server = admin.execute("SHOW server_version").fetchone()[0]
        backend += f" {server}"
    else:
        backend = "sqlite"
        import sqlite3

        backend += f" {sqlite3.sqlite_version}"
        urls = {phase: f"sqlite:///{tmp.name}/{phase}.sqlite3" for phase in ("import", "naive")}

    try:
        print(f"regions import bench on {backend}: {total_rows:,} rows in {len(FILES)} CSV files "
              f"({sum(sizes.values()) / 1e6:.1f} MB; {villages:,} villages), Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
        full = run_child(__file__, ["--phase", "import"], dict(env, DATABASE_URL=urls["import"]))
        naive = run_child(__file__, ["--phase", "naive", "--naive-sample", str(args.naive_sample)],
                          dict(env, DATABASE_URL=urls["naive"]))
    finally:
        if created_dbs:
            with pg_admin(args.database_url) as admin:
                for name in created_dbs:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        tmp.cleanup()

    rows, seconds, again = full["rows"], full["seconds"], full["reimport_seconds"]
    naive_rate = naive["rows"] / naive["seconds"]
    naive_estimate = rows / naive_rate
    short = backend.split()[0]
    print(f"  import:     {rows:,} rows in {seconds:.1f} s ({_fmt_rate(rows, seconds)}); planned {full['planned']}; "
          f"{full['regions']:,} regions and {full['audit_entries']:,} audit entries written; "
          f"peak memory {full['peak_rss_mb']:.0f} MB")
    b = full["breakdown"]
    print(f"              this process's CPU {b['cpu']:.1f} s (the rest: waiting for the database or for a busy CPU); "
          f"wall time of which: read + validate + commit {b['read_and_validate']:.1f} s, insert regions "
          f"{b['write_regions']:.1f} s, insert audit entries {b['write_audit']:.1f} s")
    print(f"  re-import:  {rows:,} rows in {again:.1f} s ({_fmt_rate(rows, again)}); planned {full['reimport_planned']}; "
          f"audit entries afterwards {full['audit_entries_after_reimport']:,}")
    print(f"  naive:      update_or_create + audit_record per row, {naive['rows']:,} villages in one transaction "
          f"(parents bulk-loaded first, untimed): {naive['seconds']:.1f} s ({naive_rate:,.0f} rows/s) "
          f"→ est. {naive_estimate:.1f} s for {rows:,} rows")
    ok = seconds < LIMIT_SECONDS and again < LIMIT_SECONDS
    print(f"regions import ({short}): {rows:,} rows in {seconds:.1f} s ({_fmt_rate(rows, seconds)}); "
          f"re-import {again:.1f} s; naive update_or_create: {naive_rate:,.0f} rows/s → est. {naive_estimate:.1f} s; "
          f"speed-up {naive_estimate / seconds:.1f}×")
    print(f"requirement (import and re-import of the national list < {LIMIT_SECONDS:.0f} s each): "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
