"""Benchmark: ``manage.py iks members.csv --level kabupaten`` end to end on 1,000,000 families (≈ 4 million member
rows), the columnar reader against the row reader (before) and a plain polars group-by script (``bench/iks_script.py``).

    .venv/bin/python bench/iks_command.py                     # 1,000,000 families, 3 runs of each
    .venv/bin/python bench/iks_command.py --families 100000 --runs 1

The members file is generated (seed 2016) as ``bench/iks.py`` generates answers: 1–7 members per family, answers
N/Y/T 45/45/10 %, 0.05 % missing, household answers on the first member's row, families over 80,000 desa in
514 kabupaten. Each run is its own process (start to exit; peak memory = the child's maximum resident set
size, which on Linux starts from the bench's own, ≈ 120 MB, so the file is generated in another process),
after an untimed run that lets Python cache its byte code; the figure is the median of ``--runs``. The two readers'
outputs must be identical, and families / complete / sehat per kabupaten must equal the script's (exit 1
otherwise). Goals (from the issue): ≤ 5 s, ≥ 3× faster than the script (printed with PASS/FAIL), peak ≤ 1 GB.
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
    parser.add_argument("--row-reader-runs", type=int, default=1, help="runs of the slow row reader")
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
        script = [sys.executable, str(REPO_ROOT / "bench" / "iks_script.py")]
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
        for _ in range(args.runs):  # alternating, so that load on the machine falls on both
            for name, argv in (("columnar (now)", manage + [str(src), "--level", "kabupaten", "--format", "csv"]),
                               ("polars script", script + [str(src)])):
                results.setdefault(name, []).extend(variant(name, argv, 1))
        results["row reader (before)"] = variant(
            "row reader (before)", manage + [str(src), "--level", "kabupaten", "--format", "csv", "--row-reader"],
            args.row_reader_runs)
        medians = {}
        for name, runs in results.items():
            medians[name] = statistics.median(s for s, _, _ in runs)
            print(f"  {name:20s} median {medians[name]:6.2f} s ({', '.join(f'{s:.2f}' for s, _, _ in runs)}); "
                  f"CPU {statistics.median(c for _, _, c in runs):.2f} s; peak {max(m for _, m, _ in runs):,.0f} MB")
        same = outputs["columnar (now)"] == outputs["row reader (before)"]
        ours = {r[0]: r[1:4] for r in (line.split(",") for line in outputs["columnar (now)"].splitlines()[1:])}
        theirs = {r[0]: r[1:4] for r in (line.split(",") for line in outputs["polars script"].splitlines()[1:])}
        agree = ours == theirs
        print(f"  output of the two readers identical: {same}; families, complete, sehat per kabupaten equal to the "
              f"script's: {agree} ({len(ours)} kabupaten)")
        now = medians["columnar (now)"]
        peak = max(m for _, m, _ in results["columnar (now)"])
        ratio = medians["polars script"] / now
        print(f"  columnar vs row reader {medians['row reader (before)'] / now:.1f}×; "
              f"vs the polars script {ratio:.1f}× "
              f"(goal ≥ {GOAL_RATIO:.0f}×)")
        ok = same and agree
        if args.families == 1_000_000:
            print(f"  goal ≤ {GOAL_SECONDS:.0f} s: {now:.2f} s; peak ≤ 1 GB: {peak:,.0f} MB")
            ok &= now <= GOAL_SECONDS and peak <= GOAL_MB and ratio >= GOAL_RATIO
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
