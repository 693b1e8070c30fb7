"""The risk composite (RULES.md §7.1: "each programme indicator classified against its official threshold …
and a count/weighting of failed thresholds"), worked by hand.

Rule set used below (weights as in the shipped file unless said): IKS > 0,800; posyandu aktif ≥ 80 %;
stunting ≤ 14 %; ABJ ≥ 95 %; IR DBD < 49 per 100.000; IR DBD change ≤ 0.
"""

import pytest

from binasehat.risk import rules
from binasehat.risk.rules import Criterion

CRITERIA = [
    Criterion("IKS", "IKS", ">", 0.8),
    Criterion("POSYANDU_AKTIF", "POSYANDU_AKTIF", ">=", 80),
    Criterion("STUNTING", "STUNTING", "<=", 14),
    Criterion("ABJ", "ABJ", ">=", 95),
    Criterion("DBD_IR", "DBD_IR", "<", 49),
    Criterion("DBD_IR_NAIK", "DBD_IR", "<=", 0, measure=rules.CHANGE),
]


def test_an_area_exactly_at_each_threshold():
    # Desa A: IKS 0,800 (not > 0,800: fails), posyandu aktif 80,0 % (≥ 80: meets), stunting 14,0 % (≤ 14:
    # meets), ABJ 95,0 % (≥ 95: meets), IR DBD 49,0 (not < 49: fails), IR unchanged (0 ≤ 0: meets).
    # Failed: IKS and DBD_IR → score 1 + 1 = 2; nothing without data.
    values = {"IKS": 0.8, "POSYANDU_AKTIF": 80.0, "STUNTING": 14.0, "ABJ": 95.0, "DBD_IR": 49.0, "DBD_IR_NAIK": 0.0}
    s = rules.score(CRITERIA, values)
    assert s.score == 2
    assert s.failed == ["IKS", "DBD_IR"]
    assert s.passed == ["POSYANDU_AKTIF", "STUNTING", "ABJ", "DBD_IR_NAIK"]
    assert s.no_data == []


def test_just_past_each_threshold_fails_the_other_way():
    # Desa A': IKS 0,801 meets; posyandu aktif 79,9 % fails; stunting 14,1 % fails; ABJ 94,9 % fails;
    # IR DBD 48,9 meets; IR up by 0,1 fails → 4 failed → score 4.
    values = {"IKS": 0.801, "POSYANDU_AKTIF": 79.9, "STUNTING": 14.1, "ABJ": 94.9, "DBD_IR": 48.9,
              "DBD_IR_NAIK": 0.1}
    s = rules.score(CRITERIA, values)
    assert (s.score, s.failed) == (4, ["POSYANDU_AKTIF", "STUNTING", "ABJ", "DBD_IR_NAIK"])


def test_missing_data_for_two_indicators_is_neither_passed_nor_failed():
    # Desa B has no ABJ survey and no IKS (no family surveyed completely): those two are listed as "no data",
    # the other four are judged: posyandu aktif 50 % fails, stunting 20 % fails, IR DBD 30 meets, change −5
    # meets → score 2, not 4 (missing is not failing) and not "all passed".
    values = {"IKS": None, "POSYANDU_AKTIF": 50.0, "STUNTING": 20.0, "DBD_IR": 30.0, "DBD_IR_NAIK": -5.0}
    s = rules.score(CRITERIA, values)
    assert s.score == 2
    assert s.failed == ["POSYANDU_AKTIF", "STUNTING"]
    assert s.no_data == ["IKS", "ABJ"]
    assert s.passed == ["DBD_IR", "DBD_IR_NAIK"]


def test_change_needs_both_years():
    c = CRITERIA[-1]
    assert rules.measure_value(c, 60.0, 47.0) == 13.0  # "DBD up by 13": fails ≤ 0
    assert rules.check(c, 13.0).failed is True
    assert rules.measure_value(c, 60.0, None) is None
    assert rules.check(c, None).failed is None


def test_weights_add_up():
    # Stunting weighted 2: a desa failing stunting and ABJ scores 2 + 1 = 3.
    criteria = [Criterion("STUNTING", "STUNTING", "<=", 14, weight=2), Criterion("ABJ", "ABJ", ">=", 95, weight=1)]
    assert rules.score(criteria, {"STUNTING": 30.0, "ABJ": 90.0}).score == 3


def test_ties_share_a_rank_and_the_next_rank_skips():
    # Scores C 5, D 3, E 3, F 2, G 0 → ranks C 1, D 2, E 2, F 4, G 5.
    assert rules.ranks({"C": 5, "D": 3, "E": 3, "F": 2, "G": 0}) == {"C": 1, "D": 2, "E": 2, "F": 4, "G": 5}
    assert rules.ranks({"X": 4, "Y": 4}) == {"X": 1, "Y": 1}


def test_movement_since_last_year():
    assert rules.movement(1, 4) == 3  # three places towards the top of the risk list
    assert rules.movement(5, 2) == -3
    assert rules.movement(3, None) is None


def test_unknown_comparison_is_refused():
    with pytest.raises(ValueError):
        rules.meets(1, "=", 1)
