"""POST /api/data-values writes through the one service: creates and audits, and refuses a batch with invalid
rows (each with its reason) without writing anything — unless partial=true."""

import json

import pytest

from binasehat.core.models import AuditEntry
from binasehat.programs.models import DataValue

DESA = "19.03.02.2001"
OTHER_DESA = "19.03.01.2001"


def _post(client, rows, query=""):
    return client.post(f"/api/data-values{query}", json.dumps(rows), content_type="application/json")


@pytest.fixture
def bidan(demo, bearer):
    return bearer("bidan")


def test_post_creates_values_and_audits_them(bidan):
    rows = [
        {"dataElement": "DBD_KASUS", "period": "2023-06", "orgUnit": DESA, "value": 3, "comment": "KLB kecil"},
        {"dataElement": "DBD_MENINGGAL", "period": "202306", "orgUnit": DESA, "value": "0"},
    ]
    response = _post(bidan, rows)
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "OK", "dryRun": False, "imported": 2, "updated": 0, "deleted": 0,
                               "unchanged": 0, "ignored": 0, "conflicts": []}
    stored = {dv.element.code: dv for dv in DataValue.objects.filter(org_unit=DESA, period="2023-06")}
    assert stored["DBD_KASUS"].value == 3 and stored["DBD_KASUS"].comment == "KLB kecil"
    assert stored["DBD_MENINGGAL"].value == 0
    assert stored["DBD_KASUS"].updated_by.username == "bidan"
    audits = AuditEntry.objects.filter(model="programs.datavalue", object_pk__in=[str(d.pk) for d in stored.values()])
    assert sorted((a.action, a.source, a.actor.username, a.area_code) for a in audits) == \
        [("create", "api", "bidan", DESA)] * 2

    # The same values again change nothing; a new value updates; null deletes.
    assert _post(bidan, rows).json()["unchanged"] == 2
    changed = _post(bidan, [{**rows[0], "value": 4}, {**rows[1], "value": None}]).json()
    assert (changed["updated"], changed["deleted"]) == (1, 1)
    assert DataValue.objects.get(org_unit=DESA, period="2023-06").value == 4

    # Readable straight away through the API.
    body = bidan.get(f"/api/data-values?element=DBD_KASUS&period=2023-06&org_unit={DESA}").json()
    assert [(v["dataElement"], v["period"], v["orgUnit"], v["value"]) for v in body["items"]] == \
        [("DBD_KASUS", "2023-06", DESA, 4.0)]


BAD_ROWS = [
    {"dataElement": "DBD_KASUS", "period": "2023-07", "orgUnit": DESA, "value": 5},  # the one valid row
    {"dataElement": "TIDAK_ADA", "period": "2023-07", "orgUnit": DESA, "value": 1},
    {"dataElement": "DBD_KASUS", "period": "2023", "orgUnit": DESA, "value": 1},
    {"dataElement": "DBD_KASUS", "period": "2023-07", "orgUnit": OTHER_DESA, "value": 1},
    {"dataElement": "DBD_MENINGGAL", "period": "2023-07", "orgUnit": DESA, "value": -1},
    {"dataElement": "DBD_MENINGGAL", "period": "2023-08", "orgUnit": DESA, "value": "1,5"},
    {"dataElement": "DBD_KASUS", "period": "2023-07", "orgUnit": DESA, "value": 6},
    {"dataElement": "DBD_KASUS", "period": "2099-01", "orgUnit": DESA, "value": 1},
]


def test_invalid_rows_are_reported_and_nothing_is_written(bidan):
    values, audits = DataValue.objects.count(), AuditEntry.objects.count()
    response = _post(bidan, BAD_ROWS)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "ERROR"
    assert (body["imported"], body["ignored"]) == (0, len(BAD_ROWS))
    reasons = {c["row"]: c["reason"] for c in body["conflicts"]}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert "tidak dikenal" in reasons[2] and "TIDAK_ADA" in reasons[2]
    assert "diisi per bulan" in reasons[3]
    assert OTHER_DESA in reasons[4] and "di luar wilayah Anda" in reasons[4]
    assert "negatif" in reasons[5]
    assert "bilangan bulat" in reasons[6]
    assert "ganda" in reasons[7].lower()
    assert "belum dimulai" in reasons[8]
    assert (DataValue.objects.count(), AuditEntry.objects.count()) == (values, audits)


def test_partial_writes_the_valid_rows(bidan):
    response = _post(bidan, BAD_ROWS, "?partial=true")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["imported"], body["ignored"]) == ("WARNING", 1, len(BAD_ROWS) - 1)
    assert DataValue.objects.get(org_unit=DESA, period="2023-07", element__code="DBD_KASUS").value == 5
    assert not DataValue.objects.filter(org_unit=OTHER_DESA, period="2023-07").exists()


def test_dry_run_writes_nothing(bidan):
    response = _post(bidan, BAD_ROWS[:1], "?dry_run=true")
    assert response.json()["imported"] == 1 and response.json()["dryRun"] is True
    assert not DataValue.objects.filter(org_unit=DESA, period="2023-07").exists()


def test_read_only_roles_cannot_post(demo, bearer):
    response = _post(bearer("provinsi"), BAD_ROWS[:1])
    assert response.status_code == 403
    assert "tidak boleh" in response.json()["detail"]
    assert not DataValue.objects.filter(org_unit=DESA, period="2023-07").exists()


def test_malformed_body_is_a_422(bidan):
    response = bidan.post("/api/data-values", "{bukan json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Isi permintaan tidak dapat dibaca: kirim JSON yang sah."
    response = _post(bidan, [{"period": "2023-07"}])
    assert response.status_code == 422
    missing = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert missing == {("body", "rows", 0, "dataElement"), ("body", "rows", 0, "orgUnit")}


def test_a_comment_only_row_for_a_value_not_stored_is_reported_ignored_with_its_reason(bidan):
    """Row 1 is a value, row 2 a comment without a value for a value nobody stored: row 1 is written, row 2 is
    ignored with its reason (DHIS2's import summary counts it under "ignored" with a conflict), nothing is created
    for it. A comment-only row for a stored value sets the comment and keeps the value (it never deletes)."""
    rows = [{"dataElement": "DBD_KASUS", "period": "2023-09", "orgUnit": DESA, "value": 2},
            {"dataElement": "DBD_MENINGGAL", "period": "2023-09", "orgUnit": DESA, "value": None,
             "comment": "belum ada laporan"}]
    body = _post(bidan, rows).json()
    assert (body["status"], body["imported"], body["ignored"]) == ("WARNING", 1, 1)
    [conflict] = body["conflicts"]
    assert (conflict["row"], conflict["dataElement"], conflict["period"], conflict["orgUnit"]) == \
        (2, "DBD_MENINGGAL", "2023-09", DESA)
    assert "belum ada nilai tersimpan" in conflict["reason"]
    assert not DataValue.all_objects.filter(element__code="DBD_MENINGGAL", org_unit=DESA, period="2023-09").exists()
    # The same in a dry run.
    assert _post(bidan, rows[1:], "?dry_run=true").json()["ignored"] == 1

    comment_only = {**rows[0], "value": None, "comment": "diperiksa ulang"}
    body = _post(bidan, [comment_only]).json()
    assert (body["status"], body["updated"], body["deleted"], body["ignored"]) == ("OK", 1, 0, 0)
    stored = DataValue.objects.get(element__code="DBD_KASUS", org_unit=DESA, period="2023-09")
    assert (stored.value, stored.comment) == (2, "diperiksa ulang")
