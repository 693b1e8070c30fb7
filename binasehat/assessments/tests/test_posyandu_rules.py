"""Posyandu strata (Kemenkes 2011) and Posyandu Aktif (Kemenkes DO, RPJMN 2020–2024), worked by hand.

RULES.md §2.1, the Kemenkes 2011 table:
  | 1 | Frekuensi penimbangan | < 8 | ≥ 8 | ≥ 8 | ≥ 8 |
  | 2 | Rerata kader bertugas | < 5 | ≥ 5 | ≥ 5 | ≥ 5 |
  | 3 | Rerata cakupan D/S | < 50 % | < 50 % | ≥ 50 % | ≥ 50 % |
  | 4–6 | Cakupan kumulatif KIA / KB / imunisasi | < 50 % | < 50 % | ≥ 50 % | ≥ 50 % |
  | 7 | Program tambahan | – | – | + | + |
  | 8 | Cakupan dana sehat | < 50 % | < 50 % | < 50 % | ≥ 50 % |
RULES.md §2.2: aktif when all five: kegiatan rutin ≥ 8 kali/tahun in different months; ≥ 5 kader with SK;
3 of the 4 services reach ≥ 50 % of their sasaran in ≥ 8 months; growth-monitoring tools; additional activities.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from binasehat.assessments import rules

RULESETS = Path(__file__).resolve().parents[1] / "rulesets"
STRATA = json.loads((RULESETS / "posyandu-strata-2011.json").read_text())
AKTIF = json.loads((RULESETS / "posyandu-aktif.json").read_text())


def year(opened_months=12, kader=5, s=40, d=20, kia=(2, 4), kb=(15, 30), imun=(4, 8), kk=(50, 100), alat=1,
         extra=1, recorded=12):
    """One posyandu's 12 months: ``recorded`` months have a record, the first ``opened_months`` of them opened."""
    m = rules.empty_months(1)
    for j in range(recorded):
        opened = j < opened_months
        m["opening_days"][0, j] = 1 if opened else 0
        m["kader_on_duty"][0, j] = kader if opened else 0
        m["s"][0, j] = s
        m["d"][0, j] = d if opened else 0
        m["ibu_hamil_dilayani"][0, j], m["ibu_hamil_sasaran"][0, j] = (kia[0] if opened else 0), kia[1]
        m["kb_dilayani"][0, j], m["kb_sasaran"][0, j] = (kb[0] if opened else 0), kb[1]
        m["imunisasi_dilayani"][0, j], m["imunisasi_sasaran"][0, j] = (imun[0] if opened else 0), imun[1]
        m["kk_dana_sehat"][0, j], m["kk_total"][0, j] = kk
        m["alat_pantau"][0, j] = alat
        m["kegiatan_tambahan"][0, j] = extra if j == 0 else 0
    return m


def assess(m, kader_sk=5, period=12):
    inputs = rules.yearly_inputs(m, np.array([kader_sk]), months_in_period=period)
    one = {k: rules._plain(v[0]) for k, v in inputs.items()}
    return rules.evaluate(STRATA, one), rules.evaluate(AKTIF, one), one


def test_exactly_at_every_threshold_is_mandiri_and_aktif():
    """8 opening months, exactly 5 kader, D/S exactly 50 %, every coverage exactly 50 %, dana sehat exactly 50 %.
    D/S: 8 months at 50 % (20/40) and 4 months not opened (0 %) would average 33 %; so here 12 opened months."""
    strata, aktif, inputs = assess(year(opened_months=12))
    assert inputs["opening_months"] == 12 and inputs["kader_avg"] == 5.0 and inputs["ds_avg"] == 50.0
    assert inputs["kia_cum"] == 50.0 and inputs["kb_cum"] == 50.0 and inputs["imunisasi_cum"] == 50.0
    assert strata.result == "Mandiri"
    assert aktif.result is True


def test_exactly_eight_opening_months():
    """8 months opened (the minimum, ≥ 8) — Madya and aktif need it. Rerata D/S is the mean over the 8 opened
    months: 8 × 50 % / 8 = 50 % (met). The cumulative coverages count the 4 unopened months' sasaran: KIA
    8 × 2 / (12 × 4) = 33 % < 50 %, so not Purnama."""
    strata, aktif, inputs = assess(year(opened_months=8))
    assert inputs["opening_months"] == 8
    assert inputs["ds_avg"] == pytest.approx(50.0)
    assert inputs["kia_cum"] == pytest.approx(100 * 16 / 48)
    assert strata.result == "Madya"
    assert {c["indicator"] for c in strata.missing} == {"kia_cum", "kb_cum", "imunisasi_cum"}
    assert strata.next_level == "Purnama"
    # Aktif: 8 different months, and each service reached 50 % in exactly 8 months.
    assert inputs["services_8_months"] == 4
    assert aktif.result is True


def test_seven_opening_months_is_pratama_and_not_aktif():
    strata, aktif, inputs = assess(year(opened_months=7))
    assert strata.result == "Pratama" and strata.next_level == "Madya"
    assert [c["indicator"] for c in strata.missing] == ["opening_months"]
    assert aktif.result is False
    assert {c["indicator"] for c in aktif.missing} == {"opening_months", "services_8_months"}


