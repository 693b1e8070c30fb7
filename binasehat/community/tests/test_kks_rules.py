"""Kabupaten/Kota Sehat scores and categories, worked by hand (RULES.md §5.2, §5.4; RULES-2.md §2.2).

* "default for 2023/2025: average tatanan score ≥ 71 → Padapa, ≥ 81 → Wiwerda, ≥ 91 → Wistara, with the ODF
  prerequisite configurable; flag as unverified" (RULES.md §5.4).
* 2025: "capaian indikator setiap tatanan minimal 91 %" and "100 % kelurahan ODF" for Wistara; 71/81 on the same
  basis (RULES-2.md §2.2). ODF to take part: ≥ 80 % (2023), ≥ 60 % (2021).
* Option scales (RULES.md §5.2): ABJ ≥ 95 % = 100, < 95 % = 0; posyandu aktif > 50 % = 100, 20–50 % = 50,
  < 20 % = 0; imunisasi ≥ 80 % = 100, 70–79 % = 75, 60–69 % = 50, < 60 % = 0; TB ≥ 71 % = 100;
  stunting "mencapai target/menurun" = 100, else 0.
"""

import pytest

from binasehat.community import rules

T2023 = {"Padapa": 71, "Wiwerda": 81, "Wistara": 91}


def category(scores, basis="average", odf=85.0, odf_min=None, docs=True):
    return rules.kks_category(scores, thresholds=T2023, basis=basis, odf_percent=odf,
                              odf_min=odf_min if odf_min is not None else {"participation": 80},
                              basic_documents_ok=docs)


@pytest.mark.parametrize("average, expected", [
    (70.99, None), (71, "Padapa"), (80.99, "Padapa"), (81, "Wiwerda"), (90.99, "Wiwerda"), (91, "Wistara"),
    (100, "Wistara"),
])
def test_average_thresholds_71_81_91(average, expected):
    assert category([average] * 9).category == expected


def test_average_basis_uses_the_mean_of_the_tatanan():
    """Nine tatanan: eight at 95 and one at 60 → (8·95 + 60) / 9 = 820 / 9 = 91.1 → Wistara on the average."""
    scores = [95] * 8 + [60]
    result = category(scores)
    assert result.overall == pytest.approx(820 / 9)
    assert result.category == "Wistara"
    # 2025 reading: every tatanan must reach the threshold → the tatanan at 60 keeps it below Padapa.
    assert category(scores, basis="per_tatanan").category is None
    assert category([95] * 8 + [85], basis="per_tatanan").category == "Wiwerda"


def test_odf_prerequisite_and_per_category_minimum():
    """2021: ODF ≥ 60 % to take part, ≥ 80 % for Wiwerda, 100 % for Wistara."""
    odf_2021 = {"participation": 60, "Wiwerda": 80, "Wistara": 100}
    assert category([95] * 7, odf=59.9, odf_min=odf_2021).category is None
    assert category([95] * 7, odf=60, odf_min=odf_2021).category == "Padapa"
    assert category([95] * 7, odf=80, odf_min=odf_2021).category == "Wiwerda"
    assert category([95] * 7, odf=100, odf_min=odf_2021).category == "Wistara"
    result = category([95] * 9, odf=None)
    assert result.category is None and result.prerequisites["odf"] is False


def test_basic_documents_are_the_entry_condition():
    result = category([95] * 9, docs=False)
    assert result.category is None and result.prerequisites["aspek_dasar"] is False
    assert rules.kks_category([95] * 9, thresholds=T2023, basis="average", odf_percent=85, odf_min={},
                              basic_documents_ok=False, require_basic_documents=False).category == "Wistara"


def test_what_each_tatanan_lacks():
    result = category([60, 75, 85, 95])
    assert result.lacks == [("Padapa", 11), ("Wiwerda", 6), ("Wistara", 6), None]


def test_tatanan_score_counts_an_unanswered_indicator_as_zero():
    assert rules.tatanan_score([100, 50, None, 100]) == 62.5
    assert rules.tatanan_score([]) is None


@pytest.mark.parametrize("value, expected", [(94.99, 0), (95, 100), (None, None)])
def test_abj_option(value, expected):
    assert rules.option_from_value(value, [{"min": 95, "score": 100}, {"score": 0}]) == expected


@pytest.mark.parametrize("value, expected", [(50.01, 100), (50, 50), (20, 50), (19.99, 0)])
def test_posyandu_aktif_option(value, expected):
    bands = [{"above": 50, "score": 100}, {"min": 20, "score": 50}, {"score": 0}]
    assert rules.option_from_value(value, bands) == expected


@pytest.mark.parametrize("value, expected", [(80, 100), (79.9, 75), (70, 75), (69.9, 50), (60, 50), (59.9, 0)])
def test_immunisation_option(value, expected):
    bands = [{"min": 80, "score": 100}, {"min": 70, "score": 75}, {"min": 60, "score": 50}, {"score": 0}]
    assert rules.option_from_value(value, bands) == expected


def test_stunting_target_or_falling():
    assert rules.option_from_trend(13.9, 15.0, 14.0) == 100  # meets the target
    assert rules.option_from_trend(15.3, 16.0, 14.0) == 100  # above target but falling
    assert rules.option_from_trend(15.3, 15.3, 14.0) == 0  # unchanged and above target
    assert rules.option_from_trend(15.3, None, 14.0) == 0
    assert rules.option_from_trend(None, 15.0, 14.0) is None
