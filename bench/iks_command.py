"""Benchmark: ``manage.py iks members.csv --level kabupaten`` end to end on 1,000,000 families (≈ 4 million member
rows), against a plain pandas group-by script (``bench/iks_pandas_script.py``) and the command's own row reader.

    .venv/bin/python bench/iks_command.py                     # 1,000,000 families, 3 runs of each
    .venv/bin/python bench/iks_command.py --families 100000 --runs 1

The members file is generated (seed 2016) as ``bench/iks.py`` generates answers: 1–7 members per family, answers
N/Y/T 45/45/10 %, 0.05 % missing, household answers on the first member's row, families over 80,000 desa in
514 kabupaten. Each run is its own process (start to exit; peak memory = the child's maximum resident set
size, which on Linux starts from the bench's own, ≈ 120 MB, so the file is generated in another process),
after an untimed run that lets Python cache its byte code; the figure is the median of ``--runs``. The two readers'
outputs must be identical, and families / complete / sehat and each indicator's Y and T per kabupaten must equal
the script's (exit 1 otherwise). Goals (from the issue): ≤ 5 s, ≥ 3× faster than the pandas script, peak ≤ 1 GB,
each printed with PASS/FAIL. When the load average is at or above the number of CPUs, time goals are judged on
the processes' CPU time (user + system), since their wall time is then mostly waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from iks import generate
from zscores_command import run

import numpy as np
import polars as pl

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from binasehat.families import rules  # noqa: E402

GOAL_SECONDS, GOAL_RATIO, GOAL_MB = 5.0, 3.0, 1024.0
#: Columns compared with the pandas script: families, complete, sehat and each indicator's Y and T.
COUNTS = ["families", "families_complete", "families_sehat", *[f"i{j:02d}_{k}" for j in range(1, 13) for k in "yt"]]


def counts(text: str) -> dict[str, list[str]]:
    """area → the ``COUNTS`` columns of a CSV output."""
    lines = [line.split(",") for line in text.splitlines()]
    where = [lines[0].index(c) for c in COUNTS]
    return {r[0]: [r[i] for i in where] for r in lines[1:]}


def write_members(path: Path, n_families: int) -> int:
    family, answers, desa_index = generate(n_families)
    rng = np.random.default_rng(7)
    kab = rng.integers(0, 514, 80_000)
    desa_codes = np.array([f"{11 + k // 20:02d}.{k % 20 + 1:02d}.{d % 30 + 1:02d}.{2001 + d % 1000}"
                           for d, k in enumerate(kab)])
    letters = np.array(["N", "Y", "_", "T"])  # codes 0, 1, (2 = missing: empty), 3
    cells = {}
    for j, c in enumerate(rules.COLUMNS):
        col = answers[:, j]
        text = np.where(col < 0, "", letters[np.clip(col, 0, 3)])
        cells[c] = np.where(col == rules.MISSING, "", text)
    frame = pl.DataFrame({
        "no_kk": np.char.add("19", np.char.zfill(family.astype(str), 14)),
        "desa_code": desa_codes[desa_index[family]],
        "rt": (family % 9 + 1).astype(str), "rw": (family % 5 + 1).astype(str),
        "nik": np.arange(len(family)).astype(str), **cells,
    })
    frame.write_csv(path)
    return len(family)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--row-reader-runs", type=int, default=1, help="runs of the slow row reader (0: none)")
    args = parser.parse_args()
    print(f"iks command bench: {args.families:,} families; load average {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "members.csv"
        # generated in a child process: a child's peak memory (ru_maxrss) starts from its parent's when it starts
        done = subprocess.run([sys.executable, "-c", "import sys; from iks_command import write_members; "
                               f"print(write_members(__import__('pathlib').Path(sys.argv[1]), {args.families}))",
                               str(src)], cwd=Path(__file__).parent, capture_output=True, text=True, check=True)
        members = int(done.stdout.strip())
        print(f"data: {members:,} member rows of {args.families:,} families, {src.stat().st_size / 2**20:,.0f} MiB CSV")
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="binasehat.settings", DEBUG="0",
                   SECRET_KEY="bench-only-" + "x" * 40, BINASEHAT_VAR_DIR=str(tmp))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        small = tmp / "small.csv"
        small.write_text("".join(src.open(encoding="utf-8").readlines()[:1001]), encoding="utf-8")
        manage = [sys.executable, str(REPO_ROOT / "manage.py"), "iks"]
        script = [sys.executable, str(REPO_ROOT / "bench" / "iks_pandas_script.py")]
        run(manage + [str(small), "--level", "kabupaten"], env)
        run(script + [str(small)], env)
        outputs = {}

        def variant(name, argv, runs):
            out = tmp / f"{name.split()[0]}.out"
            figures = []
            for _ in range(runs):
                figures.append(run(["/bin/sh", "-c", " ".join(argv) + f" > {out}"], env))
            outputs[name] = out.read_text()
            return figures

        results = {}
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):  # alternating, so that load on the machine falls on both
            for name, argv in (("columnar", manage + [str(src), "--level", "kabupaten", "--format", "csv"]),
                               ("pandas script", script + [str(src)])):
                results.setdefault(name, []).extend(variant(name, argv, 1))
        if args.row_reader_runs:
            results["row reader"] = variant(
                "row reader", manage + [str(src), "--level", "kabupaten", "--format", "csv", "--row-reader"],
                args.row_reader_runs)
        load = max(load_before, os.getloadavg()[0])
        busy = load >= (os.cpu_count() or 1)
        medians, cpus = {}, {}
        for name, runs in results.items():
            medians[name] = statistics.median(s for s, _, _ in runs)
            cpus[name] = statistics.median(c for _, _, c in runs)
            print(f"  {name:14s} median {medians[name]:6.2f} s ({', '.join(f'{s:.2f}' for s, _, _ in runs)}); "
                  f"CPU {cpus[name]:.2f} s; peak {max(m for _, m, _ in runs):,.0f} MB")
        same = outputs["columnar"] == outputs["row reader"] if "row reader" in outputs else None
        ours, theirs = counts(outputs["columnar"]), counts(outputs["pandas script"])
        agree = ours == theirs
        print(f"  output identical to the row reader's (--row-reader): {same}; families, complete, sehat and the 12 "
              f"indicators' Y and T per kabupaten equal to the pandas script's: {agree} ({len(ours)} kabupaten)")
        print(f"  load average {load:.2f} on {os.cpu_count()} CPUs: goals judged on "
              + ("CPU time (the machine is busy: wall time is mostly waiting for a core)" if busy else "wall time"))
        now, now_cpu = medians["columnar"], cpus["columnar"]
        peak = max(m for _, m, _ in results["columnar"])
        ratio = cpus["pandas script"] / now_cpu if busy else medians["pandas script"] / now
        ok = agree and same is not False
        print(f"{'PASS' if agree else 'FAIL'} counts per kabupaten equal to the pandas script's")
        if same is not None:
            print(f"{'PASS' if same else 'FAIL'} output identical to the row reader's")
        full = args.families == 1_000_000
        print(f"{('PASS' if ratio >= GOAL_RATIO else 'FAIL') if full else '(not judged below 1,000,000 families)'} "
              f"columnar vs the pandas script: {ratio:.1f}× faster (goal ≥ {GOAL_RATIO:.0f}×; "
              f"{medians['pandas script'] / now:.1f}× by wall time, {cpus['pandas script'] / now_cpu:.1f}× by CPU time)")
        if full:
            ok &= ratio >= GOAL_RATIO
            judged = now_cpu if busy else now
            print(f"{'PASS' if judged <= GOAL_SECONDS else 'FAIL'} {args.families:,} families end to end ≤ "
                  f"{GOAL_SECONDS:.0f} s: {now:.2f} s wall, {now_cpu:.2f} s CPU")
            print(f"{'PASS' if peak <= GOAL_MB else 'FAIL'} peak memory ≤ 1 GB: {peak:,.0f} MB")
            ok &= judged <= GOAL_SECONDS and peak <= GOAL_MB
        else:
            print(f"(time and memory goals are for 1,000,000 families; {args.families:,} here: not judged)")
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
