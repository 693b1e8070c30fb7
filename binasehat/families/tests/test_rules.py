"""families.rules against the worked examples of RULES.md §1 (Kemenkes worksheets), and the vectorised path
against the one-family functions."""

from fractions import Fraction

import numpy as np

from binasehat.families import rules


def test_member_to_family_worked_examples():
    # "5 simulasi IKS manual": member values `Y T Y N N` → T; `N N N N Y` → Y; `N N N N N` → N.
    assert rules.family_value("YTYNN") == "T"
    assert rules.family_value("NNNNY") == "Y"
    assert rules.family_value("NNNNN") == "N"
    assert rules.family_value(["Y", "", "N"]) == "?"  # a missing answer: not yet known
    assert rules.family_value(["T", "", "N"]) == "T"  # … unless a member is already T


def test_coverage_worked_examples():
    # "Tabulasi Keluarga": persalinan values T,T,Y,N,T → 1/4 = 25 %; KB values Y,Y,Y,N,Y → 4/4 = 100 %.
    assert rules.coverage("TTYNT") == Fraction(1, 4)
    assert rules.coverage("YYYNY") == 1
    assert rules.coverage("NNN") is None  # all N: the cell shows "N"


def test_iks_and_category_boundaries():
    # IKS = ΣY / (12 − ΣN); "IKS exactly 0,800 is pra-sehat" (Sampang report: 0.80 → P, 0.83 → S).
    eight_of_ten = list("YYYYYYYYTTNN")
    assert rules.family_iks(eight_of_ten) == Fraction(4, 5)
    assert rules.category(Fraction(4, 5)) == rules.PRA_SEHAT
    assert rules.category(Fraction(5, 6)) == rules.SEHAT
    assert rules.category(Fraction(1, 2)) == rules.PRA_SEHAT  # 0,500 is pra-sehat
    assert rules.category(Fraction(49, 100)) == rules.TIDAK_SEHAT
    assert rules.family_iks(list("N" * 12)) is None  # all N: "belum dapat dihitung"
    assert rules.category(None) == ""
    assert rules.family_iks(list("YYYYYYYYYYY?")) is None  # incomplete: "Belum Lengkap"
    assert rules.ratio_text(4, 5) == "0.800" and rules.ratio_text(1, 3, 3, ",") == "0,333"
    assert rules.ratio_text(2, 3, 1) == "0.7" and rules.ratio_text(1, 8, 2) == "0.13"  # half up, exact


def test_vectorised_family_values_scores_and_area_counts():
    # Family 0: the worked example for indicator 1; family 1: all N; family 2: one answer missing.
    letters = [
        (0, "YNNNNNNNYYY_"), (0, "TNNNNNNNYY__"), (0, "YNNNNNNNYY__"), (0, "NNNNNNNNYY__"), (0, "NNNNNNNNYY__"),
        (1, "NNNNNNNNNNNN"),
        (2, "YNNNNNNN YYY"), (2, "YNNNNNNNTYY_"),
    ]
    fam = np.array([f for f, _ in letters])
    codes = np.array([[{"Y": 1, "T": 3, "N": 0, " ": 2, "_": -1}[c] for c in s] for _f, s in letters], np.int8)
    codes[:, 10:][codes[:, 10:] == 2] = -1
    values = rules.family_values(codes, fam, 3)
    assert rules.values_text(values[0]) == "TNNNNNNNYYY?"  # no household latrine answer anywhere
    assert rules.values_text(values[1]) == "NNNNNNNNNNNN"
    # Family 2's i09 is decided (a member is T) although one member's answer is missing: still not complete.
    assert rules.values_text(values[2]) == "YNNNNNNNTYYY"
    complete = rules.family_complete(codes, fam, 3)
    s = rules.family_scores(values, complete)
    assert list(s.complete) == [False, True, False] and list(s.defined) == [False, False, False]
    counts = rules.area_counts(values, np.array([0, 0, 0]), 1, complete)
    f = rules.figures(counts, 0)
    assert (f.families, f.complete, f.sehat, f.iks) == (3, 1, 0, Fraction(0))
    assert f.coverage(1) is None  # the only complete family is all N


def test_vectorised_equals_one_family_rules():
    rng = np.random.default_rng(7)
    n_fam = 3000
    fam = np.sort(rng.integers(0, n_fam, 12000))
    fam = np.unique(fam, return_inverse=True)[1].ravel()
    n_fam = fam.max() + 1
    letters = rng.choice(np.array(list("YTNN")), size=(len(fam), 12), p=[.55, .1, .3, .05])
    letters[rng.random(letters.shape) < 0.002] = ""
    codes = np.stack([rules.parse_answers(letters[:, j]) for j in range(12)], axis=1)
    values = rules.family_values(codes, fam, n_fam)
    scores = rules.family_scores(values)
    group = rng.integers(0, 7, n_fam)
    counts = rules.area_counts(values, group, 7)
    for k in range(0, n_fam, 97):
        rows = letters[fam == k]
        expected = [rules.family_value(rows[:, j]) for j in range(12)]
        assert rules.values_text(values[k]) == "".join(expected)
        iks = rules.family_iks(expected)
        got = None if not scores.defined[k] else Fraction(int(scores.sum_y[k]), int(scores.sum_y[k] + scores.sum_t[k]))
        assert got == iks
        assert bool(scores.sehat[k]) == (rules.category(iks) == rules.SEHAT)
    # Area counts summed up the tree equal the counts of the union.
    up = rules.roll_up(counts, np.array([0, 0, 0, 1, 1, 1, 1]), 2)
    whole = rules.area_counts(values, np.zeros(n_fam, np.int64), 1)
    assert all(np.array_equal(up[k].sum(axis=0), whole[k][0]) for k in whole)
