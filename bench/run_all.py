"""Every benchmark in one go, as ``make bench`` runs them: each script in turn at the size its goal names, its
output shown as it comes, then one summary of every ``PASS``/``FAIL`` line (with the bench it came from).

    .venv/bin/python bench/run_all.py [--database-url postgres://postgres@127.0.0.1:54339/postgres]
                                      [--only zscores_command,iks_command] [--quick]

With ``--database-url`` the benches that measure a database run on that PostgreSQL server too (each creates and
drops its own databases there); without it they run on SQLite. ``--quick`` passes each bench its small-size
options (figures for a first look, not the goals). Exit 1 when a goal failed or a bench could not run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

#: (script, runs on PostgreSQL too, options for --quick)
BENCHES: list[tuple[str, bool, list[str]]] = [
    ("zscores_command.py", False, ["--rows", "100000", "--runs", "1"]),
    ("zscores.py", False, ["--rows", "100000", "--no-import"]),
    ("iks.py", False, ["--families", "100000"]),
    ("iks_command.py", False, ["--families", "100000", "--runs", "1"]),
    ("import_measurements.py", True, ["--rows", "10000"]),
    ("posyandu_assess.py", True, ["--posyandu", "3000"]),
    ("indicators.py", True, ["--scale", "0.01"]),
    ("parquet_export.py", True, ["--rows", "100000"]),
    ("regions_import.py", True, []),
    ("load.py", True, ["--users", "10", "--seconds", "10"]),
]

VERDICT = re.compile(r"\b(PASS|FAIL)\b")


def run(script: str, argv: list[str]) -> tuple[int, list[str]]:
    """Run one bench, echo its output, return its exit status and its verdict lines."""
    proc = subprocess.Popen([sys.executable, str(BENCH / script), *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=BENCH.parent, env=os.environ.copy())
    verdicts = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if VERDICT.search(line):
            verdicts.append(line.rstrip())
    return proc.wait(), verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="also run the database benches on this PostgreSQL server")
    parser.add_argument("--only", default="", help="comma-separated bench names (without .py)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a first look, not the goals")
    args = parser.parse_args()
    only = {name.strip().removesuffix(".py") for name in args.only.split(",") if name.strip()}
    summary, failed = [], False
    for script, on_postgres, quick in BENCHES:
        if only and script.removesuffix(".py") not in only:
            continue
        if not (BENCH / script).exists():
            summary.append(f"{script}: missing")
            failed = True
            continue
        targets = [("SQLite", [])] if script != "indicators.py" else []
        if on_postgres and args.database_url:
            targets.append(("PostgreSQL", ["--database-url", args.database_url]))
        elif script == "indicators.py":  # it starts a throw-away PostgreSQL server itself without a URL
            targets.append(("PostgreSQL", []))
        for label, db_args in targets:
            print(f"\n=== {script} ({label}) ===", flush=True)
            started = time.monotonic()
            status, verdicts = run(script, [*(quick if args.quick else []), *db_args])
            took = time.monotonic() - started
            summary.append(f"{script} ({label}, {took:.0f} s, exit {status})")
            summary.extend(f"    {line.strip()}" for line in verdicts)
            if status != 0 or any("FAIL" in line for line in verdicts):
                failed = True
            if status != 0 and not verdicts:
                summary.append("    FAIL: the bench did not finish")
    print("\n=== summary ===")
    print("\n".join(summary))
    print("ALL PASS" if not failed else "SOME FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
