"""Benchmark: ``manage.py import_data measurements`` on a 100,000-row file (CSV and XLSX), z-scores and audit included.

    .venv/bin/python bench/import_measurements.py                 # SQLite, 100,000 rows
    .venv/bin/python bench/import_measurements.py --rows 10000    # a quick run
    .venv/bin/python bench/import_measurements.py --database-url postgres://postgres@127.0.0.1:54343/postgres

One throw-away database per run (a temporary SQLite file, or a new PostgreSQL database ``bench_imports_<pid>`` on
the server of ``--database-url``, dropped at the end), migrated, with the demo district's regions and posyandu
(``demo --without-individuals``) and generated children (one per 10 rows, spread over the district's desa and
posyandu). Phases, each in its own process so that its peak memory is its own (settings with DEBUG off):

- **generate** (not timed): the children, and the file: each child's monthly visits (WHO-shaped weights and
  lengths, 3 % of rows with a head circumference, 2 % oedema), identified by ``child_nik`` (a tenth by name + birth
  date + mother's name instead), written as CSV and as XLSX (the same rows).
- **import CSV**, then **import XLSX** (timed, end to end): a fresh process runs what ``manage.py import_data
  measurements FILE`` runs (the import lock, ``Table``, ``run_import``), timed from the process's start (Python and
  Django included) to its end. The CSV import creates every row; before the XLSX import the measurements and the
  import's audit are deleted, so that it creates them again. Printed: rows, wall time, rows/s, the process's CPU
  time, its peak resident memory, and the split (read, validate, z-scores, write, audit) ``run_import`` records.
- **per-row loop** ("the obvious alternative"): for a sample of the rows (``--naive-sample``), the child looked up
  with the ORM, ``Measurement`` saved with its z-scores computed for that row, one ``audit_record`` per row, inside
  one transaction; its rate is extrapolated to the whole file.

Goals (from the issue): ≥ 15,000 rows/s end to end, and peak memory ≤ 1 GB for a 1,000,000-row file, judged on the
importing process's measured peak in a run of 1,000,000 rows (``--million``), never extrapolated. Exit 1 on FAIL. The machine is
shared: when the load average is above the number of cores, judge rows/s on CPU time (printed as well).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_mb, pg_admin, rss_mb, run_child, with_db  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binasehat.settings")

GOAL_ROWS_PER_S = 15_000
GOAL_MB_AT_MILLION = 1024
MILLION = 1_000_000
ROWS = 100_000  # the size the rate goal names
ROWS_PER_CHILD = 10
HEADER = ["child_nik", "name", "birth_date", "mother_name", "visit_date", "weight_kg", "lenhei_cm", "measure",
          "oedema", "headc_cm", "muac_cm", "place", "posyandu_code"]


def _django(migrate: bool = False):
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


# --- phases (each in a child process) -------------------------------------------------------------------------------


def phase_generate(rows: int, folder: str, seed: int) -> dict:
    _django(migrate=True)
    from django.core.management import call_command

    call_command("demo", "--without-individuals", stdout=open(os.devnull, "w"))
    import binasehat.growth.importers  # noqa: F401  (compiled here, so the timed imports start from bytecode)
    import binasehat.core.tabular  # noqa: F401
    import binasehat.imports.locks  # noqa: F401

    return generate(rows, folder, seed)


def generate(rows: int, folder: str, seed: int) -> dict:
    """Children (one per ``ROWS_PER_CHILD`` rows) in the database's posyandu, and their visits as a CSV and an XLSX
    file in ``folder``."""
    from django.db import transaction

    from binasehat.core.bulk import insert_dicts
    from binasehat.facilities.models import Posyandu
    from binasehat.growth.models import Child

    rng = random.Random(seed)
    posyandu = list(Posyandu.objects.values_list("id", "code", "desa_id"))
    today = dt.date.today()
    first_visit = today - dt.timedelta(days=ROWS_PER_CHILD * 30 + 15)
    n_children = max(1, -(-rows // ROWS_PER_CHILD))
    children = []
    for i in range(n_children):
        pk, code, desa = posyandu[i % len(posyandu)]
        birth = first_visit - dt.timedelta(days=rng.randint(0, 1000))
        children.append({"nik": f"{desa[:2]}{desa[3:5]}{desa[6:8]}{i:010d}",  # unique; not checked by the import
                         "name": f"Anak Uji {i}", "sex": "LP"[i % 2], "birth_date": birth,
                         "mother_name": f"Ibu Uji {i}", "desa_id": desa, "posyandu_id": pk, "version": 1})
    with transaction.atomic():
        insert_dicts(Child, children)
    csv_path, xlsx_path = Path(folder) / "measurements.csv", Path(folder) / "measurements.xlsx"
    lines = []
    offsets = [max(-3.0, min(3.0, rng.gauss(-0.6, 1.1))) for _ in children]  # each child's own growth line
    for n in range(rows):
        i, visit = n // ROWS_PER_CHILD, n % ROWS_PER_CHILD
        child = children[i]
        day = first_visit + dt.timedelta(days=30 * visit)
        age = (day - child["birth_date"]).days
        z = offsets[i]
        length = 49.5 + 25 * min(age, 365) / 365 + 12 * max(0, min(age - 365, 365)) / 365 \
            + 7 * max(0, age - 730) / 365 + 2.5 * z + rng.uniform(-0.1, 0.1)
        weight = (3.3 + 6.3 * min(age, 365) / 365 + 2.5 * max(0, min(age - 365, 365)) / 365
                  + 2 * max(0, age - 730) / 365) * (1 + 0.1 * z) + rng.uniform(-0.05, 0.05)
        by_nik = i % 10 != 0
        lines.append([
            child["nik"] if by_nik else "", "" if by_nik else child["name"],
            "" if by_nik else child["birth_date"].isoformat(), "" if by_nik else child["mother_name"],
            day.isoformat(), f"{weight:.1f}", f"{length:.1f}", "l" if age < 731 else "h",
            "ya" if rng.random() < 0.02 else "tidak", f"{40 + age / 100:.1f}" if rng.random() < 0.03 else "",
            f"{13.5 + rng.gauss(0, 1):.1f}" if rng.random() < 0.3 else "", "posyandu",
            posyandu[i % len(posyandu)][1],
        ])
    import csv

    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(lines)
    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("Pengukuran")
    sheet.write_row(0, 0, HEADER)
    for r, line in enumerate(lines, start=1):
        sheet.write_row(r, 0, line)
    book.close()
    return {"children": n_children, "rows": rows, "csv_mb": csv_path.stat().st_size / 2**20,
            "xlsx_mb": xlsx_path.stat().st_size / 2**20}


def phase_import(path: str, started: float) -> dict:
    """What ``manage.py import_data measurements PATH`` runs, with the split ``run_import`` records."""
    _django()
    from django.db import connection

    import binasehat.growth.importers  # noqa: F401  (loaded before the base memory is read)

    ready = time.time()
    base = rss_mb()
    result = import_file(path)
    connection.close()
    wall = time.time() - started
    usage = os.times()
    return {"rows": result.rows, "summary": result.summary_line(), "committed": result.committed,
            "error": result.error, "wall": wall, "startup": ready - started, "cpu": usage.user + usage.system,
            "peak_mb": peak_mb(), "base_mb": base, "timings": result.timings, "rejections": result.rejections[:5]}


def import_file(path: str):
    """The import as the command runs it (the import lock, ``Table``, ``run_import``); the ``ImportResult``."""
    from binasehat.core.importing import get_importer, run_import
    from binasehat.core.tabular import Table
    from binasehat.imports.locks import import_lock

    importer = get_importer("measurements")(source="command")
    with import_lock("measurements", f"command:{os.getpid()}", "bench"):
        return run_import(importer, [Table(path)])


def phase_reset() -> dict:
    _django()
    from django.db import connection

    from binasehat.core.models import AuditEntry
    from binasehat.growth.models import Measurement

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Measurement._meta.db_table}")
    AuditEntry.objects.filter(model="growth.measurement").delete()
    return {"measurements": Measurement.objects.count()}


def phase_check(path: str) -> dict:
    """What the import stored: counts, and the audit of one record answerable (who, which file)."""
    _django()
    from binasehat.core.audit import history_for
    from binasehat.growth.models import Measurement

    count = Measurement.objects.count()
    with_z = Measurement.objects.filter(zwei__isnull=False).count()
    one = Measurement.objects.order_by("pk").first()
    entries = list(history_for(one)) if one else []
    return {"measurements": count, "with_zwei": with_z,
            "history": [[e.action, e.source, (e.after or {}).get("sha256", "") if hasattr(e, "after") else ""]
                        for e in entries][:3]}


def phase_naive(path: str, sample: int) -> dict:
    _django()
    return naive(path, sample)


def naive(path: str, sample: int) -> dict:
    """The obvious alternative: one ORM lookup, save and audit entry per row, in one transaction (rolled back)."""
    import csv

    from django.db import transaction

    from binasehat.core.audit import audit_record, snapshot
    from binasehat.core.importing import parse_bool, parse_date, parse_decimal
    from binasehat.facilities.models import Posyandu
    from binasehat.growth.models import Child, Measurement
    from binasehat.growth.services import computed_fields

    with open(path, encoding="utf-8") as fh:
        total = sum(1 for _line in fh) - 1
    step = max(1, total // sample)
    with open(path, newline="", encoding="utf-8") as fh:  # only the sample is held
        picked = [r for i, r in enumerate(csv.DictReader(fh)) if i % step == 0][:sample]
    started = time.perf_counter()
    cpu0 = os.times()
    with transaction.atomic():
        for r in picked:
            if r["child_nik"]:
                child = Child.objects.get(nik=r["child_nik"])
            else:
                child = Child.objects.get(name=r["name"], birth_date=parse_date(r["birth_date"], "birth_date"),
                                          mother_name=r["mother_name"])
            day = parse_date(r["visit_date"], "visit_date")
            data = {"weight_kg": parse_decimal(r["weight_kg"], "weight_kg"),
                    "lenhei_cm": parse_decimal(r["lenhei_cm"], "lenhei_cm"), "measure": r["measure"],
                    "oedema": parse_bool(r["oedema"], "oedema", default=False),
                    "headc_cm": parse_decimal(r["headc_cm"], "headc_cm"),
                    "muac_cm": parse_decimal(r["muac_cm"], "muac_cm"), "place": r["place"] or "posyandu",
                    "posyandu": Posyandu.objects.get(code=r["posyandu_code"])}
            age = (day - child.birth_date).days
            z = computed_fields([{**data, "sex": child.sex, "age_days": age}])[0]
            m, _created = Measurement.objects.update_or_create(
                child=child, measured_on=day, defaults={**data, **z, "age_days": age})
            audit_record(actor=None, action="create", obj=m, after=snapshot(m), area_code=child.desa_id,
                         source="command")
        transaction.set_rollback(True)
    cpu1 = os.times()
    return {"rows": len(picked), "seconds": time.perf_counter() - started,
            "cpu": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)}


# --- driver --------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--formats", default="", help="the files imported: csv, xlsx or csv,xlsx (default: both; "
                                                      "csv with --million)")
    parser.add_argument("--million", action="store_true",
                        help="the memory goal measured: 1,000,000 rows, imported and their peak memory judged "
                             "(72 CPU s per format's import, plus the files' generation: 15 minutes at load 4)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.million:
        args.rows = MILLION
    args.formats = args.formats or ("csv" if args.million else "csv,xlsx")
    if args.phase:
        out = {"generate": lambda: phase_generate(args.rows, args.path, args.seed),
               "import": lambda: phase_import(args.path, args.started),
               "reset": phase_reset, "check": lambda: phase_check(args.path),
               "naive": lambda: phase_naive(args.path, args.naive_sample)}[args.phase]()
        print(json.dumps(out, default=str))
        return 0

    load = os.getloadavg()
    cores = os.cpu_count() or 1
    print(f"import_data measurements bench: {args.rows:,} rows; load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} on {cores} cores")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "binasehat.settings", "DEBUG": "0",
           "SECRET_KEY": "bench-only-" + "x" * 40, "IMPORT_MAX_ROWS": str(max(args.rows, 1_000_000))}
    admin, db_name = None, ""
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        if args.database_url:
            db_name = f"bench_imports_{os.getpid()}"
            admin = pg_admin(args.database_url)
            admin.execute(f'CREATE DATABASE "{db_name}"')
            env["DATABASE_URL"] = with_db(args.database_url, db_name)
            where = f"PostgreSQL ({db_name})"
        else:
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            where = "SQLite"
        env["BINASEHAT_VAR_DIR"] = folder
        # Bytecode written (to the run's folder) and read, as an installed application has it: without it every
        # process compiles Django and the project again (about 1.7 s of the import's start here).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        script = str(Path(__file__).resolve())
        try:
            def child(phase, *extra):
                return run_child(script, ["--phase", phase, "--path", folder, "--rows", str(args.rows),
                                          "--seed", str(args.seed), "--naive-sample", str(args.naive_sample),
                                          *extra], env)

            gen = child("generate")
            print(f"database: {where}; {gen['children']:,} children generated; file {gen['rows']:,} rows "
                  f"(CSV {gen['csv_mb']:.1f} MB, XLSX {gen['xlsx_mb']:.1f} MB)")
            results = {}
            formats = [f for f in ("csv", "xlsx") if f in args.formats.split(",")]
            for fmt in formats:
                if results:
                    child("reset")
                path = str(Path(folder) / f"measurements.{fmt}")
                r = run_child(script, ["--phase", "import", "--path", path, "--started", repr(time.time())], env)
                results[fmt] = r
                if r["error"] or not r["committed"]:
                    print(f"import {fmt}: FAILED: {r['error']} {r['summary']} {r['rejections']}")
                    return 1
                t = r["timings"]
                split = ", ".join(f"{k} {v:.2f} s" for k, v in t.items())
                print(f"import {fmt.upper():4}: {r['rows']:,} rows in {r['wall']:.2f} s wall "
                      f"({r['rows'] / r['wall']:,.0f} rows/s; Python+Django start {r['startup']:.2f} s), "
                      f"CPU {r['cpu']:.2f} s ({r['rows'] / r['cpu']:,.0f} rows/s), peak {r['peak_mb']:.0f} MB; "
                      f"{r['summary']}")
                print(f"   split: {split}")
            check = run_child(script, ["--phase", "check", "--path", folder], env)
            print(f"stored: {check['measurements']:,} measurements, {check['with_zwei']:,} with a weight-for-age z; "
                  f"history of the first: {check['history']}")
            naive = run_child(script, ["--phase", "naive", "--path", str(Path(folder) / "measurements.csv"),
                                       "--naive-sample", str(args.naive_sample)], env)
            naive_rate = naive["rows"] / naive["seconds"]
            print(f"per-row ORM loop: {naive['rows']:,} rows in {naive['seconds']:.2f} s ({naive_rate:,.0f} rows/s, "
                  f"CPU {naive['cpu']:.2f} s) → {args.rows / naive_rate:,.0f} s estimated for {args.rows:,} rows")
        finally:
            if admin is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                admin.close()
    failed = False
    busy = load[0] > cores
    for fmt, r in results.items():
        rate = r["rows"] / r["wall"]
        cpu_rate = r["rows"] / r["cpu"]
        judged = cpu_rate if busy else rate
        naive_judged = naive["rows"] / (naive["cpu"] if busy else naive["seconds"])
        ok = judged >= GOAL_ROWS_PER_S
        if r["rows"] != ROWS:  # the goal names 100,000 rows; other sizes are printed, not judged
            print(f"---- {fmt.upper()} ≥ {GOAL_ROWS_PER_S:,} rows/s end to end: not judged at {r['rows']:,} rows "
                  f"(the goal is for {ROWS:,}): {judged:,.0f} rows/s {'(CPU time)' if busy else '(wall)'}")
            continue
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'} {fmt.upper()} ≥ {GOAL_ROWS_PER_S:,} rows/s end to end: "
              f"{judged:,.0f} rows/s {'(CPU time: load average above the cores)' if busy else '(wall)'} "
              f"= {judged / GOAL_ROWS_PER_S:.2f}× the goal; {judged / naive_judged:.0f}× the per-row loop")
    for fmt, r in results.items():
        # Measured, never extrapolated: the chunks written while validating do not grow with the file, but what a
        # format's reader holds does (calamine holds the whole sheet; an XLSX of more than IMPORT_STREAM_CELLS cells is
        # read as a stream), so only a run at 1,000,000 rows says.
        if r["rows"] < MILLION:
            print(f"---- {fmt.upper()} peak memory for 1,000,000 rows ≤ {GOAL_MB_AT_MILLION} MB: not judged at "
                  f"{r['rows']:,} rows ({r['peak_mb']:.0f} MB here, {r['base_mb']:.0f} MB before the import); "
                  f"run with --million to measure it")
            continue
        ok = r["peak_mb"] <= GOAL_MB_AT_MILLION
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'} {fmt.upper()} peak memory for 1,000,000 rows ≤ {GOAL_MB_AT_MILLION} MB: "
              f"{r['peak_mb']:,.0f} MB measured (VmHWM of the importing process, {r['base_mb']:.0f} MB before the "
              f"import) = {r['peak_mb'] / GOAL_MB_AT_MILLION:.2f}× the limit")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
