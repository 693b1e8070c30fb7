"""Measure, sex and oedema codes: text cleaned value by value, or int8 codes given once (what an importer passes)."""

from __future__ import annotations

import numpy as np
import pytest

from binasehat.growth import rules


def _data(n=5_000, seed=3):
    rng = np.random.default_rng(seed)
    age = rng.uniform(0, 1900, n)
    measure = rng.choice(np.array(["l", "h", "", " L ", "H", "nan", "None", "pb"[:0]], dtype=object), n)
    sex = rng.choice(np.array(["1", "2", "m", "F", " f", ""], dtype=object), n)
    oedema = rng.choice(np.array(["y", "n", "1", "2", "", "TRUE", "false", "Na"], dtype=object), n)
    return {"age_days": age, "weight_kg": rng.uniform(2, 25, n), "lenhei_cm": rng.uniform(45, 120, n),
            "measure": measure, "sex": sex, "oedema": oedema}


def test_text_codes_and_int8_codes_give_identical_results():
    d = _data()
    by_text = rules.zscores(**d)
    codes = {
        "measure": np.array([rules.measure_code(m) for m in d["measure"]], np.int8),
        "sex": np.array([{"1": 1, "m": 1, "2": 2, "f": 2}.get(s.strip().lower(), 0) for s in d["sex"]], np.int8),
        "oedema": np.array([o.strip().lower() in ("y", "1", "true") for o in d["oedema"]]),
    }
    by_code = rules.zscores(**{**d, **codes})
    assert set(by_text) == set(by_code)
    for key in by_text:
        np.testing.assert_array_equal(by_text[key], by_code[key], err_msg=key)
    # the codes as the text path makes them: l → 1, h → 2, empty/nan/None → 0
    assert rules.clean_measure(d["measure"]).tolist() == codes["measure"].tolist()
    assert rules.clean_measure(np.array(["l", "H", "", None], dtype=object)).tolist() == [1, 2, 0, 0]
    # int8 codes are used as they are (no copy, no text)
    given = codes["measure"]
    assert rules.clean_measure(given) is given


def test_a_code_who_does_not_accept_is_refused_with_the_offending_texts():
    with pytest.raises(rules.InvalidInput, match=r"measure: \['pb', 'x'\] not allowed \(allowed: \['h', 'l'\]\)"):
        rules.clean_measure(np.array(["l", " PB", "x", "h", "x"], dtype=object))
    with pytest.raises(rules.InvalidInput, match=r"oedema: \['ya'\] not allowed"):
        rules.clean_oedema(np.array(["y", "Ya"], dtype=object))
    with pytest.raises(rules.InvalidInput, match=r"sex: \['3'\] not allowed"):
        rules.clean_sex(["1", "3"])
    with pytest.raises(rules.InvalidInput, match=r"measure: \[3\] not allowed"):
        rules.clean_measure(np.array([1, 3], np.int8))
    with pytest.raises(rules.InvalidInput):
        rules.measure_code("berdiri")
    assert [rules.measure_code(t) for t in ("l", " H ", "", None, "nan")] == [1, 2, 0, 0, 0]
