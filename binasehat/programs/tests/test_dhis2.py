"""DHIS2 dataValueSets: export (JSON, CSV) scoped to the user, import with DHIS2's summary, round trips."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.utils import timezone

from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.demo.build import demo_months
from binasehat.facilities.models import Puskesmas
from binasehat.indicators.engine import evaluate
from binasehat.indicators.models import Indicator
from binasehat.programs import dhis2
from binasehat.programs.models import DataValue
from binasehat.regions.models import Population, Region

#: DHIS2 2.40 JSON export fields (``comment`` only when there is one: DHIS2 leaves nulls out).
DV_KEYS = {"dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy",
           "created", "lastUpdated", "followup", "deleted"}
YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def district_user(demo, make_user):
    return make_user("dinkes_dhis2", "dinkes", areas=[Region.objects.get(code="19.03")])


@pytest.fixture
def desa():
    return Region.objects.filter(code__startswith="19.03.01.", level=4).order_by("code").first().code


def snapshot():
    return set(DataValue.objects.values_list("element__code", "org_unit", "period", "value", "comment",
                                             "region_id", "puskesmas_id"))


def payload(*values, **header):
    return json.dumps({**header, "dataValues": [
        dict(zip(("dataElement", "period", "orgUnit", "value"), v)) if isinstance(v, tuple) else v for v in values]})


def next_month() -> str:
    today = timezone.localdate()
    return f"{today.year + today.month // 12}{today.month % 12 + 1:02d}"


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("dhis2_datavalues", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


# --- export ----------------------------------------------------------------------------------------------------


def test_export_dbd_of_a_kecamatan_for_a_year_as_json(district_user):
    rows = dhis2.export_values(district_user, data_sets=["DBD_BULANAN"], **YEAR_2025, org_unit="19.03.01")
    desa_count = Region.objects.filter(code__startswith="19.03.01.", level=4).count()
    # the demo fills all 6 DBD elements of every desa in every month (zeros included)
    assert len(rows) == desa_count * 12 * 6
    doc = json.loads(json.dumps(dhis2.as_json(rows, data_set="DBD_BULANAN")))
    assert doc["dataSet"] == "DBD_BULANAN" and len(doc["dataValues"]) == len(rows)
    assert all(set(r) - {"comment"} == DV_KEYS for r in rows) and "dataSet" in doc
    assert {r["period"] for r in rows} == {f"2025{m:02d}" for m in range(1, 13)}
    assert all(r["orgUnit"].startswith("19.03.01.") and r["orgUnit"].count(".") == 3 for r in rows)
    assert all(re.fullmatch(r"\d+", r["value"]) for r in rows), "counts are written without .0"
    assert all(r["storedBy"] == "demo" for r in rows), "the demo is written by the system"
    assert all(r["categoryOptionCombo"] == r["attributeOptionCombo"] == "default" and r["deleted"] is False
               for r in rows)
    by_key = {(r["dataElement"], r["orgUnit"], r["period"]): r for r in rows}
    for dv in DataValue.objects.filter(element__code="DBD_KASUS", org_unit__startswith="19.03.01.",
                                       period__in=["2025-01", "2025-07"], value__gt=0).order_by("org_unit")[:3]:
        r = by_key[("DBD_KASUS", dv.org_unit, dv.period.replace("-", ""))]
        assert r["value"] == str(int(dv.value))
        assert abs(dt.datetime.fromisoformat(r["lastUpdated"]) - dv.last_updated) < dt.timedelta(milliseconds=1)


def test_export_shows_who_stored_a_value_and_its_comment(district_user, desa):
    summary = dhis2.import_values(district_user, payload(
        {"dataElement": "DBD_KASUS", "period": "202503", "orgUnit": desa, "value": 417, "comment": "KLB"}))
    assert summary["status"] == "SUCCESS"
    [row] = dhis2.export_values(district_user, elements=["DBD_KASUS"], periods=["2025-03"], org_unit=desa)
    assert row["value"] == "417" and row["storedBy"] == "dinkes_dhis2" and row["comment"] == "KLB"
    assert row["period"] == "202503" and row["orgUnit"] == desa


def test_export_as_csv(district_user, desa):
    rows = dhis2.export_values(district_user, data_sets=["DBD_BULANAN"], **YEAR_2025, org_unit="19.03.01")
    text = dhis2.as_csv(rows)
    assert text.splitlines()[0] == ("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
                                    "storedby,lastupdated,comment,followup,deleted")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(rows)
    dv = DataValue.objects.get(element__code="JENTIK_RUMAH_DIPERIKSA", org_unit=desa, period="2025-06")
    [line] = [t for t in table if (t["dataelement"], t["orgunit"], t["period"]) == ("JENTIK_RUMAH_DIPERIKSA", desa,
                                                                                   "202506")]
    assert line["value"] == str(int(dv.value)) and int(dv.value) >= 15  # houses inspected: never a handful
    assert line["categoryoptioncombo"] == line["attributeoptioncombo"] == "default"
    assert line["followup"] == line["deleted"] == "false"


def test_export_periods_dates_and_units(district_user, desa):
    pk = Puskesmas.objects.get(code="P19030101")
    yearly = dhis2.export_values(district_user, data_sets=["TB_TAHUNAN"], periods=["2025"], org_unit=pk.code)
    assert sorted((r["dataElement"], r["period"]) for r in yearly) == [("TB_ESTIMASI_INSIDEN", "2025"),
                                                                     ("TB_TERDUGA_SASARAN", "2025")]
    # DHIS2 2.40: ``period`` is that exact period (no monthly values stored under a quarter); dates give the months
    assert dhis2.export_values(district_user, elements=["TB_NOTIFIKASI"], periods=["2025Q2"], org_unit=pk.code) == []
    quarter = dhis2.export_values(district_user, elements=["TB_NOTIFIKASI"], start="2025-04-01", end="2025-06-30",
                                  org_unit=pk.code)
    assert [r["period"] for r in quarter] == ["202504", "202505", "202506"]
    # start/end: the whole period must lie between the dates, as DHIS2's startDate/endDate
    dated = dhis2.export_values(district_user, data_sets=["TB_TAHUNAN", "TB_BULANAN"], elements=["TB_NOTIFIKASI",
                                "TB_ESTIMASI_INSIDEN"], start="2025-01-01", end="2025-02-27", org_unit=pk.code)
    assert [(r["dataElement"], r["period"]) for r in dated] == [("TB_NOTIFIKASI", "202501")]
    own = dhis2.export_values(district_user, data_sets=["DBD_BULANAN"], periods=["202501"], org_unit=desa,
                              children=False)
    assert len(own) == 6
    # puskesmas of a kecamatan are below it
    kec = dhis2.export_values(district_user, elements=["TB_NOTIFIKASI"], periods=["202501"], org_unit="19.03.01")
    assert {r["orgUnit"] for r in kec} == set(Puskesmas.objects.filter(kecamatan_id="19.03.01")
                                              .values_list("code", flat=True))
    for bad in ({"data_sets": ["NOPE"]}, {"elements": ["NOPE"]}, {"periods": ["2025-13"]}, {"org_unit": "99.99"},
                {"start": "kemarin"}):
        with pytest.raises(dhis2.ParameterError):
            dhis2.export_values(district_user, **bad)


def test_dhis2_query_parameters(district_user, desa):
    query = QueryDict(mutable=True)
    query.setlist("dataSet", ["DBD_BULANAN"])
    query.setlist("period", ["202501", "202502"])
    query.setlist("orgUnit", [desa, "P19030101"])
    options = dhis2.export_options(query)
    assert options["children"] is False  # DHIS2's default
    rows = dhis2.export_values(district_user, **options)
    assert {(r["orgUnit"], r["period"]) for r in rows} == {(desa, "202501"), (desa, "202502")}
    query["children"] = "true"
    query.setlist("orgUnit", ["19.03.01"])
    assert len(dhis2.export_values(district_user, **dhis2.export_options(query))) == 12 * Region.objects.filter(
        code__startswith="19.03.01.", level=4).count()
    assert dhis2.export_options({"startDate": "2025-01-01", "endDate": "2025-03-31"})["end"] == "2025-03-31"
    with pytest.raises(dhis2.ParameterError, match="UID"):
        dhis2.export_options({"idScheme": "UID"})
    assert dhis2.import_options(QueryDict("dryRun=true&importStrategy=DELETE"), "application/csv") == {
        "fmt": "csv", "dry_run": True, "strategy": "DELETE", "first_row_is_header": True}
    assert dhis2.import_options(QueryDict("firstRowIsHeader=false"), "application/json; charset=utf-8") == {
        "fmt": "json", "dry_run": False, "strategy": "CREATE_AND_UPDATE", "first_row_is_header": False}
    with pytest.raises(dhis2.UnsupportedFormat):
        dhis2.import_options(QueryDict(""), "application/xml")
    with pytest.raises(dhis2.ParameterError):
        dhis2.import_options({"orgUnitIdScheme": "uid"})


# --- scoping ---------------------------------------------------------------------------------------------------


def test_a_bidan_desa_exports_only_its_desa_and_cannot_import_elsewhere(demo, make_user, desa):
    bidan = make_user("bidan_dhis2", "bidan_desa", areas=[Region.objects.get(code=desa)])
    rows = dhis2.export_values(bidan)
    assert {r["orgUnit"] for r in rows} == {desa}
    months = 12 + len(demo_months())  # January 2024 to the last complete month
    assert len(rows) == DataValue.objects.filter(org_unit=desa).count() == 6 * months
    assert dhis2.export_values(bidan, org_unit="19.03.02") == []
    other = Region.objects.filter(code__startswith="19.03.02.", level=4).order_by("code").first().code
    before = DataValue.objects.get(element__code="DBD_KASUS", org_unit=other, period="2025-02").value
    summary = dhis2.import_values(bidan, payload(("DBD_KASUS", "202502", other, "99"),
                                                 ("DBD_KASUS", "202502", desa, "99")))
    assert summary["status"] == "WARNING"
    assert summary["importCount"]["ignored"] == 1 and summary["importCount"]["updated"] == 1
    [conflict] = summary["conflicts"]
    assert conflict["object"] == other and conflict["indexes"] == [0] and "di luar wilayah Anda" in conflict["value"]
    assert DataValue.objects.get(element__code="DBD_KASUS", org_unit=other, period="2025-02").value == before
    assert DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa, period="2025-02").value == 99


def test_a_puskesmas_user_exports_its_puskesmas_and_its_wilayah_kerja(demo, make_user):
    pk = Puskesmas.objects.get(code="P19030101")
    user = make_user("pkm_dhis2", "puskesmas", puskesmas=[pk])
    rows = dhis2.export_values(user, periods=["202501"])
    wilayah = set(pk.wilayah_kerja.values_list("code", flat=True))
    assert {r["orgUnit"] for r in rows} == wilayah | {pk.code}


def test_a_read_only_role_cannot_import(demo, make_user, desa):
    provinsi = make_user("prov_dhis2", "provinsi", areas=[Region.objects.get(code="19")])
    summary = dhis2.import_values(provinsi, payload(("DBD_KASUS", "202502", desa, "3")))
    assert summary["status"] == "WARNING" and summary["importCount"]["ignored"] == 1
    assert summary["rejectedIndexes"] == [0]


# --- round trips -----------------------------------------------------------------------------------------------


def test_json_round_trip_into_an_empty_database(district_user):
    before = snapshot()
    rows = dhis2.export_values(district_user)
    n = len(rows)
    assert n == len(before) > 10_000
    document = json.dumps(dhis2.as_json(rows))
    DataValue.objects.all().delete()
    summary = dhis2.import_values(district_user, document.encode())
    assert summary["status"] == "SUCCESS" and summary["conflicts"] == []
    assert summary["importCount"] == {"imported": n, "updated": 0, "ignored": 0, "deleted": 0}
    assert snapshot() == before
    again = dhis2.import_values(district_user, document)
    assert again["status"] == "SUCCESS"
    # DHIS2 2.40 dataValueUpdateShouldBeIgnored: equal values are ignored, and rejected nothing
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": n, "deleted": 0}
    assert again["rejectedIndexes"] == []
    assert snapshot() == before


def test_csv_round_trip_through_the_command(demo, tmp_path):
    before = snapshot()
    n = len(before)
    path = tmp_path / "semua.csv"
    code, out, err = run_command("export", "--format", "csv", "--output", str(path))
    assert code == 0 and f"{n} nilai" in err
    assert len(path.read_text().splitlines()) == n + 1
    DataValue.objects.all().delete()
    code, out, err = run_command("import", str(path))
    assert code == 0, out + err
    assert out.splitlines()[-1] == f"imported={n} updated=0 ignored=0 deleted=0"
    assert snapshot() == before
    code, out, err = run_command("import", str(path), "--format", "csv")
    assert code == 0 and out.splitlines()[-1] == f"imported=0 updated=0 ignored={n} deleted=0"


def test_command_export_filters_and_json_import(demo, tmp_path, desa):
    code, out, err = run_command("export", "--data-set", "DBD_BULANAN", "--period", "202501", "202502",
                                 "--org-unit", desa)
    doc = json.loads(out)
    assert doc["dataSet"] == "DBD_BULANAN" and len(doc["dataValues"]) == 12
    doc["dataValues"][0]["value"] = str(int(doc["dataValues"][0]["value"]) + 5)
    path = tmp_path / "dbd.txt"
    path.write_text(json.dumps(doc))
    code, out, err = run_command("import", str(path), "--dry-run")
    assert code == 0 and out.splitlines()[-1] == "imported=0 updated=1 ignored=11 deleted=0"
    assert "Uji coba" in err
    with pytest.raises(CommandError, match="NOPE"):
        run_command("export", "--data-set", "NOPE")


# --- dry run, bad rows, strategies ----------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_the_same_counts(district_user, desa):
    rows = dhis2.export_values(district_user, data_sets=["DBD_BULANAN"], **YEAR_2025, org_unit=desa)
    assert len(rows) == 72
    DataValue.objects.filter(org_unit=desa, period__in=["2025-01", "2025-02"]).delete()  # 12 values gone
    rows[20]["value"] = str(int(rows[20]["value"]) + 1)  # a value of April: changed
    rows[-1]["value"] = ""  # December's last value: deleted
    before, audits = snapshot(), AuditEntry.objects.count()
    dry = dhis2.import_values(district_user, json.dumps(dhis2.as_json(rows)), dry_run=True)
    expected = {"imported": 12, "updated": 1, "ignored": 58, "deleted": 1}
    assert dry["importCount"] == expected and dry["importOptions"]["dryRun"] is True
    assert snapshot() == before and AuditEntry.objects.count() == audits
    real = dhis2.import_values(district_user, json.dumps(dhis2.as_json(rows)))
    assert real["importCount"] == expected
    assert snapshot() != before
    assert AuditEntry.objects.filter(source="dhis2").count() == 14


def test_bad_rows_each_become_a_conflict_with_a_reason(district_user, desa):
    stored = DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa, period="2025-03").value
    bad = [
        (("NOPE_KASUS", "202503", desa, "1"), "dataElement", "tidak dikenal"),
        (("DBD_KASUS", "202503", "19.03.01.9999", "1"), "orgUnit", "tidak dikenal"),
        (("DBD_KASUS", "202503", "P19030101", "1"), "orgUnit", "tidak dikenal"),  # a puskesmas for a desa set
        (("DBD_KASUS", "2025", desa, "1"), "period", "per bulan"),
        (("DBD_KASUS", "2025Q1", desa, "1"), "period", "per bulan"),
        (("TB_ESTIMASI_INSIDEN", "202503", "P19030101", "1"), "period", "per tahun"),
        (("DBD_KASUS", next_month(), desa, "1"), "period", "masa depan"),
        (("DBD_KASUS", "2025-14", desa, "1"), "period", "tidak dikenal"),
        (("DBD_KASUS", "202504", desa, "-1"), "value", "negatif"),
        (("DBD_KASUS", "202505", desa, "abc"), "value", "bukan angka"),
        (("DBD_KASUS", "202506", desa, "2.5"), "value", "bilangan bulat"),
        ({"dataElement": "DBD_KASUS", "period": "202507", "orgUnit": desa, "value": "1",
          "categoryOptionCombo": "Prlt0C1RF0s"}, "categoryOptionCombo", "disagregasi"),
        (("DBD_KASUS", "202503", desa, "8"), "dataValue", "ganda"),  # the same key as the good row below
    ]
    good = ({"dataElement": "DBD_KASUS", "period": "202503", "orgUnit": desa, "value": str(int(stored) + 3),
             "categoryOptionCombo": "HllvX50cXC0", "attributeOptionCombo": "default"})
    summary = dhis2.import_values(district_user, payload(good, *[b[0] for b in bad]))
    assert summary["status"] == "WARNING"
    assert summary["importCount"] == {"imported": 0, "updated": 1, "ignored": len(bad), "deleted": 0}
    assert summary["rejectedIndexes"] == list(range(1, len(bad) + 1))
    codes = [c["errorCode"] for c in summary["conflicts"]]
    # DHIS2 2.40 ErrorCode: E7610 element, E7612 org unit, E7632 period type, E7641 future, E7611 period,
    # E7619 value, E7613 category option combo; a duplicate row has no DHIS2 counterpart (DHIS2: last one wins)
    assert codes == ["E7610", "E7612", "E7612", "E7632", "E7632", "E7632", "E7641", "E7611", "E7619", "E7619",
                     "E7619", "E7613", None]
    assert len(summary["conflicts"]) == len(bad)
    for i, (conflict, (_row, prop, phrase)) in enumerate(zip(summary["conflicts"], bad), start=1):
        assert conflict["indexes"] == [i]
        assert conflict["property"] == prop, conflict
        assert phrase in conflict["value"], conflict
    assert DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa, period="2025-03").value == stored + 3
    assert not DataValue.objects.filter(element__code="DBD_KASUS", org_unit=desa, period="2025-04",
                                        value__lt=0).exists()
    nothing = dhis2.import_values(district_user, payload(*[b[0] for b in bad[:3]]))
    # DHIS2 2.40: conflicts make a WARNING even when no row was written (answered 409 like an ERROR)
    assert nothing["status"] == "WARNING" and nothing["importCount"]["ignored"] == 3


def test_unreadable_payloads_are_one_error(district_user):
    for text, fmt, phrase in (("{not json", "json", "JSON"), (b"\xff\xfe\x00", "csv", "UTF-8"),
                              ('{"dataSet": "NOPE", "dataValues": []}', "json", "NOPE"),
                              ("a,b\n1,2\n", "xml", "xml")):
        summary = dhis2.import_values(district_user, text, fmt=fmt)
        assert summary["status"] == "ERROR" and phrase in summary["description"], (text, summary)
    summary = dhis2.import_values(district_user, "[]", strategy="MERGE")
    assert summary["status"] == "ERROR" and "MERGE" in summary["description"]


def test_csv_without_header_and_with_deleted_column(district_user, desa):
    text = (f"DBD_KASUS,202501,{desa},,,7,,,,false,false\n"
            f"DBD_MENINGGAL,202501,{desa},HllvX50cXC0,HllvX50cXC0,,,,,,\n"  # empty value: delete
            f"JENTIK_RUMAH_POSITIF,202501,{desa},,,3,,,,false,true\n")  # deleted=true
    # DHIS2 2.40 CsvDataValueSetReader skips the first row unless firstRowIsHeader=false: by default the 7 is lost
    summary = dhis2.import_values(district_user, text, fmt="auto", dry_run=True)
    assert summary["importCount"]["deleted"] == 2 and summary["importCount"]["updated"] == 0
    summary = dhis2.import_values(district_user, text, fmt="auto", first_row_is_header=False)
    assert summary["importCount"]["deleted"] == 2 and summary["conflicts"] == []
    left = dict(DataValue.objects.filter(org_unit=desa, period="2025-01").values_list("element__code", "value"))
    assert left["DBD_KASUS"] == 7 and "DBD_MENINGGAL" not in left and "JENTIK_RUMAH_POSITIF" not in left


def test_delete_strategy_deletes(district_user, desa):
    rows = dhis2.export_values(district_user, data_sets=["DBD_BULANAN"], periods=["202508"], org_unit=desa)
    assert len(rows) == 6
    text = dhis2.as_csv(rows)
    summary = dhis2.import_values(district_user, text, fmt="csv", strategy="DELETE")
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 0, "deleted": 6}
    assert not DataValue.objects.filter(org_unit=desa, period="2025-08").exists()
    assert DataValue.all_objects.filter(org_unit=desa, period="2025-08", deleted=True).count() == 6
    assert DataValue.objects.filter(org_unit=desa, period="2025-09").count() == 6
    again = dhis2.import_values(district_user, text, fmt="csv", strategy="delete")
    assert again["importCount"]["deleted"] == 0 and again["importCount"]["ignored"] == 6


def test_create_and_update_strategies(district_user, desa):
    stored = DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa, period="2025-09").value
    DataValue.objects.filter(element__code="DBD_KASUS", org_unit=desa, period="2025-10").delete()
    rows = payload(("DBD_KASUS", "202509", desa, str(int(stored) + 1)), ("DBD_KASUS", "202510", desa, "4"))
    create = dhis2.import_values(district_user, rows, strategy="CREATE", dry_run=True)
    assert create["importCount"]["imported"] == 1 and create["importCount"]["ignored"] == 1
    assert create["conflicts"][0]["indexes"] == [0] and "CREATE" in create["conflicts"][0]["value"]
    update = dhis2.import_values(district_user, rows, strategy="UPDATE")
    assert update["importCount"]["updated"] == 1 and update["importCount"]["ignored"] == 1
    assert update["conflicts"][0]["indexes"] == [1] and "UPDATE" in update["conflicts"][0]["value"]
    assert DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa, period="2025-09").value == stored + 1
    assert not DataValue.objects.filter(element__code="DBD_KASUS", org_unit=desa, period="2025-10").exists()


# --- indicators ------------------------------------------------------------------------------------------------


def test_imported_cases_reach_the_dengue_incidence_rate(district_user, desa):
    ir = Indicator.objects.get(code="DBD_IR")
    kecamatan = desa.rsplit(".", 1)[0]
    old = sum(DataValue.objects.filter(element__code="DBD_KASUS", org_unit=desa, period__startswith="2025-")
              .values_list("value", flat=True))
    kec_before = {v.area: v for v in evaluate([ir], [desa, kecamatan], [Period(2025)])}
    assert kec_before[desa].numerator == old
    cases = [("DBD_KASUS", f"2025{m:02d}", desa, str(m)) for m in range(1, 13)]  # 1 + 2 + … + 12 = 78
    assert dhis2.import_values(district_user, payload(*cases))["conflicts"] == []
    after = {v.area: v for v in evaluate([ir], [desa, kecamatan], [Period(2025)])}
    people = Population.objects.get(region_id=desa, year=2025).total
    assert after[desa].numerator == 78 and after[desa].denominator == people
    assert after[desa].value == pytest.approx(78 / people * 100_000)
    assert after[kecamatan].numerator == kec_before[kecamatan].numerator - old + 78


# --- a comment without a value is not a deletion ----------------------------------------------------------------


def test_comment_only_row_keeps_the_stored_value_and_sets_the_comment(district_user):
    """DHIS2 ``DataValue.isNullValue()`` (dhis2-core 2.40, dhis-api ``datavalue/DataValue.java``): a value is null
    only when ``value`` and ``comment`` are both blank. The row from the report that deleted a stored value:
    ``{"dataElement":"DBD_KASUS","period":"202611","orgUnit":"19.03.01.1001","comment":"hanya komentar"}``;
    here with a period that has begun (2025-01) and the desa's stored count."""
    stored = DataValue.objects.get(element__code="DBD_KASUS", org_unit="19.03.01.1001", period="2025-01")
    row = {"dataElement": "DBD_KASUS", "period": "202501", "orgUnit": "19.03.01.1001", "comment": "hanya komentar"}
    summary = dhis2.import_values(district_user, json.dumps({"dataValues": [row]}))
    assert summary["status"] == "SUCCESS", summary
    assert summary["importCount"]["deleted"] == 0 and summary["importCount"]["updated"] == 1
    after = DataValue.objects.get(pk=stored.pk)
    assert after.value == stored.value and after.comment == "hanya komentar"
    # The same in CSV (value column empty, comment column set) and through the spreadsheet path's checker.
    text = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment\n" \
           "DBD_KASUS,202501,19.03.01.1001,,,,,,catatan kedua\n"
    summary = dhis2.import_values(district_user, text, fmt="csv")
    after = DataValue.objects.get(pk=stored.pk)
    assert summary["importCount"]["deleted"] == 0 and after.value == stored.value and after.comment == "catatan kedua"
    # Value and comment both empty still deletes (isNullValue() is true).
    row = {"dataElement": "DBD_KASUS", "period": "202501", "orgUnit": "19.03.01.1001"}
    summary = dhis2.import_values(district_user, json.dumps({"dataValues": [row]}))
    assert summary["importCount"]["deleted"] == 1
    assert not DataValue.objects.filter(element__code="DBD_KASUS", org_unit="19.03.01.1001", period="2025-01").exists()
    # A comment with nothing stored to attach it to is a conflict, not a new value.
    row = {"dataElement": "DBD_KASUS", "period": "202501", "orgUnit": "19.03.01.1001", "comment": "x"}
    summary = dhis2.import_values(district_user, json.dumps({"dataValues": [row]}))
    assert summary["conflicts"] and summary["conflicts"][0]["property"] == "value"
    assert not DataValue.objects.filter(element__code="DBD_KASUS", org_unit="19.03.01.1001", period="2025-01").exists()
