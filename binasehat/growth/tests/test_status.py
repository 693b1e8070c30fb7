"""Permenkes No. 2 Tahun 2020 tentang Standar Antropometri Anak: categories and their exact boundaries.

The regulation's table (RULES.md §6.4):

| Indeks (age)              | Kategori status gizi          | Ambang batas (z-score) |
|---------------------------|-------------------------------|------------------------|
| BB/U (0–60 bln)           | Berat badan sangat kurang     | < −3 SD                |
|                           | Berat badan kurang            | −3 SD s.d. < −2 SD     |
|                           | Berat badan normal            | −2 SD s.d. +1 SD       |
|                           | Risiko berat badan lebih      | > +1 SD                |
| PB/U atau TB/U (0–60 bln) | Sangat pendek                 | < −3 SD                |
|                           | Pendek                        | −3 SD s.d. < −2 SD     |
|                           | Normal                        | −2 SD s.d. +3 SD       |
|                           | Tinggi                        | > +3 SD                |
| BB/PB atau BB/TB          | Gizi buruk                    | < −3 SD                |
| (0–60 bln)                | Gizi kurang                   | −3 SD s.d. < −2 SD     |
|                           | Gizi baik (normal)            | −2 SD s.d. +1 SD       |
|                           | Berisiko gizi lebih           | > +1 SD s.d. +2 SD     |
|                           | Gizi lebih                    | > +2 SD s.d. +3 SD     |
|                           | Obesitas                      | > +3 SD                |
| IMT/U (0–60 bln)          | same six categories and cut-offs as BB/PB          |
| IMT/U (5–18 th)           | Gizi buruk                    | < −3 SD                |
|                           | Gizi kurang                   | −3 SD s.d. < −2 SD     |
|                           | Gizi baik (normal)            | −2 SD s.d. +1 SD       |
|                           | Gizi lebih                    | +1 SD s.d. +2 SD       |
|                           | Obesitas                      | > +2 SD                |

"At exactly −2,00 the child is normal/gizi baik; at exactly −3,00 it is kurang/pendek/gizi kurang; +1,00 exactly is
normal for BB/U and BB/TB" (RULES.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from binasehat.growth import rules

Z = [-3.01, -3.0, -2.01, -2.0, 0.0, 0.99, 1.0, 1.01, 2.0, 2.01, 3.0, 3.01]


def names(fn, table, values=Z):
    return rules.labels(fn(np.array(values)), table).tolist()


def test_bb_u_boundaries():
    assert dict(zip(Z, names(rules.bb_u, rules.BB_U))) == {
        -3.01: "Berat badan sangat kurang",
        -3.0: "Berat badan kurang",
        -2.01: "Berat badan kurang",
        -2.0: "Berat badan normal",
        0.0: "Berat badan normal",
        0.99: "Berat badan normal",
        1.0: "Berat badan normal",
        1.01: "Risiko berat badan lebih",
        2.0: "Risiko berat badan lebih",
        2.01: "Risiko berat badan lebih",
        3.0: "Risiko berat badan lebih",
        3.01: "Risiko berat badan lebih",
    }


def test_pb_tb_u_boundaries():
    assert dict(zip(Z, names(rules.pb_tb_u, rules.PB_TB_U))) == {
        -3.01: "Sangat pendek",
        -3.0: "Pendek",
        -2.01: "Pendek",
        -2.0: "Normal",
        0.0: "Normal",
        0.99: "Normal",
        1.0: "Normal",
        1.01: "Normal",
        2.0: "Normal",
        2.01: "Normal",
        3.0: "Normal",
        3.01: "Tinggi",
    }


def test_bb_pb_tb_boundaries():
    assert dict(zip(Z, names(rules.bb_pb_tb, rules.BB_PB_TB))) == {
        -3.01: "Gizi buruk",
        -3.0: "Gizi kurang",
        -2.01: "Gizi kurang",
        -2.0: "Gizi baik",
        0.0: "Gizi baik",
        0.99: "Gizi baik",
        1.0: "Gizi baik",
        1.01: "Berisiko gizi lebih",
        2.0: "Berisiko gizi lebih",
        2.01: "Gizi lebih",
        3.0: "Gizi lebih",
        3.01: "Obesitas",
    }


def test_imt_u_0_60_is_the_bb_pb_tb_table():
    assert names(rules.imt_u_0_60, rules.IMT_U_0_60) == names(rules.bb_pb_tb, rules.BB_PB_TB)


def test_imt_u_5_18_boundaries():
    """+1 appears in two rows of the regulation; +1 itself is gizi baik, like in every other row (see rules)."""
    assert dict(zip(Z, names(rules.imt_u_5_18, rules.IMT_U_5_18))) == {
        -3.01: "Gizi buruk",
        -3.0: "Gizi kurang",
        -2.01: "Gizi kurang",
        -2.0: "Gizi baik",
        0.0: "Gizi baik",
        0.99: "Gizi baik",
        1.0: "Gizi baik",
        1.01: "Gizi lebih",
        2.0: "Gizi lebih",
        2.01: "Obesitas",
        3.0: "Obesitas",
        3.01: "Obesitas",
    }


def test_no_z_no_category():
    for fn in (rules.bb_u, rules.pb_tb_u, rules.bb_pb_tb, rules.imt_u_5_18):
        assert fn(np.array([np.nan])).tolist() == [0]
    assert rules.labels(rules.bb_u(np.array([np.nan])), rules.BB_U).tolist() == [""]


def fake_result(z, *, reference=rules.REF_WHO2006, months=24.0):
    n = len(z)
    z = np.asarray(z, dtype=float)
    return {
        "zwei": z, "zlen": z, "zwfl": z, "zbmi": z,
        "fwei": np.zeros(n), "flen": np.zeros(n), "fwfl": np.zeros(n), "fbmi": np.zeros(n),
        "reference": np.full(n, reference), "age_months": np.full(n, months), "csex": np.ones(n, np.int8),
        "wfl_table": np.ones(n, np.int8),
    }


def test_status_judges_the_z_shown_rounded_to_2_decimals():
    """A z of −2.004 is shown as −2,00 and is normal; −2.006 is shown as −2,01 and is not."""
    s = rules.status(fake_result([-2.004, -2.006, 1.004, 3.004]))
    assert s["pb_tb_u"].tolist() == ["Normal", "Pendek", "Normal", "Normal"]
    assert s["bb_u"].tolist() == ["Berat badan normal", "Berat badan kurang", "Berat badan normal",
                                  "Risiko berat badan lebih"]
    assert s["bb_pb_tb"].tolist() == ["Gizi baik", "Gizi kurang", "Gizi baik", "Gizi lebih"]


def test_status_by_age_group():
    under5 = rules.status(fake_result([1.5]))
    assert under5["imt_u"].tolist() == ["Berisiko gizi lebih"]
    for months, expected in ((61.0, "Gizi lebih"), (216.9, "Gizi lebih"), (217.0, "")):
        s = rules.status(fake_result([1.5], reference=rules.REF_WHO2007, months=months))
        assert s["imt_u"].tolist() == [expected], months
        assert s["bb_u"].tolist() == [""] and s["pb_tb_u"].tolist() == [""]  # 0–60 months only


def test_status_from_real_z_scores():
    r = rules.zscores(sex=1, age_days=[400, 400], weight_kg=[6.5, 10.0], lenhei_cm=[70.0, 76.0], measure="l")
    s = rules.status(r)
    assert s["bb_u"].tolist() == ["Berat badan sangat kurang", "Berat badan normal"]
    assert s["pb_tb_u"].tolist() == ["Pendek", "Normal"]  # zlen −2.91
    assert s["bb_pb_tb"].tolist() == ["Gizi buruk", "Gizi baik"]  # zwfl −3.28
    assert round(r["zbmi"][0], 4) == -3.0019
    assert s["imt_u"].tolist() == ["Gizi kurang", "Gizi baik"]  # shown as −3,00: gizi kurang, not buruk


def test_nutrition_flags():
    r = fake_result([-2.01, -2.0, 2.0, 2.01, np.nan])
    f = rules.nutrition_flags(r)
    assert f["stunting"].tolist()[:4] == [1, 0, 0, 0] and np.isnan(f["stunting"][4])
    assert f["wasting"].tolist()[:4] == [1, 0, 0, 0]
    assert f["underweight"].tolist()[:4] == [1, 0, 0, 0]
    assert f["overweight"].tolist()[:4] == [0, 0, 0, 1]


def test_nutrition_flags_oedema_and_implausible_values():
    r = rules.zscores(sex=1, age_days=400, weight_kg=[9.0, 9.0], lenhei_cm=[75.0, 40.0], measure="l",
                      oedema=["y", "n"])
    f = rules.nutrition_flags(r, oedema=["y", "n"])
    assert f["wasting"][0] == 1 and f["underweight"][0] == 1 and f["overweight"][0] == 0  # oedema: < −3 SD
    assert r["flen"][1] == 1 and np.isnan(f["stunting"][1])  # flagged by WHO: not counted


@pytest.mark.parametrize("z", [-3.0, -2.0, 1.0, 2.0, 3.0])
def test_every_boundary_is_inclusive_on_the_side_the_regulation_says(z):
    """s.d. < −2: −2 belongs above; "−2 s.d. +1" and "> +1 s.d. +2": +1 and +2 belong below; > +3: +3 below."""
    bb_pb_tb = rules.bb_pb_tb(np.array([z - 1e-9, z, z + 1e-9]))
    assert bb_pb_tb[1] == (bb_pb_tb[2] if z < 0 else bb_pb_tb[0])
