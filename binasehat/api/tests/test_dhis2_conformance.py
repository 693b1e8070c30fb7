"""Conformance with DHIS2 2.40's ``/api/dataValueSets``, ``/api/system/info`` and ``/api/me``: DHIS2's documented
payloads (JSON, CSV with the old and the new header names and without one), each quoted with its source, and
DHIS2's answer shape and HTTP status. Sources: dhis2-docs ``developer/web-api/data.md`` ("Sending data values",
"Sending bulks of data values", "Reading data values") and dhis2-core 2.40 (``DataValueSetController``,
``WebMessageUtils.importSummary``, ``CsvDataValueSetReader``, ``DefaultDataValueSetService``)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.programs.models import DataSetCompletion, DataValue

DESA = "19.03.02.2001"  # the demo user "bidan"'s desa


@pytest.fixture
def bidan(demo, bearer):
    return bearer("bidan")


def stored(element, period):
    dv = DataValue.objects.filter(element__code=element, org_unit=DESA, period=period).first()
    return None if dv is None else dv.value


# --- JSON ------------------------------------------------------------------------------------------------------


def test_json_payload_from_the_docs_is_answered_with_a_web_message(bidan):
    """data.md, "Sending data values": a set with header ``dataSet``, ``completeDate``, ``period``, ``orgUnit``,
    ``attributeOptionCombo`` and values carrying ``dataElement``, ``categoryOptionCombo``, ``value``,
    ``comment``; identifiers here are codes (idScheme=CODE) and the default combos."""
    doc = {"dataSet": "DBD_BULANAN", "completeDate": "2023-02-05", "period": "202301", "orgUnit": DESA,
           "attributeOptionCombo": "default", "dataValues": [
               {"dataElement": "DBD_KASUS", "categoryOptionCombo": "HllvX50cXC0", "value": "1", "comment": "comment1"},
               {"dataElement": "DBD_MENINGGAL", "categoryOptionCombo": "default", "value": "0",
                "comment": "comment2"},
               {"dataElement": "JENTIK_RUMAH_DIPERIKSA", "value": "3", "comment": "comment3"}]}
    response = bidan.post("/api/dataValueSets", json.dumps(doc), content_type="application/json")
    body = response.json()
    # WebMessageUtils.importSummary: SUCCESS → ok("Import was successful.")
    assert response.status_code == 200
    assert {k: body[k] for k in ("httpStatus", "httpStatusCode", "status", "message")} == {
        "httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "message": "Import was successful."}
    summary = body["response"]
    assert summary["responseType"] == "ImportSummary" and summary["status"] == "SUCCESS"
    assert summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["conflicts"] == [] and summary["rejectedIndexes"] == []
    assert summary["dataSetComplete"] == "2023-02-05"  # DateUtils.getMediumDateString(completeDate)
    assert stored("DBD_KASUS", "2023-01") == 1 and stored("DBD_MENINGGAL", "2023-01") == 0
    completion = DataSetCompletion.objects.get(data_set__code="DBD_BULANAN", org_unit=DESA, period="2023-01")
    assert completion.completed_on == dt.date(2023, 2, 5) and completion.stored_by == "bidan"
    # The same set again: every value equal to what is stored is ignored (2.40 dataValueUpdateShouldBeIgnored).
    again = bidan.post("/api/dataValueSets", json.dumps(doc), content_type="application/json").json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}


def test_warning_is_409_with_error_codes_and_rejected_indexes(bidan):
    doc = {"dataValues": [
        {"dataElement": "DBD_KASUS", "period": "202302", "orgUnit": DESA, "value": "4"},
        {"dataElement": "NOPE", "period": "202302", "orgUnit": DESA, "value": "4"},
        {"dataElement": "DBD_KASUS", "period": "202302", "orgUnit": "19.03.01.2001", "value": "4"},  # not hers
        {"dataElement": "DBD_KASUS", "period": "202303", "orgUnit": DESA, "value": "-4"}]}
    response = bidan.post("/api/dataValueSets", json.dumps(doc), content_type="application/json")
    body = response.json()
    # WebMessageUtils.importSummary: WARNING → new WebMessage(Status.WARNING, HttpStatus.CONFLICT)
    assert response.status_code == 409
    assert (body["httpStatus"], body["httpStatusCode"], body["status"]) == ("Conflict", 409, "WARNING")
    summary = body["response"]
    assert summary["status"] == "WARNING" and summary["rejectedIndexes"] == [1, 2, 3]
    assert summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 3, "deleted": 0}
    assert [(c["errorCode"], c["property"], c["indexes"]) for c in summary["conflicts"]] == [
        ("E7610", "dataElement", [1]), ("E7612", "orgUnit", [2]), ("E7619", "value", [3])]
    assert summary["conflicts"][0]["objects"] == {"dataElement": "NOPE"}


def test_versioned_paths_and_json_without_suffix(bidan):
    body = json.dumps({"dataValues": [{"dataElement": "DBD_KASUS", "period": "202304", "orgUnit": DESA,
                                       "value": "6"}]})
    response = bidan.post("/api/40/dataValueSets", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["response"]["importCount"]["imported"] == 1
    for url in ("/api/dataValueSets?dataSet=DBD_BULANAN&period=202304",
                "/api/40/dataValueSets?dataSet=DBD_BULANAN&period=202304",
                "/api/40/dataValueSets.json?dataSet=DBD_BULANAN&period=202304"):
        response = bidan.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json"), url
        [row] = response.json()["dataValues"]
        assert row["value"] == "6" and row["categoryOptionCombo"] == row["attributeOptionCombo"] == "default"
        assert set(row) >= {"created", "lastUpdated", "deleted", "storedBy", "followup"}
    csv = bidan.get("/api/40/dataValueSets?dataSet=DBD_BULANAN&period=202304", HTTP_ACCEPT="application/csv")
    assert csv["Content-Type"].startswith("application/csv") and csv.content.decode().count("\n") == 2
    assert bidan.get("/api/99/dataValueSets").status_code == 404
    # no "dataSet": null when several (or no) data sets are asked
    assert "dataSet" not in bidan.get("/api/dataValueSets?period=202304").json()


def test_period_is_that_exact_period(bidan):
    """DHIS2 2.40: ``period=2025`` selects values of the period 2025 only, not its months."""
    assert bidan.get("/api/dataValueSets?dataSet=DBD_BULANAN&period=2025").json()["dataValues"] == []
    months = bidan.get("/api/dataValueSets?dataSet=DBD_BULANAN&startDate=2025-01-01&endDate=2025-12-31").json()
    assert {r["period"] for r in months["dataValues"]} == {f"2025{m:02d}" for m in range(1, 13)}


# --- CSV -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    # data.md, "Sending bulks of data values" as CSV: the older header names
    "dataelement,period,orgunit,catoptcombo,attroptcombo,value,strby,lstupd,cmt",
    # CsvDataValueSetWriter.HEADER_ROW (2.40): the newer names
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,"
    "followup,deleted",
])
def test_csv_is_read_by_position_whatever_the_header_says(bidan, header):
    text = f"{header}\nDBD_KASUS,202305,{DESA},,,7,bombali,2010-04-17,dari register\n"
    response = bidan.post("/api/dataValueSets", text, content_type="application/csv")
    assert response.status_code == 200, response.json()
    assert response.json()["response"]["importCount"]["imported"] == 1
    dv = DataValue.objects.get(element__code="DBD_KASUS", org_unit=DESA, period="2023-05")
    assert dv.value == 7 and dv.comment == "dari register"  # the comment is not lost under "cmt"
    assert dv.stored_by == "bombali"  # DHIS2 keeps the storedBy the row carries


def test_csv_without_header_loses_its_first_row_unless_told(bidan):
    """CsvDataValueSetReader.readHeader: the first row is skipped unless ``firstRowIsHeader=false``."""
    text = f"DBD_KASUS,202306,{DESA},,,1\nDBD_MENINGGAL,202306,{DESA},,,0\n"
    dry = bidan.post("/api/dataValueSets?dryRun=true", text, content_type="text/csv").json()["response"]
    assert dry["importCount"]["imported"] == 1
    real = bidan.post("/api/dataValueSets?firstRowIsHeader=false", text, content_type="text/csv").json()
    assert real["response"]["importCount"]["imported"] == 2


# --- formats not served ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/xml", "application/pdf",
                                          "application/x-www-form-urlencoded"])
def test_unsupported_content_types_are_415(bidan, content_type):
    response = bidan.post("/api/dataValueSets", "<dataValueSet/>", content_type=content_type)
    assert response.status_code == 415
    assert response.json()["httpStatusCode"] == 415 and "application/json" in response.json()["message"]
    assert not DataValue.objects.filter(org_unit=DESA, period="2023-07").exists()


def test_dxf2_xml_export_is_refused_clearly(bidan):
    response = bidan.get("/api/dataValueSets?dataSet=DBD_BULANAN", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406 and "XML" in response.json()["message"]


# --- ADX -------------------------------------------------------------------------------------------------------

#: Shaped like dhis2-core 2.40's ``dhis-test-integration/src/test/resources/adx/adx_data_sample1.xml`` (a group
#: with dataSet, orgUnit, an ISO 8601 period with duration and completeDate; a value with an ``annotation``; a
#: value with a disaggregation attribute), with Bina Sehat's codes.
ADX_SAMPLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2015-02-08T19:30:00Z">
    <group orgUnit="{DESA}" period="2023-08-01/P1M" dataSet="DBD_BULANAN" completeDate="2023-09-03">
        <dataValue dataElement="DBD_KASUS" value="32" />
        <dataValue dataElement="DBD_MENINGGAL" value="0" >
            <annotation>Some qualifying text here on the datavalue</annotation>
        </dataValue>
        <dataValue dataElement="JENTIK_RUMAH_DIPERIKSA" value="10" Sex_category="FFFFFFFFFFF"/>
    </group>
    <group orgUnit="{DESA}" period="2023-08-01/P1M" dataSet="TB_BULANAN">
        <dataValue dataElement="DBD_KASUS" value="1" />
    </group>
</adx>"""


