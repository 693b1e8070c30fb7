"""The per-row fingerprint kept between the preview and the commit: the short path for rows without stored state
gives the bytes of the JSON form it replaces, so a preview made before the change still matches its commit."""

import hashlib
import json

import pytest

from binasehat.core.importing import CREATE, REJECT, UNCHANGED, UPDATE, Outcome, _fingerprint


def _by_json(where, key, action, state):
    text = json.dumps([where, key, action, state], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def test_new_row_fingerprint_is_the_blake2b_of_its_json_text():
    # Worked by hand: row 12 of the file creates child 5's visit of 1 January 2025, nothing stored before.
    expected = hashlib.blake2b(b'["12", "5/2025-01-01", "create", null]', digest_size=8).digest()
    assert _fingerprint(Outcome(CREATE, key="5/2025-01-01", where="12")) == expected


@pytest.mark.parametrize("where, key, action", [
    ("12", "5/2025-01-01", CREATE),
    ("timbang.csv:3", "", REJECT),
    ("b.xlsx:7", 'nama "Siti" \\ Aminah|2023-05-15|ibu', CREATE),
    ("9", "anak é ñ \u2028 \x01", UNCHANGED),
])
def test_short_path_matches_the_json_encoder(where, key, action):
    assert _fingerprint(Outcome(action, key=key, where=where)) == _by_json(where, key, action, None)


def test_rows_with_stored_state_keep_the_json_form():
    state = {"id": 4, "version": 2, "weight_kg": "10.40"}
    assert _fingerprint(Outcome(UNCHANGED, key="4/2025-02-01", where="3", state=state)) == \
        _by_json("3", "4/2025-02-01", UNCHANGED, state)
    # An update without a state is fingerprinted with the stored values it replaces.
    changes = {"weight_kg": ["10.40", "10.50"]}
    assert _fingerprint(Outcome(UPDATE, key="4/2025-02-01", where="3", changes=changes)) == \
        _by_json("3", "4/2025-02-01", UPDATE, {"weight_kg": "10.40"})
    # A key that is not text (never written by our importers) takes the JSON path too.
    assert _fingerprint(Outcome(CREATE, key=7, where="3")) == _by_json("3", 7, CREATE, None)
