"""DHIS2 dataValueSets through the API: export in scope as JSON and CSV, import JSON or CSV by Content-Type."""

import csv
import io
import json

import pytest

from binasehat.core.models import AuditEntry
from binasehat.programs.models import DataValue

DESA = "19.03.02.2001"


@pytest.fixture
def bidan(demo, bearer):
    return bearer("bidan")


def test_json_export_holds_the_stored_values_in_scope(bidan):
    response = bidan.get("/api/dataValueSets.json?dataSet=DBD_BULANAN&period=202503")
    assert response.status_code == 200
    doc = response.json()
    assert doc["dataSet"] == "DBD_BULANAN"
    stored = {(dv.element.code, dv.value) for dv in DataValue.objects.filter(region_id=DESA, period="2025-03")}
    assert stored
    assert {(v["dataElement"], float(v["value"])) for v in doc["dataValues"]} == stored
    assert {(v["period"], v["orgUnit"]) for v in doc["dataValues"]} == {("202503", DESA)}
    # Puskesmas data lies outside a bidan desa's scope.
    assert bidan.get("/api/dataValueSets.json?dataSet=TB_BULANAN").json()["dataValues"] == []


def test_csv_export_matches_json(bidan):
    query = "?dataSet=DBD_BULANAN&startDate=2025-01-01&endDate=2025-03-31"
    response = bidan.get("/api/dataValueSets.csv" + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/csv")  # DHIS2 2.40 CONTENT_TYPE_CSV
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    values = bidan.get("/api/dataValueSets.json" + query).json()["dataValues"]
    assert len(rows) == len(values) == 3 * 6
    assert [(r["dataelement"], r["period"], r["orgunit"], r["value"]) for r in rows] == \
        [(v["dataElement"], v["period"], v["orgUnit"], v["value"]) for v in values]


def test_unknown_codes_are_explained(bidan):
    response = bidan.get("/api/dataValueSets.json?dataSet=TIDAK_ADA")
    assert response.status_code == 409  # DHIS2 answers an illegal query with 409 Conflict
    assert response.json() == {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "ERROR",
                               "message": "Kumpulan data TIDAK_ADA tidak dikenal."}
    response = bidan.get("/api/dataValueSets.json?idScheme=UID")
    assert response.status_code == 409
    assert "CODE" in response.json()["message"]


def test_org_units_with_children(demo, bearer):
    dinkes = bearer("dinkes")
    query = "/api/dataValueSets.json?period=202503&orgUnit=19.03.02&orgUnit=19.03.03"
    assert dinkes.get(query).json()["dataValues"] == []  # no value is entered for a kecamatan itself
    values = dinkes.get(query + "&children=true").json()["dataValues"]
    expected = DataValue.objects.filter(period="2025-03", region__code__regex=r"^19\.03\.0[23](\.|$)")
    assert len(values) == expected.count() > 0
    units = {v["orgUnit"] for v in values}
    assert any(u.startswith("P1903") for u in units)  # puskesmas of those kecamatan
    assert all(u.startswith(("19.03.02.", "19.03.03.", "P190302", "P190303")) for u in units)


def test_json_import_dry_run_then_for_real(bidan):
    doc = {"dataSet": "DBD_BULANAN", "dataValues": [
        {"dataElement": "DBD_KASUS", "period": "202309", "orgUnit": DESA, "value": "7"},
        {"dataElement": "DBD_MENINGGAL", "period": "202309", "orgUnit": DESA, "value": "1"},
    ]}
    body = json.dumps(doc)
    response = bidan.post("/api/dataValueSets?dryRun=true", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "OK" and response.json()["httpStatusCode"] == 200
    summary = response.json()["response"]
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"]["imported"] == 2
    assert summary["importOptions"]["dryRun"] is True
    assert not DataValue.objects.filter(org_unit=DESA, period="2023-09").exists()

    response = bidan.post("/api/dataValueSets", body, content_type="application/json")
    assert response.json()["response"]["importCount"]["imported"] == 2
    stored = {dv.element.code: dv.value for dv in DataValue.objects.filter(org_unit=DESA, period="2023-09")}
    assert stored == {"DBD_KASUS": 7, "DBD_MENINGGAL": 1}
    assert AuditEntry.objects.filter(model="programs.datavalue", action="create", actor__username="bidan",
                                     area_code=DESA).count() >= 2


def test_csv_import_by_content_type_and_conflicts(bidan):
    text = ("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
            f"DBD_KASUS,202310,{DESA},,,4\n"
            "DBD_KASUS,202310,19.03.01.2001,,,4\n")
    response = bidan.post("/api/dataValueSets", text, content_type="text/csv")
    assert response.status_code == 409  # DHIS2 2.40: WARNING is 409 Conflict
    assert response.json()["status"] == "WARNING" and response.json()["httpStatus"] == "Conflict"
    summary = response.json()["response"]
    assert summary["status"] == "WARNING" and summary["rejectedIndexes"] == [1]
    assert (summary["importCount"]["imported"], summary["importCount"]["ignored"]) == (1, 1)
    assert summary["conflicts"][0]["indexes"] == [1]
    assert DataValue.objects.get(org_unit=DESA, period="2023-10", element__code="DBD_KASUS").value == 4

    response = bidan.post("/api/dataValueSets?firstRowIsHeader=false", "DBD_KASUS,202310,19.03.01.2001,,,4\n",
                          content_type="application/csv")
    assert response.status_code == 409
    assert response.json()["response"]["importCount"]["ignored"] == 1
    assert response.json()["response"]["conflicts"][0]["errorCode"] == "E7612"


def test_import_strategy_and_read_only_roles(demo, bidan, bearer):
    body = json.dumps({"dataValues": [{"dataElement": "DBD_KASUS", "period": "202311", "orgUnit": DESA,
                                       "value": "2"}]})
    response = bidan.post("/api/dataValueSets?importStrategy=UPDATE", body, content_type="application/json")
    assert response.status_code == 409  # UPDATE creates nothing
    assert not DataValue.objects.filter(org_unit=DESA, period="2023-11").exists()
    response = bearer("provinsi").post("/api/dataValueSets", body, content_type="application/json")
    assert response.status_code == 403
