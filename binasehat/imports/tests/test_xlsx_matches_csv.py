"""The same measurements imported from an XLSX and from a CSV store the same records, z-scores and audit items.

The XLSX is written as Excel users write it: a visit date as a date cell, one as a bare serial number (a date cell
that lost its format), one as text; weights and lengths as number cells; empty cells where the CSV has nothing. A
bad cell is refused in both files with the same message, naming the row and the column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Q

from binasehat.core.importing import get_importer, run_import
from binasehat.core.models import AuditEntry, AuditItem
from binasehat.core.tabular import Table
from binasehat.growth.models import Measurement

CHILDREN = ("nik,name,sex,birth_date,mother_name,desa_code,posyandu_code\n"
            "1903015505230001,Aisyah Putri,P,2023-05-15,Siti Aminah,19.03.01.1001,190301100101\n"
            ",Rafa Pratama,L,2024-01-20,Dewi Lestari,19.03.01.1001,190301100101\n")
HEADER = ["child_nik", "name", "birth_date", "mother_name", "visit_date", "weight_kg", "lenhei_cm", "measure",
          "oedema", "headc_cm", "muac_cm"]
# Excel's serial 45789: 45658 is 2025-01-01 (Excel's own DATE(2025,1,1)), and 131 days later is 12 May 2025
# (31 + 28 + 31 + 30 = 120 days to 1 May, then 11 more).
SERIAL_12_MAY_2025 = 45789
CSV_ROWS = [
    ["1903015505230001", "", "", "", "2025-03-10", "10.4", "82.5", "h", "tidak", "46.0", "14.5"],
    ["1903015505230001", "", "", "", "10/04/2025", "10.6", "83", "h", "", "", ""],
    ["1903015505230001", "", "", "", "2025-05-12", "10.75", "83.4", "h", "ya", "", "14.1"],
    ["", "Rafa Pratama", "2024-01-20", "Dewi Lestari", "2025-05-12", "9.2", "76.0", "l", "", "45.5", ""],
]
XLSX_ROWS = [
    [1903015505230001, None, None, None, dt.datetime(2025, 3, 10), 10.4, 82.5, "h", "tidak", 46, 14.5],
    ["1903015505230001", None, None, None, "10/04/2025", 10.6, 83, "h", None, None, None],
    ["1903015505230001", None, None, None, SERIAL_12_MAY_2025, 10.75, 83.4, "h", "ya", None, 14.1],
    [None, "Rafa Pratama", dt.datetime(2024, 1, 20), "Dewi Lestari", " 2025-05-12 ", 9.2, 76, "l", None, 45.5, ""],
]

#: The measurements of the two children imported here.
OURS = Q(child__nik="1903015505230001") | Q(child__name="Rafa Pratama", child__mother_name="Dewi Lestari")


def write_csv(path, rows):
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sheet.cell(row=2, column=5).number_format = "dd/mm/yyyy"  # the date cell as an Indonesian Excel shows it
    book.save(path)
    return path


@pytest.fixture
def children(demo, tmp_path, import_data):
    path = tmp_path / "anak.csv"
    path.write_text(CHILDREN, encoding="utf-8")
    code, out, err = import_data("children", str(path), "--user", "dinkes")
    assert code == 0, out + err


def run(path):
    return run_import(get_importer("measurements")(source="command"), [Table(path)])


def stored():
    """What the import stored, without ids: every field of each measurement, and the audit items' values."""
    fields = [f.attname for f in Measurement._meta.concrete_fields if f.attname not in {"id"}]
    rows = list(Measurement.objects.filter(OURS).order_by("child__name", "measured_on").values(*fields))
    for row in rows:
        for name in ("created_at", "updated_at"):
            row.pop(name, None)
    entry = AuditEntry.objects.filter(action="import", model="growth.measurement", source="command").latest("pk")
    items = [(i.action, i.changes) for i in AuditItem.objects.filter(entry=entry).order_by("object_pk")]
    return rows, items, entry.after["fields"], entry.after["created"]


def forget():
    Measurement.objects.filter(OURS).delete()
    AuditEntry.objects.filter(action="import", model="growth.measurement", source="command").delete()


