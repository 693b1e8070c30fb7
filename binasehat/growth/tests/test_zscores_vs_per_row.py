"""The vectorised ``rules.zscores`` equals a plain per-row transcription of WHO's R code on random measurements.

The per-row version below follows WHO's R packages statement by statement (anthro 1.1: ``R/z-score*.R``,
``R/utils.R``; anthroplus 1.1: ``R/zscores.R``) with no vectorisation tricks, so the blocks, the shared
weight-for-length/height table, the precomputed steps and the subset/full paths of the fast version are checked
against something obvious, on edge-heavy random data (ages around 731 days and 60 months, lengths around the table
limits, missing values, oedema, ages of the WHO 2007 reference).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from binasehat.growth import rules, who_tables


def plain_z(x, l, m, s):
    return ((x / m) ** l - 1) / (s * l)


def restricted_z(x, l, m, s):
    z = plain_z(x, l, m, s)
    sd = lambda k: m * (1 + l * s * k) ** (1 / l)  # noqa: E731
    if z > 3:
        return 3 + (x - sd(3)) / (sd(3) - sd(2))
    if z < -3:
        return -3 + (x - sd(-3)) / (sd(-2) - sd(-3))
    return z


def lms_at_day(name, sex, day, extended):
    t = who_tables.day_table(name, extended=extended)
    l, m, s = (float(v) for v in t.lms[:, sex - 1, int(day)])
    return None if math.isnan(m) else (l, m, s)


def lms_at_length(name, sex, cm):
    t = who_tables.length_table(name)
    low = math.trunc(cm * 10) / 10
    diff = (cm - low) / 0.1
    i = int(round((low - t.start) * 10))
    lo = t.lms[:, sex - 1, i].astype(float)
    if diff > 0:
        lo = lo + diff * (t.lms[:, sex - 1, i + 1] - lo)
    return tuple(float(v) for v in lo)


def lms_at_month(name, sex, months):
    t = who_tables.month_table(name)
    low = math.trunc(months)
    lo = t.lms[:, sex - 1, low].astype(float)
    if months - low > 0:
        up = t.lms[:, sex - 1, min(low + 1, int(t.last))]  # WHO's files repeat the last row
        lo = lo + (months - low) * (up - lo)
    return tuple(float(v) for v in lo)


def per_row(sex, age, weight, lenhei, measure, oedema, convention):
    nan = float("nan")
    out = dict.fromkeys(("zwei", "zlen", "zwfl", "zbmi"), nan)
    if sex not in (1, 2):
        return out
    if not math.isnan(age) and age < 0:
        age = nan
    has_age = not math.isnan(age)
    day = math.floor(age + 0.5) if has_age else None
    months = age / 30.4375
    if convention == "anthro" and measure == "h" and has_age and months < 9:
        measure = ""
    clenhei = lenhei
    if has_age and day < 731 and measure == "h":
        clenhei = lenhei + 0.7
    if has_age and day >= 731 and measure == "l":
        clenhei = lenhei - 0.7
    bmi = weight / (clenhei / 100) ** 2
    ok2006 = has_age and day <= 1856 and (convention == "igrowup" or months < 60)
    extended = convention == "igrowup"
    if ok2006:
        if not oedema and weight > 0 and (lms := lms_at_day("wfa", sex, day, extended)):
            out["zwei"] = restricted_z(weight, *lms)
        if clenhei > 0 and (lms := lms_at_day("lhfa", sex, day, extended)):
            out["zlen"] = plain_z(clenhei, *lms)
        if not oedema and bmi > 0 and (lms := lms_at_day("bmi", sex, day, extended)):
            out["zbmi"] = restricted_z(bmi, *lms)
    if has_age:
        table = "wfl" if day < 731 else "wfh"
    elif measure in ("l", "h"):
        table = "wfl" if measure == "l" else "wfh"
    elif not math.isnan(clenhei):
        table = "wfl" if clenhei < 87 else "wfh"
    else:
        table = None
    age_ok = not has_age or ok2006
    low, high = (45, 110) if table == "wfl" else (65, 120)
    if table and age_ok and not oedema and weight > 0 and low <= clenhei <= high:
        out["zwfl"] = restricted_z(weight, *lms_at_length(table, sex, clenhei))
    if has_age and 61 <= months < 229:
        if lenhei > 0:
            out["zlen"] = plain_z(lenhei, *lms_at_month("hfa2007", sex, months))
        if not oedema and weight > 0 and months < 121:
            out["zwei"] = restricted_z(weight, *lms_at_month("wfa2007", sex, months))
        raw_bmi = weight / (lenhei / 100) ** 2
        if not oedema and raw_bmi > 0:
            out["zbmi"] = restricted_z(raw_bmi, *lms_at_month("bfa2007", sex, months))
    return out


def random_measurements(n, seed):
    rng = np.random.default_rng(seed)
    sex = rng.choice([0, 1, 2, 2, 1], n)
    age = np.concatenate([
        rng.uniform(0, 1900, n // 2),
        rng.choice([0, 272, 273, 274, 729.5, 730, 730.49, 730.5, 731, 1826, 1826.2, 1826.3, 1856, 1857], n // 4),
        rng.uniform(1800, 7000, n - n // 2 - n // 4),
    ])
    age[rng.random(n) < 0.08] = np.nan
    age[rng.random(n) < 0.01] = -3
    lenhei = np.round(rng.uniform(40, 180, n), 1)
    edge = rng.random(n) < 0.3
    lenhei[edge] = rng.choice([44.2, 44.3, 44.9, 45.0, 64.3, 64.9, 65.0, 65.7, 86.9, 87.0, 109.3, 109.4, 110.0,
                               110.1, 110.7, 119.3, 120.0, 120.1, 120.7, 120.8], edge.sum())
    weight = np.round(rng.uniform(1.5, 70, n), 2)
    weight[rng.random(n) < 0.03] = 0
    weight[rng.random(n) < 0.05] = np.nan
    lenhei[rng.random(n) < 0.05] = np.nan
    measure = rng.choice(["l", "h", ""], n, p=[0.45, 0.45, 0.1])
    oedema = rng.random(n) < 0.05
    return sex, age, weight, lenhei, measure, oedema


@pytest.mark.parametrize("convention", ["anthro", "igrowup"])
def test_vectorised_equals_per_row(convention):
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    sex, age, weight, lenhei, measure, oedema = random_measurements(6000, seed=11)
    fast = rules.zscores(sex, age, weight, lenhei, measure, oedema, convention=convention)
    for i in range(len(sex)):
        slow = per_row(int(sex[i]), float(age[i]), float(weight[i]), float(lenhei[i]), str(measure[i]),
                       bool(oedema[i]), convention)
        for key, expected in slow.items():
            got = fast[key][i]
            row = (i, int(sex[i]), age[i], weight[i], lenhei[i], measure[i], oedema[i], key)
            assert math.isnan(got) == math.isnan(expected), row
            if not math.isnan(expected):
                assert got == pytest.approx(expected, abs=1e-9), row


def test_blocks_give_the_same_result_as_one_call():
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    data = random_measurements(150_000, seed=5)
    whole = rules.zscores(*data)
    for start in (0, 65_536, 140_000):
        part = rules.zscores(*(a[start:start + 9_000] for a in data))
        for key, values in part.items():
            assert np.array_equal(values, whole[key][start:start + 9_000], equal_nan=True), key
