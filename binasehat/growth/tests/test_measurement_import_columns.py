"""The measurement import computes z-scores, flags and categories column by column (``computed_columns``): the same
values, of the same types, as ``services.computed_fields`` gives the form and the record service, row by row."""

import random
from decimal import Decimal

from binasehat.growth.importers import computed_columns
from binasehat.growth.services import computed_fields


def test_import_computes_as_the_form():
    rng = random.Random(2026)
    rows = []
    for _ in range(3000):
        rows.append({
            "sex": rng.choice("LP"), "age_days": rng.randint(0, 2000),
            "weight_kg": rng.choice([None, Decimal(f"{rng.uniform(1, 40):.2f}")]),
            "lenhei_cm": rng.choice([None, Decimal(f"{rng.uniform(40, 130):.1f}")]),
            "measure": rng.choice(["", "l", "h"]), "oedema": rng.random() < 0.1,
            "headc_cm": rng.choice([None, Decimal("45.0"), Decimal("30.0")]),
            "muac_cm": rng.choice([None, Decimal("13.5"), Decimal("10.1")]),
        })
    expected = computed_fields(rows)
    columns = computed_columns(**{k: [r[k] for r in rows] for k in rows[0]})
    got = [{k: columns[k][i] for k in columns} for i in range(len(rows))]
    assert got == expected
    assert all(type(g[k]) is type(e[k]) for g, e in zip(got, expected) for k in e)
    # The sample covers flagged rows, oedema and missing values, so the comparison means something.
    assert sum(1 for e in expected if e["flags"]) > 100 and sum(1 for e in expected if e["zwei"] is None) > 100
