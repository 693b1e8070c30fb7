"""The arithmetic of validation rules and outlier detection, against cases worked by hand.

DHIS2 definitions quoted from the DHIS2 manual (Metadata Management, "Create or edit a validation rule") and
dhis2-core (``DataValidationTask.isViolation``)."""

import math

import numpy as np
import pytest

from binasehat.programs import validation_rules as vr

ANY, ALL, NEVER = vr.SKIP_IF_ANY_VALUE_MISSING, vr.SKIP_IF_ALL_VALUES_MISSING, vr.NEVER_SKIP


# --- expressions -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2 + 3 * 4", 14.0),
    ("(2 + 3) * 4", 20.0),
    ("2 + 3 × 4", 14.0),
    ("12 ÷ 4 − 1", 2.0),
    ("-3 + 5", 2.0),
    ("10 - 4 - 3", 3.0),  # left-associative: (10 - 4) - 3
    ("16 / 4 / 2", 2.0),
    ("1,5 * 2", 3.0),  # decimal comma
])
def test_arithmetic_with_numbers(text, expected):
    assert float(vr.side_value(vr.parse(text), {}, NEVER, shape=())) == expected


def test_items_and_their_codes():
    e = vr.parse("#{TB_KOHORT_SEMBUH} + #{TB_KOHORT_LENGKAP} - #{TB_KOHORT_SEMBUH}")
    assert e.codes == ("TB_KOHORT_SEMBUH", "TB_KOHORT_LENGKAP")
    assert float(vr.side_value(e, {"TB_KOHORT_SEMBUH": 7, "TB_KOHORT_LENGKAP": 2}, ANY, shape=())) == 2.0


@pytest.mark.parametrize("text", ["", "#{A} +", "(#{A}", "#{A} #{B}", "#{A} ^ 2", "()", "#{A-B}", "#A"])
def test_unreadable_expressions_are_refused(text):
    with pytest.raises(vr.ExpressionError):
        vr.parse(text)


# --- operators ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("operator,left,right,violated", [
    (vr.EQUAL_TO, 3, 3, False), (vr.EQUAL_TO, 3, 4, True),
    (vr.NOT_EQUAL_TO, 3, 3, True), (vr.NOT_EQUAL_TO, 3, 4, False),
    (vr.GREATER_THAN, 4, 3, False), (vr.GREATER_THAN, 3, 3, True), (vr.GREATER_THAN, 2, 3, True),
    (vr.GREATER_THAN_OR_EQUAL_TO, 3, 3, False), (vr.GREATER_THAN_OR_EQUAL_TO, 2, 3, True),
    (vr.LESS_THAN, 2, 3, False), (vr.LESS_THAN, 3, 3, True), (vr.LESS_THAN, 4, 3, True),
    (vr.LESS_THAN_OR_EQUAL_TO, 3, 3, False), (vr.LESS_THAN_OR_EQUAL_TO, 3, 1, True),
])
def test_comparison_operators(operator, left, right, violated):
    bad, lv, rv = vr.evaluate("#{A}", operator, "#{B}", {"A": left, "B": right})
    assert (bad, lv, rv) == (violated, float(left), float(right))


def test_equal_to_tolerates_rounding_of_fractions():
    # 1/3 + 1/3 + 1/3 is 1 up to rounding.
    assert vr.evaluate("#{A}/3 + #{A}/3 + #{A}/3", vr.EQUAL_TO, "#{A}", {"A": 1})[0] is False


@pytest.mark.parametrize("values,violated", [
    ({"A": 5, "B": 2}, False),  # both sides present
    ({}, False),  # neither present
    ({"A": 5}, True),  # only the left side
    ({"B": 0}, True),  # only the right side (a zero is a value)
])
def test_compulsory_pair(values, violated):
    # DHIS2: "Compulsory pair ... data values must be entered for a form for both left and right sides of the
    # expression, or for neither side."
    assert vr.evaluate("#{A}", vr.COMPULSORY_PAIR, "#{B}", values)[0] is violated


@pytest.mark.parametrize("values,violated", [
    ({"A": 5, "B": 2}, True), ({}, False), ({"A": 5}, False), ({"B": 2}, False),
])
def test_exclusive_pair(values, violated):
    # DHIS2: "Exclusive pair allows to assert that if any value exist on the left side then there should be no
    # values on the right side (or vice versa)."
    assert vr.evaluate("#{A}", vr.EXCLUSIVE_PAIR, "#{B}", values)[0] is violated


# --- missing value strategies ------------------------------------------------------------------------

def test_skip_if_any_value_missing():
    # DHIS2: "The validation rule will be skipped if any of the values which compose the expression are
    # missing."  A + B = 5 + (missing) ≤ 1 would be violated if B counted as 0, but the rule is skipped.
    assert vr.evaluate("#{A} + #{B}", vr.LESS_THAN_OR_EQUAL_TO, "1", {"A": 5}, ANY, NEVER) == (False, None, 1.0)
    assert vr.evaluate("#{A} + #{B}", vr.LESS_THAN_OR_EQUAL_TO, "1", {"A": 5, "B": 1}, ANY, NEVER) == (True, 6.0, 1.0)