def test_adx_import_and_export(bidan):
    response = bidan.post("/api/dataValueSets", ADX_SAMPLE, content_type="application/adx+xml")
    summary = response.json()["response"]
    assert response.status_code == 409 and summary["status"] == "WARNING"  # two refused values
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 2, "deleted": 0}
    assert [(c["errorCode"], c["indexes"]) for c in summary["conflicts"]] == [("E7613", [2]), ("E7633", [3])]
    assert summary["dataSetComplete"] == "2023-09-03"
    assert stored("DBD_KASUS", "2023-08") == 32
    dv = DataValue.objects.get(element__code="DBD_MENINGGAL", org_unit=DESA, period="2023-08")
    assert dv.value == 0 and dv.comment == "Some qualifying text here on the datavalue"
    assert DataSetCompletion.objects.get(data_set__code="DBD_BULANAN", org_unit=DESA, period="2023-08")
    # Export as ADX (Accept header, as DHIS2) and read it back: nothing changes.
    response = bidan.get("/api/dataValueSets?dataSet=DBD_BULANAN&period=202308",
                         HTTP_ACCEPT="application/adx+xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/adx+xml")
    text = response.content.decode()
    assert 'xmlns="urn:ihe:qrph:adx:2015"' in text and 'period="2023-08-01/P1M"' in text
    assert "<annotation>Some qualifying text here on the datavalue</annotation>" in text
    again = bidan.post("/api/dataValueSets", text, content_type="application/adx+xml").json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    bomb = '<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY a "aaaa">]><adx xmlns="urn:ihe:qrph:adx:2015"/>'
    refused = bidan.post("/api/dataValueSets", bomb, content_type="application/adx+xml")
    assert refused.status_code == 409 and refused.json()["response"]["status"] == "ERROR"