def test_xlsx_and_csv_of_the_same_rows_store_the_same(children, tmp_path):
    from_csv = run(write_csv(tmp_path / "timbang.csv", CSV_ROWS))
    assert from_csv.summary_line() == "created=4 updated=0 unchanged=0 rejected=0", from_csv.rejections
    csv_stored = stored()
    forget()
    from_xlsx = run(write_xlsx(tmp_path / "timbang.xlsx", XLSX_ROWS))
    assert from_xlsx.summary_line() == "created=4 updated=0 unchanged=0 rejected=0", from_xlsx.rejections
    xlsx_stored = stored()
    assert xlsx_stored == csv_stored
    rows, items, fields, created = xlsx_stored
    assert created == 4 and len(items) == 4 and {a for a, _c in items} == {"create"}
    # The values as the file states them, each date read the same from a date cell, a serial number and text.
    assert [(r["measured_on"], r["weight_kg"], r["lenhei_cm"], r["measure"], r["oedema"], r["headc_cm"],
             r["muac_cm"]) for r in rows] == [
        (dt.date(2025, 3, 10), Decimal("10.40"), Decimal("82.5"), "h", False, Decimal("46.0"), Decimal("14.5")),
        (dt.date(2025, 4, 10), Decimal("10.60"), Decimal("83.0"), "h", False, None, None),
        (dt.date(2025, 5, 12), Decimal("10.75"), Decimal("83.4"), "h", True, None, Decimal("14.1")),
        (dt.date(2025, 5, 12), Decimal("9.20"), Decimal("76.0"), "l", False, Decimal("45.5"), None),
    ]
    # Age in days: 15 May 2023 → 10 March 2025 = 665 days (2 × 365 − 66 + 1 for 29 Feb 2024); 20 Jan 2024 →
    # 12 May 2025 = 478 days (366 − 19 + 131).
    assert [r["age_days"] for r in rows] == [665, 696, 728, 478]
    # z-scores computed for every row (oedema: no weight-based z), the same from both files (compared above).
    assert all(r["zlen"] is not None for r in rows)
    assert [r["zwei"] is None for r in rows] == [False, False, True, False]


def test_a_bad_cell_is_refused_the_same_way_naming_row_and_column(children, tmp_path):
    bad_csv = [*CSV_ROWS[:2], ["1903015505230001", "", "", "", "2025-05-12", "sepuluh", "83.4", "h", "", "", ""]]
    bad_xlsx = [*XLSX_ROWS[:2], ["1903015505230001", None, None, None, SERIAL_12_MAY_2025, "sepuluh", 83.4, "h"]]
    from_csv = run(write_csv(tmp_path / "timbang.csv", bad_csv))
    from_xlsx = run(write_xlsx(tmp_path / "timbang.xlsx", bad_xlsx))
    # The key of a refused row is its first required cell as the file shows it: the date's text, or the serial.
    for result, name, key in ((from_csv, "timbang.csv", "2025-05-12"), (from_xlsx, "timbang.xlsx", "45789")):
        assert not result.committed
        assert result.rejections == [{"row": f"{name}:4", "key": key,
                                      "reason": "Kolom weight_kg harus berupa angka, bukan \"sepuluh\"."}]
    assert from_xlsx.planned == from_csv.planned == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert not Measurement.objects.filter(OURS).exists()


def test_number_and_date_cells_read_as_typed_each_value_kept_once(tmp_path):
    """A column mixing 1.0, TRUE and dates: each cell's own text (1.0 and TRUE are equal in Python, not here)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["a", "b"], [1.0, dt.datetime(2025, 3, 10)], [True, dt.datetime(2025, 3, 10, 8, 30)],
                [1.0, dt.datetime(2025, 3, 10)], [12.5, " teks "], [None, None], [False, 45789]):
        sheet.append(row)
    path = tmp_path / "campur.xlsx"
    book.save(path)
    rows = [(r.number, r.values) for r in Table(path).rows()]
    assert rows == [(2, {"a": "1", "b": "2025-03-10"}), (3, {"a": "ya", "b": "2025-03-10 08:30:00"}),
                    (4, {"a": "1", "b": "2025-03-10"}), (5, {"a": "12.5", "b": "teks"}),
                    (7, {"a": "tidak", "b": "45789"})]


def test_cells_are_counted_only_when_the_sheet_could_hold_more_than_the_cap(tmp_path):
    from binasehat.core.tabular import _cells_bounded

    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    path = tmp_path / "kecil.xlsx"
    book.save(path)
    import zipfile

    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    # At least 4 bytes per cell (``<c/>``): a sheet of ``size`` bytes holds at most size // 4 cells.
    assert _cells_bounded(path, size // 4)
    assert not _cells_bounded(path, size // 4 - 1)
    csv = tmp_path / "bukan.xlsx"
    csv.write_text("a,b\n", encoding="utf-8")
    assert not _cells_bounded(csv, 10**9)
