"""Benchmark: ``manage.py export_parquet measurements OUT.parquet`` on a large table, read back, against CSV.

    .venv/bin/python bench/parquet_export.py                      # 1,000,000 measurements, SQLite
    .venv/bin/python bench/parquet_export.py --rows 100000
    .venv/bin/python bench/parquet_export.py --database-url postgres://postgres@127.0.0.1:54341/postgres

A throw-away database (a temporary SQLite file, or a new PostgreSQL database ``bench_parquet_<pid>`` on the server
of ``--database-url``, dropped at the end), each phase in its own process, settings with DEBUG off:

- *setup* (not counted): migrate; the demo's region tree and two posyandu per desa (as ``bench/zscores.py``);
  ``--rows / 5`` children and ``--rows`` measurements (seed 2020: five visits a child, WHO-shaped z-scores and
  categories, 3 % without a length, 0.2 % oedema) inserted with ``core.bulk.insert_dicts``.
- *export* (timed): ``call_command("export_parquet", "measurements", OUT)`` in a fresh process: rows/s, the
  process's CPU time and its peak memory (VmHWM) beside its memory with Django loaded. Then the same once more with
  ``--chunk 10000``: the peak should not depend on the table's size, only on the chunk.
- *read back*: ``polars.read_parquet`` of the file against ``polars.read_csv`` of the same rows written as CSV
  (the file analysts would otherwise get; written from the read-back frame, so it holds exactly the same
  values), each the fastest of 3; file sizes; the rows, their ids and the sums of the z-scores and weights
  compared with the database's (``FAIL`` otherwise). Read in the bench process.

``PASS``/``FAIL`` lines: the read-back equals the database; peak memory of the export ≤ 500 MB (bounded: streamed
in chunks). No time is required (the issue names none): rows/s are printed. When the load average is at or above
the number of CPUs, compare CPU times rather than wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _common import peak_mb, pg_admin, rss_mb, run_child, with_db

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
GOAL_MB = 500.0


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binasehat.settings")
    import django

    django.setup()


def phase_setup(rows: int) -> dict:
    from zscores import phase_setup as regions_and_posyandu

    base = regions_and_posyandu()
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():
        n_children = insert_measurements(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE growth_measurement")
    return {**{k: base[k] for k in ("regions",)}, "children": n_children, "measurements": rows,
            "seconds": time.perf_counter() - started}


def insert_measurements(rows: int) -> int:
    """``rows / 5`` children at the existing posyandu and ``rows`` measurements of them; the number of children."""
    from binasehat.core.bulk import insert_dicts
    from binasehat.facilities.models import Posyandu
    from binasehat.growth.models import Child, Measurement

    rng = np.random.default_rng(2020)
    posyandu = list(Posyandu.objects.values_list("id", "desa_id"))
    n_children = max(rows // 5, 1)
    place = rng.integers(0, len(posyandu), n_children)
    births = np.datetime64("2021-01-01") + rng.integers(0, 1400, n_children)
    first_new = (Child.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    insert_dicts(Child, ({"nik": f"{1903010101000000 + i}", "name": f"Anak {i}", "sex": "LP"[i % 2],
                          "birth_date": births[i].item(), "mother_name": f"Ibu {i}",
                          "desa_id": posyandu[place[i]][1], "posyandu_id": posyandu[place[i]][0]}
                         for i in range(n_children)))
    child_ids = np.array(Child.objects.filter(id__gt=first_new).order_by("id").values_list("id", flat=True))
    child = np.repeat(np.arange(n_children), 5)[:rows]
    visit = np.tile(np.arange(5), n_children)[:rows]
    day = births[child] + 30 + visit * 61
    age = (day - births[child]).astype(int)
    zwei, zlen = rng.normal(-0.7, 1.1, rows), rng.normal(-1.0, 1.0, rows)
    weight = np.round(3.3 + age / 200 + zwei * 0.8, 2)
    length = np.round(50 + age / 25 + zlen * 2.5, 1)
    no_length = rng.random(rows) < 0.03
    oedema = rng.random(rows) < 0.002
    labels = np.array(["Gizi buruk", "Gizi kurang", "Gizi baik", "Gizi lebih"])

    def measurement(k):
        return {"child_id": int(child_ids[child[k]]), "measured_on": day[k].item(), "age_days": int(age[k]),
                "weight_kg": float(weight[k]), "lenhei_cm": None if no_length[k] else float(length[k]),
                "measure": "l" if age[k] < 731 else "h", "oedema": bool(oedema[k]), "place": "posyandu",
                "posyandu_id": posyandu[place[child[k]]][0], "zwei": float(zwei[k]),
                "zlen": None if no_length[k] else float(zlen[k]),
                "zwfl": None if no_length[k] else float(zwei[k] - zlen[k] / 2), "zbmi": float(zwei[k] * 0.9),
                "bb_u": str(labels[min(3, max(0, int(zwei[k] + 3)))]), "pb_tb_u": "", "bb_pb_tb": "",
                "imt_u": "", "flags": "", "stunting": None if no_length[k] else bool(zlen[k] < -2),
                "wasting": None, "underweight": bool(zwei[k] < -2), "overweight": bool(zwei[k] > 2)}

    insert_dicts(Measurement, (measurement(k) for k in range(rows)))
    return n_children


def phase_export(out: str, chunk: int) -> dict:
    _django()
    import io

    from django.core.management import call_command

    loaded = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    stdout = io.StringIO()
    call_command("export_parquet", "measurements", out, "--chunk", str(chunk), stdout=stdout, stderr=io.StringIO())
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "rows": int(stdout.getvalue().strip().split("=")[1]), "peak_mb": peak_mb(), "loaded_mb": loaded}


def phase_truth() -> dict:
    _django()
    return truth()


def truth() -> dict:
    from django.db.models import Sum

    from binasehat.growth.models import Measurement

    sums = Measurement.objects.aggregate(zwei=Sum("zwei"), zlen=Sum("zlen"), weight=Sum("weight_kg"))
    ids = Measurement.objects.order_by("pk").values_list("id", flat=True)
    return {"count": Measurement.objects.count(), "zwei": sums["zwei"], "zlen": sums["zlen"],
            "weight": float(sums["weight"]), "first_id": ids.first(), "last_id": ids.last()}


def same_as_database(frame, truth: dict, rows_written: int) -> bool:
    """The read-back frame holds the database's measurements: count, first and last id, sums of z-scores and weights."""
    return (frame.height == truth["count"] == rows_written
            and frame["measurement_id"][0] == truth["first_id"] and frame["measurement_id"][-1] == truth["last_id"]
            and abs(frame["zwei"].sum() - truth["zwei"]) <= 1e-6 * abs(truth["zwei"])
            and abs(frame["zlen"].sum() - truth["zlen"]) <= 1e-6 * abs(truth["zlen"])
            and abs(frame["weight_kg"].sum() - truth["weight"]) <= 1e-6 * truth["weight"])


