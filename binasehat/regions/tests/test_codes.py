"""Kemendagri codes (Permendagri 58/2021): "Kabupaten/Kota: province + 2 digits; 01–69 = kabupaten, 71–99 = kota.
Desa/Kelurahan: + 4 digits; first of the 4 digits 1 = kelurahan, 2 = desa, 3 = desa adat." (RULES.md §8.1)"""

import pytest

from binasehat.regions import rules


@pytest.mark.parametrize("code,level,kind", [
    ("19", 1, "provinsi"),
    ("19.03", 2, "kabupaten"),
    ("13.71", 2, "kota"),  # Kota Padang
    ("19.03.01", 3, "kecamatan"),
    ("13.71.03.1004", 4, "kelurahan"),  # Kelurahan Purus, Padang Barat
    ("19.03.01.2008", 4, "desa"),
    ("91.03.01.3001", 4, "desa_adat"),  # Kabupaten Jayapura
])
def test_level_and_kind_follow_from_the_code(code, level, kind):
    assert rules.level_of(code) == level
    assert rules.kind_of(code) == kind


def test_parent_and_ancestors():
    assert rules.parent_of("19.03.01.2008") == "19.03.01"
    assert rules.parent_of("19") is None
    assert rules.ancestors_of("19.03.01.2008") == ["19", "19.03", "19.03.01"]


@pytest.mark.parametrize("bad", ["", "1", "190", "19.3", "19.03.1", "19.03.01.201", "19.03.01.20081", "19-03",
                                 "19.03.01.4001", "19.00", "19.70", "19.03.00", "1903012008", "ab.cd", "19.03.01.2000",
                                 "10"])
def test_malformed_codes_are_refused(bad):
    with pytest.raises(rules.CodeError):
        rules.validate_code(bad)


def test_bps_style_code_gets_a_specific_message():
    with pytest.raises(rules.CodeError, match="BPS"):
        rules.validate_code("1903012008")


def test_is_below():
    assert rules.is_below("19.03.01.2008", "19.03")
    assert rules.is_below("19.03", "19.03")
    assert not rules.is_below("19.031", "19.03")
