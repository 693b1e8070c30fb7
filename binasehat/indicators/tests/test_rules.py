"""Indicator arithmetic against hand-worked cases (RULES.md §6.1, §6.3)."""

import pytest

from binasehat.indicators import rules


def test_dengue_incidence_rate_per_100000():
    # IR = kasus DBD / jumlah penduduk × 100 000: 25 cases among 50 000 people → 50 per 100 000.
    assert rules.ratio(25, 50_000, 100_000) == pytest.approx(50.0)
    # 119 cases among 151 068 people → 119 × 100 000 / 151 068 = 78.772…
    assert rules.ratio(119, 151_068, 100_000) == pytest.approx(78.7725, abs=1e-4)


def test_case_fatality_rate():
    # CFR = kematian DBD / kasus DBD × 100 %: 2 deaths among 80 cases → 2.5 %.
    assert rules.ratio(2, 80, 100) == pytest.approx(2.5)
    assert rules.ratio(0, 0, 100) is None  # no cases: no CFR, not 0 %


def test_larva_indices_hand_worked():
    # 100 houses inspected, 7 with larvae; 250 containers inspected, 12 with larvae.
    # ABJ = 93/100 = 93 %; HI = 7 %; CI = 12/250 = 4.8 %; BI = 12 per 100 houses.
    hi, ci, bi = rules.larva_indices(7, 12, 100, 250)
    assert (hi, ci, bi) == (pytest.approx(7.0), pytest.approx(4.8), pytest.approx(12.0))
    assert rules.combine(["houses", "-positive"], {"houses": 100, "positive": 7}) / 100 * 100 == 93
    # DF: HI 7 → DF 2 (4–7); CI 4.8 → DF 2 (3–5); BI 12 → DF 3 (10–19); mean 2.33 → DF 2.
    assert [rules.density_figure_of("HI", hi), rules.density_figure_of("CI", ci),
            rules.density_figure_of("BI", bi)] == [2, 2, 3]
    assert rules.density_figure(hi, ci, bi) == 2


@pytest.mark.parametrize(("index", "value", "df"), [
    # The WHO 1972 table as RULES.md §6.3 prints it, at each printed bound.
    ("HI", 0, 0), ("HI", 0.4, 1), ("HI", 1, 1), ("HI", 3, 1), ("HI", 3.5, 1), ("HI", 4, 2), ("HI", 7, 2),
    ("HI", 8, 3), ("HI", 17, 3), ("HI", 18, 4), ("HI", 28, 4), ("HI", 29, 5), ("HI", 37, 5), ("HI", 38, 6),
    ("HI", 49, 6), ("HI", 50, 7), ("HI", 59, 7), ("HI", 60, 8), ("HI", 76, 8), ("HI", 77, 9), ("HI", 100, 9),
    ("CI", 2, 1), ("CI", 3, 2), ("CI", 5, 2), ("CI", 6, 3), ("CI", 9, 3), ("CI", 10, 4), ("CI", 14, 4),
    ("CI", 15, 5), ("CI", 20, 5), ("CI", 21, 6), ("CI", 27, 6), ("CI", 28, 7), ("CI", 31, 7), ("CI", 32, 8),
    ("CI", 40, 8), ("CI", 40.9, 8), ("CI", 41, 9),
    ("BI", 4, 1), ("BI", 5, 2), ("BI", 9, 2), ("BI", 10, 3), ("BI", 19, 3), ("BI", 20, 4), ("BI", 34, 4),
    ("BI", 35, 5), ("BI", 49, 5), ("BI", 50, 6), ("BI", 74, 6), ("BI", 75, 7), ("BI", 99, 7), ("BI", 100, 8),
    ("BI", 199, 8), ("BI", 200, 9), ("BI", 450, 9),
])
def test_density_figure_table_bounds(index, value, df):
    assert rules.density_figure_of(index, value) == df


def test_density_figure_of_an_area_rounds_half_up_and_skips_missing():
    # HI 4 (DF 2), CI 6 (DF 3), BI 0 (DF 0) → mean 5/3 = 1.67 → 2; HI 1 (1), CI 3 (2) → 1.5 → 2.
    assert rules.density_figure(4, 6, 0) == 2
    assert rules.density_figure(1, 3, None) == 2
    assert rules.density_figure(None, None, None) is None
    assert rules.density_figure(0, 0, 0) == 0


def test_tb_treatment_coverage_and_success_rate():
    # TC = notified ÷ estimated incidence × 100 %: 431 of 542 → 79.52 %.
    assert rules.ratio(431, 542, 100) == pytest.approx(79.5203, abs=1e-4)
    # TSR = (cured + completed) ÷ treated cohort × 100 %: (150 + 205) / 397 → 89.42 %.
    assert rules.ratio(rules.combine(["cured", "completed"], {"cured": 150, "completed": 205}), 397, 100) == \
        pytest.approx(89.4207, abs=1e-4)


@pytest.mark.parametrize(("value", "target", "op", "met"), [
    (95.0, 95, ">=", True),   # ABJ ≥ 95 %: exactly 95 meets it
    (94.9, 95, ">=", False),
    (49.0, 49, "<", False),   # IR DBD < 49 per 100 000: exactly 49 does not
    (48.9, 49, "<", True),
    (0.8, 0.8, ">", False),   # IKS wilayah > 0.800 for "sehat"
    (14.0, 14, "<=", True),
    (None, 14, "<=", None),
    (10.0, None, ">=", None),
])
def test_target_comparison(value, target, op, met):
    assert rules.meets(value, target, op) is met


def test_year_on_year_change_in_own_unit():
    # "DBD naik 13 kasus dari 2017 ke 2018": 58 → 71 cases.
    assert rules.change(71, 58) == 13
    assert rules.change(None, 58) is None
