"""Benchmark: IKS and the 12 PIS-PK coverages per desa for 1,000,000 families (≈ 4 million members).

    .venv/bin/python bench/iks.py [--families 1000000]

Generates member answers (NumPy, seed 2016) for families spread over 80,000 desa, then times
``families.rules`` (family_values → family_complete → area_counts per desa) and prints seconds and peak memory.
If pandas is installed, the same is done with a straightforward pandas group-by (member → family: max of the
ordered codes; family → desa: sums) in the same run, the results are compared, and the ratio printed; without
pandas that part is skipped with a message. Exit 1 when the two disagree.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from binasehat.families import rules  # noqa: E402


def generate(n_families: int, seed: int = 2016):
    rng = np.random.default_rng(seed)
    size = rng.integers(1, 8, n_families)  # 1–7 members, mean 4
    family = np.repeat(np.arange(n_families), size)
    m = len(family)
    answers = rng.choice(np.array([rules.N, rules.Y, rules.T], np.int8), size=(m, 12), p=[.45, .45, .10])
    answers[rng.random((m, 12)) < 0.0005] = rules.MISSING
    first = np.r_[True, family[1:] != family[:-1]]
    for j in rules.HOUSEHOLD:
        answers[~first, j] = rules.EMPTY
    desa = rng.integers(0, 80_000, n_families)
    return family, answers, desa


def with_numpy(family, answers, desa, n_families):
    values = rules.family_values(answers, family, n_families)
    complete = rules.family_complete(answers, family, n_families)
    return rules.area_counts(values, desa, int(desa.max()) + 1, complete)


def with_pandas(family, answers, desa):
    import pandas as pd

    cols = [f"i{j:02d}" for j in range(1, 13)]
    df = pd.DataFrame(answers, columns=cols)
    df["family"] = family
    df["missing"] = (df[cols[:10]] == rules.MISSING).any(axis=1)
    for c in cols[10:]:
        df[c + "_answered"] = df[c].isin([rules.N, rules.Y, rules.T])
    fam = df.groupby("family").agg({**{c: "max" for c in cols}, "missing": "any",
                                    **{c + "_answered": "any" for c in cols[10:]}})
    for c in cols[10:]:
        fam.loc[fam[c] == rules.EMPTY, c] = rules.MISSING
    fam["complete"] = ~fam["missing"] & fam[[c + "_answered" for c in cols[10:]]].all(axis=1)
    y = (fam[cols] == rules.Y).sum(axis=1)
    t = (fam[cols] == rules.T).sum(axis=1)
    fam["sehat"] = fam["complete"] & (y + t > 0) & (y > 4 * t)
    fam["desa"] = desa[fam.index.to_numpy()]
    for c in cols:
        fam[c + "_y"] = fam["complete"] & (fam[c] == rules.Y)
        fam[c + "_t"] = fam["complete"] & (fam[c] == rules.T)
    return fam.groupby("desa")[["complete", "sehat", *[c + "_y" for c in cols], *[c + "_t" for c in cols]]].sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=1_000_000)
    args = parser.parse_args()
    family, answers, desa = generate(args.families)
    print(f"{args.families:,} families, {len(family):,} members, {int(desa.max()) + 1:,} desa")
    start = time.perf_counter()
    counts = with_numpy(family, answers, desa, args.families)
    numpy_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"families.rules: {numpy_s:.2f} s, peak memory of the process so far {peak:.0f} MB")
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("pandas is not installed: the pandas comparison is skipped (pip install pandas to run it)")
        return 0
    start = time.perf_counter()
    table = with_pandas(family, answers, desa)
    pandas_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pandas group-by: {pandas_s:.2f} s, peak memory of the process {peak:.0f} MB")
    idx = table.index.to_numpy()
    same = (np.array_equal(table["complete"].to_numpy(), counts["complete"][idx])
            and np.array_equal(table["sehat"].to_numpy(), counts["sehat"][idx])
            and all(np.array_equal(table[f"i{j + 1:02d}_y"].to_numpy(), counts["y"][idx, j]) for j in range(12))
            and all(np.array_equal(table[f"i{j + 1:02d}_t"].to_numpy(), counts["t"][idx, j]) for j in range(12)))
    print(f"results identical: {same}; pandas / families.rules = {pandas_s / numpy_s:.1f}×")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
