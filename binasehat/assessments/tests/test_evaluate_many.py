"""``rules.evaluate_many`` (every posyandu at once) gives exactly the outcomes of ``rules.evaluate`` per posyandu,
the reference, for both shipped rule sets: results, every criterion with its actual value and whether it is met,
what is missing and the next level. On 3,000 generated posyandu-years around every threshold (exactly 8 months,
exactly 5 kader, coverage exactly 50 %, values not reported, months without records) and on the hand-worked
cases of ``test_posyandu_rules``."""

from __future__ import annotations

import numpy as np
import pytest

from binasehat.assessments import rules

from .test_posyandu_rules import AKTIF, STRATA, year


def generated(n: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    m = rules.empty_months(n)
    recorded = rng.random((n, 12)) < rng.choice([1.0, 0.9, 0.6], n)[:, None]
    opened = recorded & (rng.random((n, 12)) < rng.choice([1.0, 0.75, 0.66, 0.5], n)[:, None])
    s = rng.integers(0, 60, (n, 12)).astype(float)
    m["opening_days"][recorded] = opened[recorded].astype(float)
    m["kader_on_duty"][recorded] = np.where(opened, rng.integers(3, 8, (n, 12)), 0)[recorded]
    m["s"][recorded] = s[recorded]
    m["d"][recorded] = np.where(opened, np.floor(s * rng.choice([0.5, 0.3, 0.8], (n, 12))), 0)[recorded]
    for served, target in (("ibu_hamil_dilayani", "ibu_hamil_sasaran"), ("kb_dilayani", "kb_sasaran"),
                           ("imunisasi_dilayani", "imunisasi_sasaran")):
        t = rng.integers(0, 20, (n, 12)).astype(float) * 2
        m[target][recorded] = t[recorded]
        m[served][recorded] = np.where(opened, t * rng.choice([0.5, 0.45, 1.0], (n, 12)), 0)[recorded]
    m["kk_total"][recorded] = 100
    m["kk_dana_sehat"][recorded] = rng.choice([50, 49, 80], (n, 12))[recorded]
    m["alat_pantau"][recorded] = rng.random((n, 12))[recorded] < 0.9
    m["kegiatan_tambahan"][recorded] = rng.random((n, 12))[recorded] < 0.1
    unreported = rng.random((n, 12)) < 0.03
    m["s"][unreported] = np.nan
    return m, rng.integers(3, 8, n)


@pytest.mark.parametrize("ruleset", [STRATA, AKTIF], ids=["strata", "aktif"])
def test_the_same_outcomes_as_the_per_row_evaluator(ruleset):
    m, kader_sk = generated(3000)
    for period in (12, 7):
        inputs = rules.yearly_inputs(m, kader_sk, months_in_period=period)
        many = rules.evaluate_many(ruleset, inputs)
        results = set()
        for i, outcome in enumerate(many):
            one = {k: rules._plain(v[i]) for k, v in inputs.items()}
            assert outcome == rules.evaluate(ruleset, one), i
            results.add(str(outcome.result))
        if period == 12:  # 7 months never reach the yearly 8 months: one result there
            assert len(results) >= 2


def test_the_hand_worked_cases():
    """Exactly at every threshold: Mandiri and aktif; 7 opening months: Pratama, not aktif (test_posyandu_rules)."""
    months = [year(opened_months=12), year(opened_months=7)]
    m = {k: np.concatenate([x[k] for x in months]) for k in months[0]}
    inputs = rules.yearly_inputs(m, np.array([5, 5]), months_in_period=12)
    strata, aktif = rules.evaluate_many(STRATA, inputs), rules.evaluate_many(AKTIF, inputs)
    assert [o.result for o in strata] == ["Mandiri", "Pratama"]
    assert [o.result for o in aktif] == [True, False]
    assert strata[1].next_level == "Madya"


@pytest.mark.parametrize("many", [False, True], ids=["in-list", "whole-year"])
def test_month_arrays_equal_the_records_read_one_by_one(demo, many):
    """The arrays read in blocks equal the demo's monthly records read as model instances, value by value (NaN
    where a posyandu has no record that month or a value is not reported); booleans as 1/0."""
    from binasehat.assessments import services
    from binasehat.facilities.models import Posyandu
    from binasehat.posyandu.models import PosyanduMonth

    ids = sorted(Posyandu.objects.values_list("pk", flat=True))
    assert ids
    if many:  # more than 5,000 ids: the year's records are read without an IN list; unknown ids are ignored
        ids = sorted(set(ids) | set(range(10_000_000, 10_006_000)))
    year = 2025
    arrays = services.month_arrays(ids, year)
    expected = rules.empty_months(len(ids))
    index = {pk: i for i, pk in enumerate(ids)}
    records = 0
    for record in PosyanduMonth.objects.filter(month__year=year):
        records += 1
        for f in rules.MONTH_FIELDS:
            value = getattr(record, f)
            if value is not None:
                expected[f][index[record.posyandu_id], record.month.month - 1] = float(value)
    assert records > 100
    for f in rules.MONTH_FIELDS:
        np.testing.assert_array_equal(arrays[f], expected[f], err_msg=f)