def test_exactly_five_kader_and_one_less():
    assert assess(year(kader=5))[0].result == "Mandiri"
    strata, aktif, inputs = assess(year(kader=4.9), kader_sk=4)
    assert strata.result == "Pratama"  # rerata kader 4.9 < 5
    assert [c["indicator"] for c in aktif.missing] == ["kader_sk"]  # 4 kader with SK < 5


def test_fails_only_dana_sehat():
    """Every criterion met except dana sehat 49/100 KK: Purnama (Mandiri needs ≥ 50 % of KK), still aktif."""
    strata, aktif, _ = assess(year(kk=(49, 100)))
    assert strata.result == "Purnama"
    assert [c["indicator"] for c in strata.missing] == ["dana_sehat"]
    assert strata.next_level == "Mandiri"
    assert aktif.result is True


def test_coverage_just_below_half():
    """KIA 1 of 3 ibu hamil each month: 33 % < 50 % → not Purnama; KIA fails the 8-month rule too, but 3 of the
    4 services (gizi, KB, imunisasi) still do, so the posyandu stays aktif."""
    strata, aktif, inputs = assess(year(kia=(1, 3)))
    assert strata.result == "Madya"
    assert inputs["months_kia_50"] == 0 and inputs["services_8_months"] == 3
    assert aktif.result is True
    strata, aktif, inputs = assess(year(kia=(1, 3), kb=(14, 30)))
    assert inputs["services_8_months"] == 2 and aktif.result is False


def test_missing_months_count_as_not_opened():
    """Only 9 monthly records, all opened: 9 ≥ 8 opening months (the 3 months without a record are not opened).
    Rerata D/S is over the 9 opened months (50 %), not 9 × 50 % / 12 = 37.5 %: a missed month already counts
    against the frequency criterion and is not counted a second time as 0 % D/S."""
    strata, aktif, inputs = assess(year(recorded=9, opened_months=9))
    assert inputs["recorded_months"] == 9 and inputs["opening_months"] == 9
    assert inputs["ds_avg"] == pytest.approx(50.0)
    assert strata.result == "Mandiri" and aktif.result is True


def test_rerata_ds_is_over_opened_months_only():
    """Hand case, rule of strata version 2011.2 ("rerata D/S = mean of the monthly D/S over the months the posyandu
    opened"): opened Jan–Oct with D/S 24/40 = 60 % each month, closed Nov–Dec (records with 0 opening days).
    Mean over opened months = 60 %; the 2011.1 reading gave 10 × 60 / 12 = 50 %. Opened with S = 0 is not a month
    with a D/S and is left out too."""
    m = year(opened_months=10, d=24)
    _strata, _aktif, inputs = assess(m)
    assert inputs["opening_months"] == 10 and inputs["ds_avg"] == pytest.approx(60.0)
    m["s"][0, 0] = 0  # January opened but S not reported: mean over the 9 other opened months, still 60 %
    assert assess(m)[2]["ds_avg"] == pytest.approx(60.0)


def test_months_covered_by_a_verdict():
    """A year that is over: 12 months. The current year: January to the last complete month (seen in July: 6,
    on any day of July). A future year or January of the current year: none yet."""
    assert rules.months_covered(2025, 2026, 1) == 12
    assert rules.months_covered(2025, 2025, 7) == 6
    assert rules.months_covered(2026, 2026, 12) == 11
    assert rules.months_covered(2026, 2026, 1) == 0
    assert rules.months_covered(2027, 2026, 5) == 0


def test_no_records_at_all():
    strata, aktif, inputs = assess(rules.empty_months(1), kader_sk=0)
    assert inputs["opening_months"] == 0 and inputs["ds_avg"] == 0
    assert strata.result == "Pratama" and aktif.result is False
    assert len(aktif.missing) == 5


def test_no_tools_or_no_extra_activity_is_not_aktif():
    assert assess(year(alat=0))[1].result is False
    strata, aktif, _ = assess(year(extra=0))
    assert aktif.result is False and strata.result == "Madya"  # program tambahan is a Purnama criterion


def test_vectorised_over_many_posyandu():
    m = rules.empty_months(3)
    one = year()
    for f in rules.MONTH_FIELDS:
        m[f][0] = one[f][0]
        m[f][2] = one[f][0]
    inputs = rules.yearly_inputs(m, np.array([5, 0, 5]))
    assert list(inputs["opening_months"]) == [12, 0, 12]
    assert list(inputs["services_8_months"]) == [4, 0, 4]


@pytest.mark.django_db
def test_evaluating_some_posyandu_keeps_the_others(demo):
    """Re-evaluating a subset replaces only that subset's evaluations."""
    from binasehat.assessments.models import PosyanduEvaluation
    from binasehat.assessments.services import posyandu_evaluate

    before = PosyanduEvaluation.objects.filter(year=2025).count()
    some = list(PosyanduEvaluation.objects.filter(year=2025).values_list("posyandu_id", flat=True).distinct()[:3])
    posyandu_evaluate(year=2025, posyandu_ids=some)
    assert PosyanduEvaluation.objects.filter(year=2025).count() == before
