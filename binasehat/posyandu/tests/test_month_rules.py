"""The monthly record's own rules (SKDN, RULES.md §2.6: "S = all balita … K = registered with KMS … D = weighed
this month … N = weighed whose weight increased"), so N ≤ D ≤ K ≤ S; no negative counts; no future month."""

import datetime as dt

from binasehat.posyandu import rules

TODAY = dt.date(2026, 11, 23)


def record(**kw):
    base = {"month": dt.date(2026, 10, 1), "opening_days": 1, "kader_on_duty": 5, "s": 40, "k": 38, "d": 30, "n": 20}
    base.update(kw)
    return base


def test_a_sound_record_has_no_problems():
    assert rules.month_problems(record(), today=TODAY) == {}
    assert rules.month_problems(record(s=30, k=30, d=30, n=30), today=TODAY) == {}  # equalities are allowed


def test_skdn_chain():
    assert "k" in rules.month_problems(record(k=41), today=TODAY)
    assert "d" in rules.month_problems(record(d=39), today=TODAY)
    assert "n" in rules.month_problems(record(n=31), today=TODAY)
    # RULES-2.md §6: "D = N + T + O + B" — so N + O + B ≤ D, and O + B ≤ D.
    assert "n" in rules.month_problems(record(o=8, b=3, n=20), today=TODAY)
    assert rules.month_problems(record(o=7, b=3, n=20), today=TODAY) == {}
    assert "o" in rules.month_problems(record(o=25, b=10, n=0), today=TODAY)


def test_negative_and_future():
    assert rules.month_problems(record(d=-1), today=TODAY) == {"d": "Tidak boleh negatif."}
    assert "month" in rules.month_problems(record(month=dt.date(2026, 12, 1)), today=TODAY)
    assert "month" not in rules.month_problems(record(month=dt.date(2026, 11, 1)), today=TODAY)


def test_not_opened_means_nobody_served():
    problems = rules.month_problems(record(opening_days=0, kader_on_duty=0), today=TODAY)
    assert "opening_days" in problems and "d" in problems["opening_days"]
    assert rules.month_problems(record(opening_days=0, kader_on_duty=0, d=0, n=0), today=TODAY) == {}


def test_dana_sehat_not_above_households():
    assert "kk_dana_sehat" in rules.month_problems(record(kk_total=100, kk_dana_sehat=101), today=TODAY)


def test_parse_month():
    assert rules.parse_month("2025-03") == dt.date(2025, 3, 1)
    for bad in ("2025-3", "25-03", "2025/03", "maret"):
        try:
            rules.parse_month(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
