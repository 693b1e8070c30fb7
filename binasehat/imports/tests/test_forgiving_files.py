"""Files as Excel on an Indonesian Windows writes them import on the first try: Indonesian column names ("Nama Anak",
"Tgl. Lahir"), Windows-1252 or UTF-8 with or without BOM, semicolons or tabs, day-first dates, Excel serial dates,
"Laki-laki"/"Perempuan", decimal commas. Real files written in those encodings, read by the real importers."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from binasehat.core.importing import RowError, importer_kinds, parse_date, parse_decimal, parse_sex
from binasehat.core.tabular import Table, TableError, header_key
from binasehat.growth.models import Child
from binasehat.imports.models import ImportJob

# "Siti Nur’aini" and "André": the right single quote (0x92) and é (0xE9) exist in Windows-1252, not in Latin-1's
# printable range for the quote: a file that shows them right was read as Windows-1252.
INDONESIAN_CHILDREN = (
    "Nama Anak;Jenis Kelamin;Tanggal Lahir;Kode Desa;Nama Ibu;Kode Posyandu\r\n"
    "Siti Nur’aini;Perempuan;31/12/2023;19.03.01.1001;Ratna Dewi;190301100101\r\n"
    "André Saputra;Laki-laki;01-06-2024;19.03.01.1001;Sari Wulandari;190301100101\r\n"
)


def write(tmp_path, name, text, encoding):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- matching column names ------------------------------------------------------------------------------------

def test_headers_match_ignoring_case_spaces_dots_underscores():
    assert header_key("Tgl. Lahir") == header_key("tgl_lahir") == header_key("TGL  LAHIR") == "tgllahir"
    assert header_key("BB (kg)") == header_key("bb_kg") == "bbkg"
    assert header_key("\ufeffNama Anak ") == header_key("nama_anak") == "namaanak"


def test_children_aliases_from_the_issue():
    children = importer_kinds()["children"]
    keys = children.header_keys()
    for written, column in [("nama", "name"), ("Nama Anak", "name"), ("jenis kelamin", "sex"), ("JK", "sex"),
                            ("Tanggal Lahir", "birth_date"), ("Tgl. Lahir", "birth_date"), ("kode desa", "desa_code"),
                            ("Nama Ibu", "mother_name"), ("Kode_Posyandu", "posyandu_code"), ("birth_date", "birth_date")]:
        assert keys[header_key(written)] == column, written


@pytest.mark.parametrize("kind", sorted(importer_kinds()))
def test_every_alias_means_its_own_column(kind):
    """No Indonesian name is shadowed by another column of the same import, and each names a real column."""
    importer = importer_kinds()[kind]
    keys = importer.header_keys()
    assert set(importer.aliases) <= set(importer.columns())
    for column in importer.columns():
        assert keys[header_key(column)] == column
    for column, names in importer.aliases.items():
        for name in names:
            assert keys[header_key(name)] == column, (kind, name)


def test_two_headers_for_one_column_refuse_the_file(demo, tmp_path, import_data):
    path = write(tmp_path, "anak.csv", "Nama;Nama Anak;JK;Tgl Lahir;Kode Desa\nA;A;L;01/01/2024;19.03.01.1001\n",
                 "utf-8")
    code, out, err = import_data("children", str(path))
    assert code == 2 and "\"Nama\" dan \"Nama Anak\"" in err and "sama-sama berarti" in err


def test_missing_column_names_its_indonesian_name(demo, tmp_path, import_data):
    path = write(tmp_path, "anak.csv", "Nama Anak;JK;Kode Desa\nA;L;19.03.01.1001\n", "utf-8")
    code, out, err = import_data("children", str(path))
    assert code == 2 and "birth_date (Tanggal Lahir)" in err


# --- encodings and delimiters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding,delimiter,label", [
    ("cp1252", ";", "Windows-1252"),
    ("utf-8", ";", "UTF-8"),
    ("utf-8-sig", ",", "UTF-8 (BOM)"),
    ("cp1252", "\t", "Windows-1252"),
    ("utf-8-sig", "\t", "UTF-8 (BOM)"),
])
def test_encoding_and_delimiter_are_detected(tmp_path, encoding, delimiter, label):
    text = INDONESIAN_CHILDREN.replace(";", delimiter)
    table = Table(write(tmp_path, "anak.csv", text, encoding))
    assert table.delimiter == delimiter
    assert label in table.describe()
    assert table.headers[0] == "nama_anak"  # no BOM left in the first header
    rows = list(table.rows())
    assert [r.values["nama_anak"] for r in rows] == ["Siti Nur’aini", "André Saputra"]


def test_windows_1252_after_the_first_megabyte_is_still_found(tmp_path):
    """Plain ASCII for more than the sample charset-normalizer looks at, then one Windows-1252 name."""
    lines = ["name;code"] + [f"Posyandu {i:07d};{i}" for i in range(60_000)] + ["Posyandu Café;X"]
    path = write(tmp_path, "besar.csv", "\n".join(lines) + "\n", "cp1252")
    assert path.stat().st_size > 1 << 20
    table = Table(path)
    assert table.encoding == "cp1252"
    assert list(table.rows())[-1].values["name"] == "Posyandu Café"


def test_a_file_in_no_accepted_encoding_is_refused(tmp_path):
    path = tmp_path / "aneh.csv"
    path.write_bytes(b"name;code\nPosyandu \x81\x8d\x90;1\n")  # invalid UTF-8, unassigned in Windows-1252
    with pytest.raises(TableError, match="bukan teks UTF-8 atau Windows-1252"):
        Table(path)


# --- values as Excel writes them -------------------------------------------------------------------------------

def test_dates_sex_and_numbers_as_written_in_indonesia():
    assert parse_date("31/12/2025", "d") == parse_date("31-12-2025", "d") == dt.date(2025, 12, 31)
    assert parse_date("1/6/2024", "d") == dt.date(2024, 6, 1)  # day first
    # Excel serials (1900 system): 45292 is 1 January 2024, 45657 is 31 December 2024
    assert parse_date("45292", "d") == dt.date(2024, 1, 1)
    assert parse_date("45657", "d") == dt.date(2024, 12, 31)
    with pytest.raises(RowError):
        parse_date("12/31/2025", "d")  # month first is not how Indonesia writes it
    assert [parse_sex(v, "sex") for v in ("L", "p", "Laki-laki", "PEREMPUAN", "laki laki", "1", "2")] == \
        ["L", "P", "L", "P", "L", "L", "P"]
    with pytest.raises(RowError, match="Laki-laki/Perempuan"):
        parse_sex("X", "sex")
    assert parse_decimal("81,5", "x") == Decimal("81.5")
    assert parse_decimal("1.234,5", "x") == Decimal("1234.5")
    assert parse_decimal("81.5", "x") == Decimal("81.5")


def test_windows_1252_semicolon_file_with_indonesian_headers_imports(demo, tmp_path, import_data):
    path = write(tmp_path, "anak.csv", INDONESIAN_CHILDREN, "cp1252")
    code, out, err = import_data("children", str(path))
    assert code == 0, out + err
    assert out.strip().splitlines()[-1] == "created=2 updated=0 unchanged=0 rejected=0"
    assert "Windows-1252" in err and "titik koma" in err
    siti = Child.objects.get(name="Siti Nur’aini")
    assert (siti.sex, siti.birth_date, siti.mother_name) == ("P", dt.date(2023, 12, 31), "Ratna Dewi")
    andre = Child.objects.get(name="André Saputra")
    assert (andre.sex, andre.birth_date) == ("L", dt.date(2024, 6, 1))
    code, out, err = import_data("children", str(path))  # the same file again changes nothing
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=2 rejected=0"


def test_xlsx_with_excel_dates_and_serial_numbers(demo, tmp_path, import_data):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama Anak", "JK", "Tgl. Lahir", "Kode Desa", "Nama Ibu"])
    ws.append(["Budi Santoso", "Laki-laki", dt.datetime(2024, 6, 1), "19.03.01.1001", "Sari Wulandari"])
    ws.append(["Putri Ayu", "P", 45292, "19.03.01.1001", "Rina"])  # a date cell that lost its date format
    ws.append(["Rani", "Perempuan", "15/03/2024", "19.03.01.1001", "Wati"])  # typed as text
    ws["C2"].number_format = "dd/mm/yyyy"
    path = tmp_path / "anak.xlsx"
    wb.save(path)
    code, out, err = import_data("children", str(path))
    assert code == 0, out + err
    births = dict(Child.objects.filter(name__in=["Budi Santoso", "Putri Ayu", "Rani"]).values_list("name", "birth_date"))
    assert births == {"Budi Santoso": dt.date(2024, 6, 1), "Putri Ayu": dt.date(2024, 1, 1),
                      "Rani": dt.date(2024, 3, 15)}


# --- the preview shows what the user wrote -------------------------------------------------------------------

def test_preview_shows_the_files_columns_and_values(demo, client_for, tmp_path):
    from binasehat.facilities.models import Posyandu

    client = client_for("dinkes")
    response = client.post(reverse("imports:index"), {
        "kind": "children", "file": _upload("anak.csv", INDONESIAN_CHILDREN.encode("cp1252"))})
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated", job.result
    r = job.result
    assert r["read_as"] == ["anak.csv: CSV, pengodean Windows-1252, pemisah titik koma (;)"]
    assert r["sample_columns"] == ["Nama Anak", "Jenis Kelamin", "Tanggal Lahir", "Kode Desa", "Nama Ibu",
                                   "Kode Posyandu"]
    assert r["samples"]["create"][0]["cells"] == ["Siti Nur’aini", "Perempuan", "31/12/2023", "19.03.01.1001",
                                                  "Ratna Dewi", "190301100101"]
    page = client.get(response["Location"]).content.decode()
    assert "Siti Nur’aini" in page and "31/12/2023" in page and "Windows-1252" in page
    assert "siti nur’aini|2023-12-31|ratna dewi" not in page  # no internal key
    client.post(reverse("imports:commit", args=[job.pk]))
    assert ImportJob.objects.get(pk=job.pk).status == "committed"

    # An update shows the change under the file's column name, with posyandu codes instead of ids.
    other = Posyandu.objects.filter(desa_id="19.03.01.1001").exclude(code="190301100101").first()
    assert other is not None
    moved = INDONESIAN_CHILDREN.replace("Ratna Dewi;190301100101", f"Ratna Dewi;{other.code}")
    client.post(reverse("imports:index"), {"kind": "children", "file": _upload("anak2.csv", moved.encode("cp1252"))})
    r = ImportJob.objects.latest("pk").result
    assert r["planned"]["update"] == 1
    sample = r["samples"]["update"][0]
    assert sample["cells"][0] == "Siti Nur’aini"
    assert sample["changes"] == {"Kode Posyandu": ["190301100101", other.code]}


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- who imports what ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["kader", "provinsi"])
def test_roles_without_imports_are_told_who_imports(demo, client_for, username):
    client = client_for(username)
    page = client.get(reverse("imports:index")).content.decode()
    assert 'id="no-import-kinds"' in page and "Peran Anda tidak mengimpor data" in page
    assert "Bidan desa" in page and "Anak (balita)" in page  # a role that does, and what
    assert "Wilayah administrasi (kode Kemendagri)" in page  # dinkes imports the area tree
    assert '<input type="file"' not in page
    home = client.get("/", follow=True).content.decode()
    assert "Keluar" in home or "logout" in home.lower()
    assert reverse("imports:index") not in home  # no menu entry where there is nothing to import
