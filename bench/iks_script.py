"""The obvious alternative to ``manage.py iks MEMBERS.csv --level kabupaten``: a plain polars group-by script.

    python bench/iks_script.py members.csv

Member answers → family value per indicator (the worst: N < Y < T, household answers from any member), family
complete when no answer is missing, IKS per family (Y / (Y + T), sehat above 0.8), then per kabupaten the families,
complete, sehat and IKS. What a data analyst would write; used by ``bench/iks_command.py`` for comparison.
"""

import sys

import polars as pl

COLS = [f"i{j:02d}" for j in range(1, 13)]
CODE = {"N": 0, "Y": 1, "T": 3, "n": 0, "y": 1, "t": 3}

members = pl.read_csv(sys.argv[1], infer_schema=False)
coded = members.select(
    pl.col("no_kk"), pl.col("desa_code").str.slice(0, 5).alias("kab"),
    *[pl.col(c).replace_strict(CODE, default=None, return_dtype=pl.Int8).alias(c) for c in COLS],
    *[~pl.col(c).is_in(list(CODE)).alias(c + "_missing") for c in COLS[:10]],
)
family = coded.group_by("no_kk").agg(
    pl.col("kab").first(), *[pl.col(c).max() for c in COLS],
    pl.any_horizontal([pl.col(c + "_missing") for c in COLS[:10]]).any().alias("missing"),
)
family = family.with_columns(
    (~pl.col("missing") & pl.all_horizontal(pl.col(c).is_not_null() for c in COLS[10:])).alias("complete"),
    pl.sum_horizontal([(pl.col(c) == 1).cast(pl.Int32) for c in COLS]).alias("y"),
    pl.sum_horizontal([(pl.col(c) == 3).cast(pl.Int32) for c in COLS]).alias("t"),
).with_columns((pl.col("complete") & (pl.col("y") + pl.col("t") > 0) & (pl.col("y") > 4 * pl.col("t"))).alias("sehat"))
out = family.group_by("kab").agg(pl.len().alias("families"), pl.col("complete").sum(), pl.col("sehat").sum()) \
    .with_columns((pl.col("sehat") / pl.col("complete")).round(3).alias("iks")).sort("kab")
out.write_csv(sys.stdout)