def test_skip_if_all_values_missing():
    # DHIS2: "The validation rule will be skipped only if all of the operands which compose it are missing."
    # One operand present: the missing one counts as 0, 5 + 0 ≤ 1 is violated.
    assert vr.evaluate("#{A} + #{B}", vr.LESS_THAN_OR_EQUAL_TO, "1", {"A": 5}, ALL, NEVER) == (True, 5.0, 1.0)
    # All missing: skipped.
    assert vr.evaluate("#{A} + #{B}", vr.GREATER_THAN_OR_EQUAL_TO, "1", {}, ALL, NEVER) == (False, None, 1.0)


def test_never_skip():
    # DHIS2: "The validation rule will never be skipped in case of missing data, and all missing operands will
    # be treated effectively as a zero."  (0 + 0) ≥ 1 is violated.
    assert vr.evaluate("#{A} + #{B}", vr.GREATER_THAN_OR_EQUAL_TO, "1", {}, NEVER, NEVER) == (True, 0.0, 1.0)
    # The shipped dengue rule: 3 deaths ≤ cases (missing, NEVER_SKIP → 0) is violated ...
    assert vr.evaluate("#{DBD_MENINGGAL}", vr.LESS_THAN_OR_EQUAL_TO, "#{DBD_KASUS}", {"DBD_MENINGGAL": 3},
                       ANY, NEVER) == (True, 3.0, 0.0)
    # ... while no deaths entered (SKIP_IF_ANY_VALUE_MISSING) skips it whatever the cases.
    assert vr.evaluate("#{DBD_MENINGGAL}", vr.LESS_THAN_OR_EQUAL_TO, "#{DBD_KASUS}", {"DBD_KASUS": 4},
                       ANY, NEVER) == (False, None, 4.0)


def test_strategy_decides_whether_a_side_is_present_for_pairs():
    # Compulsory pair with SKIP_IF_ALL_VALUES_MISSING: one of two left operands is enough for the left side to
    # be present; with SKIP_IF_ANY_VALUE_MISSING it is not.
    assert vr.evaluate("#{A} + #{B}", vr.COMPULSORY_PAIR, "#{C}", {"A": 1}, ALL, ANY)[0] is True
    assert vr.evaluate("#{A} + #{B}", vr.COMPULSORY_PAIR, "#{C}", {"A": 1}, ANY, ANY)[0] is False


def test_division_by_zero_gives_no_value():
    # DHIS2 drops a non-finite side value; for comparison operators a NEVER_SKIP side without a value counts 0.
    assert vr.evaluate("#{A} / #{B}", vr.GREATER_THAN, "1", {"A": 3, "B": 0}, ANY, NEVER) == (False, None, 1.0)
    assert vr.evaluate("#{A} / #{B}", vr.GREATER_THAN, "1", {"A": 3, "B": 0}, NEVER, NEVER) == (True, None, 1.0)


def test_arrays_give_the_same_answers_as_single_cells():
    a = np.array([[3.0, np.nan, 5.0, np.nan]])
    b = np.array([[1.0, 2.0, np.nan, np.nan]])
    left = vr.side_value(vr.parse("#{A}"), {"A": a}, ANY)
    right = vr.side_value(vr.parse("#{B}"), {"B": b}, NEVER)
    bad = vr.violations(vr.LESS_THAN_OR_EQUAL_TO, left, right, ANY, NEVER)
    # 3 ≤ 1 violated; A missing → skipped; 5 ≤ 0 (B missing → 0) violated; both missing → skipped.
    assert bad.tolist() == [[True, False, True, False]]
    pair = vr.violations(vr.COMPULSORY_PAIR, vr.side_value(vr.parse("#{A}"), {"A": a}, ANY),
                         vr.side_value(vr.parse("#{B}"), {"B": b}, ANY))
    assert pair.tolist() == [[False, True, True, False]]


# --- z-score -----------------------------------------------------------------------------------------

def test_zscore_against_the_other_values():
    x = [10, 12, 8, 11, 9, 30]
    s = vr.zscores(x)
    # 30 against [10, 12, 8, 11, 9]: mean 10, squared deviations 0+4+4+1+1 = 10, population variance 10/5 = 2,
    # z = (30 - 10) / √2 = 14.1421.
    assert s.centre[0, 5] == pytest.approx(10.0)
    assert s.spread[0, 5] == pytest.approx(math.sqrt(2))
    assert s.score[0, 5] == pytest.approx(20 / math.sqrt(2))
    # 10 against [12, 8, 11, 9, 30]: mean 14, squared deviations 4+36+9+25+256 = 330, variance 66,
    # z = (10 - 14) / √66 = -0.4924.
    assert s.score[0, 0] == pytest.approx(-4 / math.sqrt(66))
    assert vr.flagged(s, 3.0).tolist() == [[False, False, False, False, False, True]]
    # bounds mean ± 3 sd: 10 ± 3√2
    assert (s.lower[0, 5], s.upper[0, 5]) == pytest.approx((10 - 3 * math.sqrt(2), 10 + 3 * math.sqrt(2)))


