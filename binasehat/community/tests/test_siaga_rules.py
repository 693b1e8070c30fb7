"""Desa/Kelurahan Siaga Aktif strata, worked by hand from the Kepmenkes 1529/2010 table (RULES.md §4):

| Kriteria | Pratama | Madya | Purnama | Mandiri |
| 1 Forum Masyarakat Desa | ada, belum berjalan | berjalan, belum rutin tiap triwulan | berjalan setiap triwulan | berjalan setiap bulan |
| 2 KPM / kader kesehatan | ≥ 2 orang | 3–5 orang | 6–8 orang | ≥ 9 orang |
| 3 Kemudahan akses pelayanan kesehatan dasar | ya | ya | ya | ya |
| 4 Posyandu & UKBM lain aktif | posyandu ada, UKBM lain tidak aktif | posyandu + 2 UKBM lain | posyandu + 3 | posyandu + 4 |
| 5 Dukungan dana | dana pemdes, belum ada sumber lain | pemdes + 1 sumber lain | pemdes + 2 | [D] + 2 vs + ≥ 3 |
| 6 Peran serta masyarakat & ormas | belum ada ormas | + 1 ormas | + 2 ormas | [D] + 2 ormas vs "2 atau lebih" |
| 7 Peraturan | belum ada | ada, belum direalisasikan | ada, sudah direalisasikan | ada, sudah direalisasikan |
| 8 Pembinaan PHBS di rumah tangga | < 20 % RT | ≥ 20 % RT | ≥ 40 % RT | ≥ 70 % RT |

"configure, default to the Malang form (≥ 3 other sources; ≥ 2 ormas)"; "the stratum is the highest level whose
every criterion is met"; a desa meeting no Pratama criterion is "belum Siaga Aktif".
"""

import json
from pathlib import Path

import pytest

from binasehat.assessments.rules import evaluate
from binasehat.community import rules

DEFINITION = json.loads((Path(__file__).resolve().parents[1] / "rulesets" / "desa-siaga-2010.json").read_text())

FORUM = {k: i for i, k in enumerate(rules.FORUM_LEVELS)}
PERATURAN = {k: i for i, k in enumerate(rules.PERATURAN_LEVELS)}

#: One desa exactly at each stratum's cells.
AT = {
    "Pratama": dict(forum="belum_berjalan", kader=2, akses_harian=True, posyandu=1, ukbm_lain_aktif=0,
                    dana_sumber_lain=0, ormas_aktif=0, peraturan="tidak_ada", phbs_rt_persen=10),
    "Madya": dict(forum="tidak_rutin", kader=3, akses_harian=True, posyandu=1, ukbm_lain_aktif=2,
                  dana_sumber_lain=1, ormas_aktif=1, peraturan="ada", phbs_rt_persen=20),
    "Purnama": dict(forum="triwulanan", kader=6, akses_harian=True, posyandu=1, ukbm_lain_aktif=3,
                    dana_sumber_lain=2, ormas_aktif=2, peraturan="direalisasikan", phbs_rt_persen=40),
    "Mandiri": dict(forum="bulanan", kader=9, akses_harian=True, posyandu=1, ukbm_lain_aktif=4,
                    dana_sumber_lain=3, ormas_aktif=2, peraturan="direalisasikan", phbs_rt_persen=70),
}


def stratum(values, overrides=None):
    v = dict(values)
    v["forum"] = FORUM[v["forum"]] if isinstance(v["forum"], str) else v["forum"]
    v["peraturan"] = PERATURAN[v["peraturan"]] if isinstance(v["peraturan"], str) else v["peraturan"]
    definition, _params = rules.resolve_parameters(DEFINITION, overrides)
    return evaluate(definition, rules.evaluation_inputs(v))


@pytest.mark.parametrize("level", rules.STRATA)
def test_a_desa_exactly_at_each_column_has_that_stratum(level):
    assert stratum(AT[level]).result == level


def test_kader_boundary_two_versus_three():
    """Pratama "≥ 2 orang", Madya "3–5 orang": a Madya desa with only 2 kader is Pratama; 1 kader is not Siaga."""
    assert stratum({**AT["Madya"], "kader": 3}).result == "Madya"
    assert stratum({**AT["Madya"], "kader": 2}).result == "Pratama"
    assert stratum({**AT["Madya"], "kader": 1}).result is None
    assert stratum({**AT["Mandiri"], "kader": 8}).result == "Purnama"  # 6–8 orang
    assert stratum({**AT["Mandiri"], "kader": 5}).result == "Madya"  # 3–5 orang