def best_of(n, fn):
    best, result = float("inf"), None
    for _ in range(n):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="measurements in the table")
    parser.add_argument("--chunk", type=int, default=100_000, help="the export's --chunk")
    parser.add_argument("--database-url", help="PostgreSQL server (its maintenance database); default SQLite")
    parser.add_argument("--phase", choices=["setup", "export", "truth"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "setup":
        print(json.dumps(phase_setup(args.rows)))
        return 0
    if args.phase == "export":
        print(json.dumps(phase_export(args.out, args.chunk)))
        return 0
    if args.phase == "truth":
        print(json.dumps(phase_truth()))
        return 0

    import polars as pl

    print(f"parquet export bench: {args.rows:,} measurements; load average {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} CPUs; polars {pl.__version__}")
    tmp = tempfile.TemporaryDirectory()
    directory = Path(tmp.name)
    env = dict(os.environ, BINASEHAT_VAR_DIR=tmp.name, DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40,
               DJANGO_SETTINGS_MODULE="binasehat.settings")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    created_db = None
    try:
        if args.database_url:
            created_db = f"bench_parquet_{os.getpid()}"
            with pg_admin(args.database_url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{created_db}"')
                admin.execute(f'CREATE DATABASE "{created_db}"')
            env["DATABASE_URL"] = with_db(args.database_url, created_db)
            backend = "postgresql"
        else:
            env["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
            backend = "sqlite"
        setup = run_child(__file__, ["--phase", "setup", "--rows", str(args.rows)], env)
        print(f"setup    {backend}: {setup['children']:,} children, {setup['measurements']:,} measurements inserted "
              f"in {setup['seconds']:.1f} s (not counted)")
        out = directory / "measurements.parquet"
        export = run_child(__file__, ["--phase", "export", "--out", str(out), "--chunk", str(args.chunk)], env)
        small = run_child(__file__, ["--phase", "export", "--out", str(directory / "small_chunks.parquet"),
                                     "--chunk", "10000"], env)
        print(f"export   manage.py export_parquet measurements: {export['rows']:,} rows in {export['seconds']:.1f} s "
              f"= {export['rows'] / export['seconds']:,.0f} rows/s; CPU {export['cpu']:.1f} s "
              f"({export['rows'] / export['cpu']:,.0f} rows per CPU second); peak memory {export['peak_mb']:,.0f} MB "
              f"(Django loaded {export['loaded_mb']:,.0f} MB); chunk {args.chunk:,}")
        print(f"         with --chunk 10000: {small['seconds']:.1f} s, peak memory {small['peak_mb']:,.0f} MB")
        database = run_child(__file__, ["--phase", "truth"], env)

        parquet_s, frame = best_of(3, lambda: pl.read_parquet(out))
        csv_path = directory / "measurements.csv"
        frame.write_csv(csv_path)
        csv_s, from_csv = best_of(3, lambda: pl.read_csv(csv_path, try_parse_dates=True))
        p_size, c_size = out.stat().st_size, csv_path.stat().st_size
        print(f"files    Parquet {p_size / 2**20:,.1f} MiB, CSV of the same rows {c_size / 2**20:,.1f} MiB "
              f"({c_size / p_size:.1f}× larger); {frame.width} columns")
        print(f"read     polars.read_parquet {parquet_s:.3f} s, polars.read_csv {csv_s:.3f} s "
              f"({csv_s / parquet_s:.1f}× slower); the CSV comes back with {sum(1 for c in frame.columns if from_csv.schema[c] != frame.schema[c])} "
              f"columns typed otherwise (dates, booleans, empty text)")
        same = (same_as_database(frame, database, export["rows"])
                and pl.read_parquet(directory / "small_chunks.parquet").equals(frame))
        print(f"{'PASS' if same else 'FAIL'} read back: {frame.height:,} rows, ids, sums of zwei/zlen/weight equal to "
              f"the database's; the two chunk sizes wrote the same rows")
        peak = max(export["peak_mb"], small["peak_mb"])
        print(f"{'PASS' if peak <= GOAL_MB else 'FAIL'} export peak memory ≤ {GOAL_MB:.0f} MB: {peak:,.0f} MB")
        ok = same and peak <= GOAL_MB
        print(f"load average now {os.getloadavg()[0]:.2f}")
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if created_db:
            with pg_admin(args.database_url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{created_db}"')
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
