"""SKDN of a posyandu month from the individual weighings (local F1 format; KBM by the Buku KIA 2023 p. 54)."""

import datetime as dt

from binasehat.field import rules

D = dt.date


def test_hand_counted_month():
    # March 2025. KBM from 11 months on: 200 g (growth.kbm).
    children = {
        # A, 13 months on 5 March: 8.0 → 8.3 kg, +300 g ≥ 200 g: N.
        "A": (D(2024, 1, 10), [(D(2025, 2, 5), 8.0, -1.0), (D(2025, 3, 5), 8.3, -1.0)]),
        # B: 7.9, 8.0, 8.1 kg in January, February, March: +100 g twice: T in Feb and March, so 2T.
        "B": (D(2024, 1, 10), [(D(2025, 1, 5), 7.9, -1.5), (D(2025, 2, 5), 8.0, -1.6), (D(2025, 3, 5), 8.1, -1.7)]),
        # C weighed twice in March (9.1 then 9.3 kg): counted once, by the last weighing: +300 g: N.
        "C": (D(2024, 1, 10), [(D(2025, 2, 5), 9.0, 0.0), (D(2025, 3, 3), 9.1, 0.0), (D(2025, 3, 20), 9.3, 0.0)]),
        # D new this month (first weighing ever): B.
        "D": (D(2025, 2, 1), [(D(2025, 3, 10), 3.5, -0.5)]),
        # E weighed in December, not in February: O.
        "E": (D(2023, 6, 1), [(D(2024, 12, 5), 10.0, -0.5), (D(2025, 3, 5), 10.5, -0.4)]),
        # F: +300 g (N) but weight-for-age z −3.2, below the red line: BGM.
        "F": (D(2024, 1, 10), [(D(2025, 2, 5), 6.0, -3.5), (D(2025, 3, 5), 6.3, -3.2)]),
    }
    s = rules.skdn(children, 2025, 3)
    assert (s.d, s.n, s.t, s.o, s.b, s.bgm, s.t2) == (6, 3, 1, 1, 1, 1, 1)
    assert s.d == s.n + s.t + s.o + s.b
    assert s.codes == {"A": "N", "B": "T", "C": "N", "D": "B", "E": "O", "F": "N"}


def test_child_not_weighed_this_month_is_not_counted():
    s = rules.skdn({"X": (D(2024, 1, 10), [(D(2025, 2, 5), 8.0, -1.0)])}, 2025, 3)
    assert s.d == 0


def test_later_weighings_do_not_change_a_past_month():
    visits = [(D(2025, 2, 5), 8.0, -1.0), (D(2025, 3, 5), 8.3, -1.0), (D(2025, 4, 5), 8.3, -1.0)]
    assert rules.skdn({"A": (D(2024, 1, 10), visits)}, 2025, 3).codes == {"A": "N"}


def test_severity_never_normal_for_moderate_or_severe():
    assert rules.severity("Gizi buruk") == "severe" and rules.severity("Sangat pendek") == "severe"
    assert rules.severity("Gizi kurang") == "moderate" and rules.severity("Berat badan kurang") == "moderate"
    assert rules.severity("Gizi baik") == "normal"


def test_counselling_refers_2t_bgm_and_oedema():
    prompts = rules.counselling(code="T", two_t=True, bgm=True, bb_u="Berat badan sangat kurang", pb_tb_u="Normal",
                                bb_pb_tb="Gizi baik", oedema=True, muac_cm=11.0, age_months=18)
    refer = [k for kind, k in prompts if kind == "refer"]
    assert refer == ["oedema", "2t", "bgm", "muac"]
    assert ("advise", "mpasi") in prompts