@pytest.mark.parametrize("phbs, expected", [(19, "Pratama"), (19.9, "Pratama"), (20, "Madya"), (39.9, "Madya"),
                                            (40, "Purnama"), (69.9, "Purnama"), (70, "Mandiri"), (100, "Mandiri")])
def test_phbs_boundaries(phbs, expected):
    """PHBS: < 20 % Pratama, ≥ 20 % Madya, ≥ 40 % Purnama, ≥ 70 % Mandiri (the "kurang dari" copy is a typo)."""
    assert stratum({**AT["Mandiri"], "phbs_rt_persen": phbs}).result == expected


def test_disputed_mandiri_dana_cell_is_configurable():
    """Mandiri dana: "pemdes + 2 sumber lain" (scribd 396776031) vs "≥ 3 sumber lain" (Malang form, the default)."""
    two = {**AT["Mandiri"], "dana_sumber_lain": 2}
    assert stratum(two).result == "Purnama"  # default 3
    assert stratum(two, {"mandiri_dana_min": 2}).result == "Mandiri"
    assert stratum(AT["Mandiri"], {"mandiri_dana_min": 2}).result == "Mandiri"


def test_disputed_mandiri_ormas_cell_is_configurable():
    """Mandiri ormas: "+ 2 ormas" / "2 ormas atau lebih" (default 2) vs "lebih dari dua ormas" (3)."""
    assert stratum(AT["Mandiri"]).result == "Mandiri"
    assert stratum(AT["Mandiri"], {"mandiri_ormas_min": 3}).result == "Purnama"
    assert stratum({**AT["Mandiri"], "ormas_aktif": 3}, {"mandiri_ormas_min": 3}).result == "Mandiri"
    _d, params = rules.resolve_parameters(DEFINITION)
    assert params == {"mandiri_dana_min": 3, "mandiri_ormas_min": 2, "phbs_pispk_min_coverage": 80}


def test_not_siaga_aktif_when_a_pratama_cell_fails():
    """No forum, no daily access, no posyandu or fewer than 2 kader: belum Siaga Aktif."""
    assert stratum({**AT["Mandiri"], "forum": "tidak_ada"}).result is None
    assert stratum({**AT["Mandiri"], "akses_harian": False}).result is None
    assert stratum({**AT["Mandiri"], "posyandu": 0}).result is None
    outcome = stratum({**AT["Pratama"], "kader": 1})
    assert outcome.result is None and outcome.next_level == "Pratama"
    assert [m["indicator"] for m in outcome.missing] == ["kader"]


def test_missing_entered_input_meets_nothing():
    values = {**AT["Madya"], "ukbm_lain_aktif": None}
    assert stratum(values).result is None
    assert rules.evaluation_inputs({"ukbm_lain_aktif": None})["ukbm_lain_aktif"] == -1
    assert rules.evaluation_inputs({})["akses_harian"] is False


def test_stratum_is_the_highest_level_with_every_criterion_met_and_next_level_needs():
    """Mandiri everywhere except peraturan "ada, belum direalisasikan" → Madya; Purnama needs only peraturan."""
    outcome = stratum({**AT["Mandiri"], "peraturan": "ada"})
    assert outcome.result == "Madya"
    assert outcome.next_level == "Purnama"
    assert [m["indicator"] for m in outcome.missing] == ["peraturan"]


def test_criterion_levels_show_what_each_criterion_reaches():
    definition, _ = rules.resolve_parameters(DEFINITION)
    v = {**AT["Madya"], "kader": 7, "phbs_rt_persen": 75}
    v["forum"], v["peraturan"] = FORUM[v["forum"]], PERATURAN[v["peraturan"]]
    levels = rules.criterion_levels(definition, rules.evaluation_inputs(v))
    assert levels["kader"] == "Purnama"
    assert levels["phbs_rt_persen"] == "Mandiri"
    assert levels["forum"] == "Madya"
    assert levels["akses_harian"] == "Mandiri"


def test_forum_level_from_recorded_meetings():
    assert rules.forum_from_meetings(0) is None  # not recorded: the entered value is used
    assert rules.forum_from_meetings(1) == FORUM["tidak_rutin"]
    assert rules.forum_from_meetings(3) == FORUM["tidak_rutin"]
    assert rules.forum_from_meetings(4) == FORUM["triwulanan"]
    assert rules.forum_from_meetings(11) == FORUM["triwulanan"]
    assert rules.forum_from_meetings(12) == FORUM["bulanan"]


def test_share_against_the_80_percent_target():
    assert rules.siaga_aktif_share(["Pratama", None, "Mandiri", "Madya", "Purnama"]) == (4, 5, 80.0)
    assert rules.siaga_aktif_share([]) == (0, 0, None)
