"""A file that cannot be read as a whole gets one clear Indonesian message, never a 500, and writes nothing:
wrong columns, wrong types, broken XLSX, wrong encoding, empty file. Real files, written as users make them."""

import zipfile

import openpyxl
import pytest

from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu




def xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def snapshot_counts(demo):
    def counts():
        return Posyandu.objects.count(), AuditEntry.objects.count()

    return counts


CASES = {
    "empty.csv": (b"", "kosong"),
    "header-only.csv": (b"code,name,desa_code\n", "tidak berisi baris data"),
    "wrong-columns.csv": ("kode,nama\nX1,Posyandu Baru\n".encode(), "Kolom wajib tidak ada"),
    # neither UTF-8 nor Windows-1252 (0x81 and 0x8D are unassigned there); a Windows-1252 file is read (test_csv_reading)
    "not-text.csv": (b"code,name,desa_code\nX1,Posyandu \x81\x8d\x90,19.03.01.2008\n", "UTF-8"),
    "utf16.csv": ("code,name,desa_code\nX1,Posyandu,19.03.01.2008\n".encode("utf-16"), "UTF-16"),
    "broken.xlsx": (b"PK\x03\x04 this is not really a zip archive", "rusak"),
    "picture.png": (b"\x89PNG\r\n\x1a\n", "tidak didukung"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unreadable_files_give_a_clear_message_and_write_nothing(name, tmp_path, snapshot_counts, import_data):
    content, expected = CASES[name]
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot_counts()
    code, out, err = import_data("posyandu", str(path))
    assert code == 2
    assert expected in err, err
    assert snapshot_counts() == before


def test_xlsx_with_a_corrupt_part_is_refused(tmp_path, snapshot_counts, import_data):
    good = xlsx(tmp_path / "good.xlsx", [["code", "name", "desa_code"], ["X1", "Posyandu Baru", "19.03.01.2008"]])
    broken = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]  # truncated XML
            dst.writestr(item, data)
    before = snapshot_counts()
    code, out, err = import_data("posyandu", str(broken))
    assert code == 2 and "rusak" in err
    assert snapshot_counts() == before


def test_wrong_types_reject_rows_with_reasons_and_nothing_is_saved(tmp_path, snapshot_counts, import_data):
    path = xlsx(tmp_path / "posyandu.xlsx", [
        ["code", "name", "desa_code", "latitude", "longitude", "founded_on", "active"],
        ["X1", "Posyandu Satu", "19.03.01.2008", -3.01, 106.45, "2001-02-03", "ya"],
        ["X2", "Posyandu Dua", "19.03.01.2008", "utara", 106.45, "2001-02-03", "ya"],  # not a number
        ["X3", "Posyandu Tiga", "19.03.01.2008", None, None, "31/02/2001", "ya"],  # impossible date
        ["X4", "Posyandu Empat", "19.03.01.2008", None, None, None, "mungkin"],  # not ya/tidak
        ["X5", "Posyandu Lima", "99.99.99.9999", None, None, None, "ya"],  # unknown desa
        ["X6", "Posyandu Enam", "19.03.01.2008", 5.0, 80.0, None, "ya"],  # outside Indonesia
    ])
    before = snapshot_counts()
    code, out, err = import_data("posyandu", str(path))
    assert code == 1
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=0 rejected=5"
    assert "posyandu.xlsx:3" in out and "angka" in out
    assert "posyandu.xlsx:4" in out and "tanggal" in out
    assert "posyandu.xlsx:5" in out and "ya" in out
    assert "posyandu.xlsx:6" in out and "tidak dikenal" in out
    assert "posyandu.xlsx:7" in out and "rentang" in out
    assert snapshot_counts() == before


def test_semicolon_csv_with_bom_from_excel_is_read(tmp_path, demo, import_data):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffcode;name;desa_code;active\nX9;Posyandu Semikolon;19.03.01.2008;ya\n".encode("utf-8"))
    code, out, err = import_data("posyandu", str(path))
    assert code == 0, out + err
    assert Posyandu.objects.get(code="X9").name == "Posyandu Semikolon"


def test_unknown_columns_are_reported_and_ignored(tmp_path, demo, import_data):
    path = tmp_path / "extra.csv"
    path.write_text("code,name,desa_code,warna\nX8,Posyandu Warna,19.03.01.2008,merah\n", encoding="utf-8")
    code, out, err = import_data("posyandu", str(path))
    assert code == 0 and "warna" in err