# --- incremental sync ------------------------------------------------------------------------------------------


def test_last_updated_and_deletions_travel(bidan):
    DataValue.all_objects.update(last_updated=timezone.now() - dt.timedelta(hours=3))  # the demo: long ago
    mark = timezone.now()
    assert bidan.get(f"/api/dataValueSets?lastUpdated={mark.isoformat()}").json()["dataValues"] == []
    assert bidan.get("/api/dataValueSets?lastUpdated=2099-01-01").json()["dataValues"] == []
    changes = {"dataValues": [
        {"dataElement": "DBD_KASUS", "period": "202501", "orgUnit": DESA, "value": "99"},
        {"dataElement": "DBD_MENINGGAL", "period": "202501", "orgUnit": DESA, "value": "", "comment": ""}]}
    bidan.post("/api/dataValueSets", json.dumps(changes), content_type="application/json")
    since = bidan.get("/api/dataValueSets", {"lastUpdated": mark.isoformat()}).json()["dataValues"]
    assert [(r["dataElement"], r["value"], r["deleted"]) for r in since] == [("DBD_KASUS", "99", False)]
    with_deleted = bidan.get("/api/dataValueSets", {"lastUpdated": mark.isoformat(),
                                                    "includeDeleted": "true"}).json()["dataValues"]
    assert sorted((r["dataElement"], r["deleted"]) for r in with_deleted) == [
        ("DBD_KASUS", False), ("DBD_MENINGGAL", True)]
    recent = bidan.get("/api/dataValueSets?lastUpdatedDuration=1h&includeDeleted=true").json()["dataValues"]
    assert len(recent) == 2
    assert len(bidan.get("/api/dataValueSets?limit=5").json()["dataValues"]) == 5
    groups = bidan.get("/api/dataValueSets?dataElementGroup=dbd&orgUnitGroup=desa&period=202501").json()
    assert {r["orgUnit"] for r in groups["dataValues"]} == {DESA}
    assert bidan.get("/api/dataValueSets?dataElementGroup=nope").status_code == 409
    assert bidan.get("/api/dataValueSets?attributeOptionCombo=Xyz").status_code == 409
    assert bidan.get("/api/dataValueSets?lastUpdatedDuration=soon").status_code == 409


