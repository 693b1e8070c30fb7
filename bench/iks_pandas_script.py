"""The obvious alternative to ``manage.py iks MEMBERS.csv --level kabupaten``: a plain pandas group-by script.

    python bench/iks_pandas_script.py members.csv > out.csv

Member answers (Y/T/N, any case; empty = missing, or for the household indicators i11/i12 answered on another
member's row) → family value per indicator, the worst (N < Y < missing < T: the largest code), family complete
when no member's answer to 1–10 is missing and both household questions are answered, sehat when IKS = Y / (Y + T) > 0.8 (Y > 4T); then per kabupaten (the first 5 characters
of the desa code) the families, complete, sehat, IKS and each indicator's Y and T among complete families. What a
data analyst would write with pandas; ``bench/iks_command.py`` compares its counts with the command's.
"""

import sys

import pandas as pd

COLS = [f"i{j:02d}" for j in range(1, 13)]
HOUSEHOLD = COLS[10:]
N, Y, MISSING, T, EMPTY = 0, 1, 2, 3, -1
CODE = {"N": N, "Y": Y, "T": T}


def main(path: str, out) -> None:
    members = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["no_kk", "desa_code", *COLS])
    codes = pd.DataFrame({
        c: members[c].str.strip().str.upper().map(CODE).fillna(EMPTY if c in HOUSEHOLD else MISSING).astype("int8")
        for c in COLS
    })
    codes["no_kk"] = members["no_kk"].str.replace(" ", "")
    codes["kab"] = members["desa_code"].str.strip().str[:5]
    codes["unanswered"] = (codes[COLS[:10]] == MISSING).any(axis=1)  # a member's answer missing
    family = codes.groupby("no_kk", sort=False).agg(
        {**{c: "max" for c in COLS}, "kab": "first", "unanswered": "any"})
    family[HOUSEHOLD] = family[HOUSEHOLD].replace(EMPTY, MISSING)  # no member answered it
    # complete: every member answered 1–10 (even where another member's T decides the value), and the household
    complete = ~family["unanswered"] & ~(family[HOUSEHOLD] == MISSING).any(axis=1)
    y = (family[COLS] == Y).sum(axis=1)
    t = (family[COLS] == T).sum(axis=1)
    table = pd.DataFrame({"kab": family["kab"], "families": 1, "families_complete": complete,
                          "families_sehat": complete & (y + t > 0) & (y > 4 * t)})
    for c in COLS:
        table[c + "_y"] = complete & (family[c] == Y)
        table[c + "_t"] = complete & (family[c] == T)
    per_kab = table.groupby("kab").sum().astype("int64")
    per_kab.insert(3, "iks", (per_kab["families_sehat"] / per_kab["families_complete"]).round(6))
    per_kab.index.name = "area"
    per_kab.to_csv(out, lineterminator="\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.stdout)