def test_zscore_needs_four_other_values_and_ignores_missing_ones():
    assert np.isnan(vr.zscores([1, 2, 3, 100]).score).all()  # 3 others each
    s = vr.zscores([1, np.nan, 2, 3, 4, 100])
    # 100 against [1, 2, 3, 4]: mean 2.5, variance (2.25+0.25+0.25+2.25)/4 = 1.25, z = 97.5/√1.25 = 87.2067
    assert s.score[0, 5] == pytest.approx(97.5 / math.sqrt(1.25))
    assert np.isnan(s.score[0, 1])


def test_zscore_is_not_computed_when_the_other_values_are_all_equal():
    s = vr.zscores([5, 5, 5, 5, 100])
    assert np.isnan(s.score[0, 4])  # sd of [5, 5, 5, 5] is 0 (DHIS2 skips std_dev = 0)
    # 5 against [5, 5, 5, 100]: mean 28.75, variance (3 × 23.75² + 71.25²)/4 = 1692.1875 → z = -1/√3
    assert s.score[0, 0] == pytest.approx(-1 / math.sqrt(3))


def test_threshold_is_inclusive():
    # 4 against [0, 0, 2, 2]: mean 1, sd 1, z = 3 exactly; 3.9 gives 2.9.
    assert vr.flagged(vr.zscores([0, 0, 2, 2, 4]), 3.0)[0, 4]
    assert not vr.flagged(vr.zscores([0, 0, 2, 2, 3.9]), 3.0)[0, 4]


def test_rows_are_independent_series():
    s = vr.zscores([[10, 12, 8, 11, 9, 30], [1, 2, 3, 4, 100, np.nan]])
    assert s.score[0, 5] == pytest.approx(20 / math.sqrt(2))
    assert s.score[1, 4] == pytest.approx(97.5 / math.sqrt(1.25))


# --- modified z-score --------------------------------------------------------------------------------

def test_modified_zscore_with_median_and_mad():
    s = vr.modified_zscores([10, 12, 8, 11, 9, 30])
    # 30 against [10, 12, 8, 11, 9]: median 10, |deviations| 0, 2, 2, 1, 1 → MAD 1, M = 0.6745 × 20 / 1
    assert s.centre[0, 5] == 10 and s.spread[0, 5] == 1
    assert s.score[0, 5] == pytest.approx(13.49)
    # 12 against [10, 8, 11, 9, 30]: median 10, |deviations| 0, 2, 1, 1, 20 → MAD 1, M = 0.6745 × 2 = 1.349
    assert s.score[0, 1] == pytest.approx(1.349)
    assert vr.flagged(s, 3.0).tolist() == [[False, False, False, False, False, True]]
    # bounds median ± 3 × MAD / 0.6745
    assert s.upper[0, 5] == pytest.approx(10 + 3 / 0.6745)


def test_modified_zscore_even_number_of_other_values():
    s = vr.modified_zscores([1, 2, 3, 4, 100])
    # 100 against [1, 2, 3, 4]: median 2.5, |deviations| 1.5, 0.5, 0.5, 1.5 → MAD 1.0, M = 0.6745 × 97.5
    assert s.score[0, 4] == pytest.approx(0.6745 * 97.5)


def test_modified_zscore_is_not_computed_when_mad_is_zero():
    s = vr.modified_zscores([0, 0, 0, 0, 0, 7])
    assert np.isnan(s.score[0, 5])


# --- min–max -----------------------------------------------------------------------------------------

def test_stored_bounds_win_over_generated_ones():
    x = [[1, 2, 3, 4, 50], [1, 2, 3, 4, 50], [10, 12, 8, 11, 9, 30][:5]]
    lower, upper = vr.minmax_bounds(x, [0, np.nan, np.nan], [10, 3, np.nan])
    # row 0: stored 0–10 → 50 outside; row 1: only a maximum of 3 → 4 and 50 outside;
    # row 2 (no stored bounds): generated mean ± 3 sd of the other values.
    assert vr.outside(x, lower, upper).tolist() == [
        [False, False, False, False, True], [False, False, False, True, True], [False] * 5]


def test_generated_bounds_are_mean_plus_minus_three_sd():
    lower, upper = vr.minmax_bounds([[10, 12, 8, 11, 9, 30]], [np.nan], [np.nan], k=3.0)
    assert (lower[0, 5], upper[0, 5]) == pytest.approx((10 - 3 * math.sqrt(2), 10 + 3 * math.sqrt(2)))
    assert vr.outside([[10, 12, 8, 11, 9, 30]], lower, upper).tolist() == [[False] * 5 + [True]]


def test_a_value_on_the_bound_is_inside():
    assert vr.outside([[5, 10, 0]], [[0, 0, 0]], [[10, 10, 10]]).tolist() == [[False, False, False]]
    assert vr.outside([[-0.5, 10.5]], [[0, 0]], [[10, 10]]).tolist() == [[True, True]]