# --- system/info, me, authentication ---------------------------------------------------------------------------


def test_system_info_and_me(demo, bearer):
    client = bearer("bidan")
    for url in ("/api/system/info", "/api/system/info.json", "/api/40/system/info.json"):
        info = client.get(url).json()
        assert info["version"] == "2.40" and info["systemName"] == "Bina Sehat", url
    me = client.get("/api/me.json").json()
    assert me["username"] == "bidan" and me["organisationUnits"] == [{"code": DESA}]
    assert Client().get("/api/system/info").status_code == 401


def test_api_token_and_basic_auth_act_as_the_user(demo, bearer):
    key = bearer("bidan").key
    assert key.startswith("d2pat_")
    token = Client(headers={"Authorization": f"ApiToken {key}"})
    assert token.get("/api/me").json()["username"] == "bidan"
    assert token.get("/api/dataValueSets?orgUnit=19.03.01&children=true").json()["dataValues"] == []  # scope
    user = User.objects.get(username="bidan")
    user.set_password("rahasia-123")
    user.save()
    basic = Client(headers={"Authorization": "Basic " + base64.b64encode(b"bidan:rahasia-123").decode()})
    assert basic.get("/api/me").json()["username"] == "bidan"
    wrong = Client(headers={"Authorization": "Basic " + base64.b64encode(b"bidan:salah").decode()})
    assert wrong.get("/api/me").status_code == 401
    assert Client(headers={"Authorization": "ApiToken d2pat_salah"}).get("/api/me").status_code == 401


@override_settings(AXES_FAILURE_LIMIT=3)
def test_basic_auth_failures_lock_like_the_login_page(demo):
    user = User.objects.get(username="dinkes")
    user.set_password("rahasia-123")
    user.save()

    def basic(password):
        header = "Basic " + base64.b64encode(f"dinkes:{password}".encode()).decode()
        return Client(headers={"Authorization": header}, REMOTE_ADDR="10.1.2.3").get("/api/me")

    assert basic("rahasia-123").status_code == 200
    for _ in range(3):
        assert basic("salah").status_code in (401, 403, 429)
    locked = basic("rahasia-123")
    assert locked.status_code in (401, 403, 429) and b"dinkes" not in locked.content
