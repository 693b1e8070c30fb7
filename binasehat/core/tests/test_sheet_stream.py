"""A large XLSX sheet read as a stream (``SheetStream``) gives exactly the rows calamine gives: every cell's Python
type and value, the same rectangle (empty rows above, the leftmost and rightmost columns with a value, no trailing
rows of formatting only), and so the same ``Table`` rows, caps and messages."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.test import override_settings
from python_calamine import CalamineWorkbook

from binasehat.core.tabular import (
    DEFAULT_STREAM_CELLS, SheetStream, Table, TableError, excel_number, number_format_kind,
)

# The number formats of the varied workbook: dates, date-times, times, durations and plain numbers, custom and
# built-in (ids 14, 22, 27, 46, 2, 10 written without a <numFmt>).
FORMATS = ["yyyy-mm-dd", "dd/mm/yyyy hh:mm", "[h]:mm:ss", "h:mm AM/PM", '"d"0', "0.00", "[Red]0.00", "mm:ss",
           "General", "d-mmm", '0" kg"', "[$-421]dd mmmm yyyy", "yyyy-mm-dd;@", "0;[Red]-0", "\\d0", "[m]:ss",
           14, 22, 27, 46, 2, 10]
NUMBERS = [0, 0.5, 1, 45296, 45296.5, 45296.999999, 60, 61, -1, 2958465, 2958466, 1e7, 45296.0000001, 12, 12.5,
           -3.25]


def calamine_rows(path):
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())


def typed(rows):
    return [[(type(v).__name__, v) for v in row] for row in rows]


def assert_same(path):
    expected = calamine_rows(path)
    stream = SheetStream(path, path.name)
    got = list(stream.rows())
    assert typed(got) == typed(expected)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert stream.end == (sheet.total_height, sheet.total_width)
    return got


def varied_xlsxwriter(path, *, constant_memory=False, date_1904=False, top=2):
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "date_1904": date_1904})
    sheet = book.add_worksheet("Pengukuran")
    bold = book.add_format({"bold": True})
    # ``top`` empty rows and an empty column A above and left of the first cell: calamine yields those rows and
    # starts each row at column B.
    sheet.write_row(top, 1, ["nik", "nama", "tgl", "berat", "flag", "err", "rumus", "teks"])
    sheet.write_row(top + 1, 1, ["1903015505230001", " Ani  ", dt.datetime(2024, 1, 5), 12, True, None, None, "a\rb"],
                    None)
    sheet.write_datetime(top + 1, 3, dt.datetime(2024, 1, 5), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_formula(top + 1, 6, "=NA()", None, "#N/A")
    sheet.write_formula(top + 1, 7, '="a"&"b"', None, "a&b")
    sheet.write_formula(4, 1, "=1+1", None, 2)
    sheet.write_number(4, 3, 1e20)
    sheet.write_number(4, 4, 1903015505230001)
    sheet.write_boolean(4, 5, False)
    sheet.write_string(4, 8, "  spasi  ")
    sheet.write_string(4, 2, "<&>\"' café ٣ _x0041_")
    sheet.write_blank(5, 3, None, bold)  # formatting only: no value, outside calamine's range
    row = 6
    for fmt in FORMATS:
        style = book.add_format({"num_format": fmt})
        for col, number in enumerate(NUMBERS, start=1):
            sheet.write_number(row, col, number, style)
        row += 1
    sheet.write_number(row + 2, 4, 7.5)  # a sparse row after two empty ones
    sheet.write_blank(row + 6, 30, None, bold)  # trailing formatting: no row, no column
    book.close()
    return path


def test_xlsxwriter_workbooks_read_the_same(tmp_path):
    got = assert_same(varied_xlsxwriter(tmp_path / "a.xlsx"))
    # Hand-checked against the file: row 4 (index 3) starts at column B with the NIK as text, the date cell is a
    # date, 12 a float, TRUE a bool, #N/A empty, a formula string its cached value.
    assert got[0] == [""] * len(got[0]) and got[2][:3] == ["nik", "nama", "tgl"]
    assert got[3][:8] == ["1903015505230001", " Ani  ", dt.date(2024, 1, 5), 12.0, True, "", "a&b", "a\rb"]
    assert_same(varied_xlsxwriter(tmp_path / "inline.xlsx", constant_memory=True))  # inline strings
    assert_same(varied_xlsxwriter(tmp_path / "mac.xlsx", date_1904=True))


def test_openpyxl_workbook_reads_the_same(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "c", "d"])
    sheet.append([1.0, dt.datetime(2025, 3, 10), True, " teks "])
    sheet.append([None, dt.datetime(2025, 3, 10, 8, 30), False, 45789])
    sheet.append([])
    sheet.append([12.5, dt.date(2025, 1, 1), None, "=1+2"])
    sheet.cell(row=7, column=6).value = "jauh"
    sheet.cell(row=2, column=2).number_format = "dd/mm/yyyy"
    path = tmp_path / "o.xlsx"
    book.save(path)
    assert_same(path)


SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="A1:F9"/><sheetData>
<row r="1" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>\
<c r="D1" t="inlineStr"><is><t xml:space="preserve"> d </t></is></c><c r="E1" t="inlineStr"><is><r><t>e</t></r>\
<r><rPr><b/></rPr><t>x</t></r></is></c></row>
<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>12.5</v></c><c r="C2" t="d"><v>2024-01-05T13:30:00</v></c>\
<c r="D2" t="d"><v>2024-01-05</v></c><c r="E2" t="e"><v>#DIV/0!</v></c></row>
<row r="3"><c t="s"><v>4</v></c><c><v>7</v></c><c t="b"><v>0</v></c><c t="str"><v></v></c><c t="str"><f>A1</f></c>\
<c r="F3" s="1"><v>45296</v></c></row>
<row r="4"><c r="A4"><f>SUM(B2)</f></c><c r="B4"><v></v></c><c r="C4" s="1"/></row>
<row r="6" spans="1:6"><c r="B6" t="inlineStr"><is><t>  a_x000D_b &amp; c  </t></is></c>\
<c r="C6" t="str"><v>x &lt; y</v></c></row>
<row r="7" s="1" customFormat="1"/>
<row r="8"><c r="C8" s="1"/></row>
</sheetData><rowBreaks count="1" manualBreakCount="1"><brk id="5" max="16383" man="1"/></rowBreaks></worksheet>"""
STRINGS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">\
<si><t>nik</t></si><si><t xml:space="preserve">  nama </t></si><si><r><t>tg</t></r><r><t>l</t></r>\
<rPh sb="0" eb="1"><t>PH</t></rPh></si><si><t>  spasi_x000A_baris  </t></si><si><t/></si></sst>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1">\
<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>\
<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"""


def hand_written(path, sheet=SHEET):
    """A workbook as other writers make them: shared rich strings with phonetic runs, inline strings, entities,
    Excel's _x000D_ escapes, cells without a reference, ISO date cells, errors, empty values, formulas without a
    cached value, formatting-only rows."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types \
xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" \
ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" \
ContentType="application/xml"/><Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override \
PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>""")
        z.writestr("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships \
xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>""")
        z.writestr("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook \
xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" \
r:id="rId1"/></sheets></workbook>""")
        z.writestr("xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships \
xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/><Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" \
Target="sharedStrings.xml"/><Relationship Id="rId3" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
</Relationships>""")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", STRINGS)
        z.writestr("xl/styles.xml", STYLES)
    return path


def test_hand_written_workbook_reads_the_same(tmp_path):
    got = assert_same(hand_written(tmp_path / "h.xlsx"))
    # Read by hand from SHEET and STRINGS: rich text joined without its phonetic run, white space trimmed unless
    # preserved, _x000A_ a line feed, the empty <v> of a formula string "", a formula without a value left out.
    assert got[0] == ["nik", "  nama ", "tgl", " d ", "ex", ""]
    assert got[1] == ["spasi\nbaris", 12.5, dt.datetime(2024, 1, 5, 13, 30), dt.date(2024, 1, 5), "", ""]
    assert got[2] == ["", 7.0, False, "", "", dt.date(2024, 1, 5)]  # shared string 4 is empty
    assert got[3] == [""] * 6 and len(got) == 6


def test_prefixed_sheet_reads_the_same(tmp_path):
    prefixed = (SHEET.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace("</worksheet>", "</x:worksheet>")
                .replace("<dimension", "<x:dimension").replace("sheetData>", "x:sheetData>")
                .replace("<row", "<x:row").replace("</row>", "</x:row>").replace("<c ", "<x:c ").replace("<c>", "<x:c>")
                .replace("</c>", "</x:c>").replace("<v>", "<x:v>").replace("</v>", "</x:v>").replace("<v/>", "<x:v/>")
                .replace("<f>", "<x:f>").replace("</f>", "</x:f>").replace("<is>", "<x:is>")
                .replace("</is>", "</x:is>").replace("<t", "<x:t").replace("</t>", "</x:t>")
                .replace("<r>", "<x:r>").replace("</r>", "</x:r>").replace("<rPr><b/></rPr>", "<x:rPr><x:b/></x:rPr>")
                .replace("</rowBreaks>", "</x:rowBreaks>").replace("<brk", "<x:brk"))
    assert_same(hand_written(tmp_path / "p.xlsx", prefixed))


def test_serial_numbers_by_number_format_hand_worked():
    date, duration, number = number_format_kind("dd/mm/yyyy"), number_format_kind("[h]:mm:ss"), 0
    # Days from 1899-12-30: 45296 is 5 January 2024 (Excel's DATE(2024,1,5)); serial 60 is Excel's 29 February
    # 1900, read as 28 February; below 1 a time of day (0.5 = noon); a fraction a date-time, to the millisecond
    # (0.999999 day = 86,399.9136 s → 23:59:59.914); past 9999-12-31 (2,958,465) the number itself.
    assert excel_number(45296.0, date, False) == dt.date(2024, 1, 5)
    assert excel_number(60.0, date, False) == dt.date(1900, 2, 28)
    assert excel_number(61.0, date, False) == dt.date(1900, 3, 1)
    assert excel_number(0.5, date, False) == dt.time(12, 0)
    assert excel_number(45296.999999, date, False) == dt.datetime(2024, 1, 5, 23, 59, 59, 914000)
    assert excel_number(2958466.0, date, False) == 2958466.0
    # The 1904 system counts from 1 January 1904: 1 is 2 January 1904.
    assert excel_number(1.0, date, True) == dt.date(1904, 1, 2)
    assert excel_number(1.5, duration, False) == dt.timedelta(days=1, hours=12)
    assert excel_number(12.0, number, False) == 12.0
    # calamine's own cases (formats.rs): quoted text, escapes, brackets and the first section only.
    assert number_format_kind("DD/MM/YY") == 1 and number_format_kind("H:MM:SS;@") == 1
    assert number_format_kind('m"M"d"D";@') == 1 and number_format_kind("[h]:mm:ss") == 2
    assert number_format_kind("#,##0\\ [$\\u20bd-46D]") == 0 and number_format_kind("\\Y000000") == 0
    assert number_format_kind('"$"#,##0_);[Red]("$"#,##0)') == 0 and number_format_kind("0_ ;[Red]\\-0\\ ") == 0


def table_rows(path):
    table = Table(path)
    return table.streamed, table.written, table.headers, [(r.number, r.values) for r in table.rows()]


def test_table_rows_the_same_through_both_paths(tmp_path):
    path = varied_xlsxwriter(tmp_path / "a.xlsx", top=0)
    streamed, *by_calamine = table_rows(path)
    assert not streamed  # a small sheet stays with calamine
    with override_settings(IMPORT_STREAM_CELLS=0):
        streamed, *by_stream = table_rows(path)
    assert streamed and by_stream == by_calamine
    assert DEFAULT_STREAM_CELLS == 4_000_000


def test_caps_refuse_the_same_way_through_both_paths(tmp_path):
    path = varied_xlsxwriter(tmp_path / "a.xlsx")
    messages = []
    for stream_cells in (10**9, 0):
        with override_settings(IMPORT_STREAM_CELLS=stream_cells, IMPORT_MAX_ROWS=20, IMPORT_MAX_CELLS=10**6):
            with pytest.raises(TableError) as caught:
                Table(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "terlalu besar" in messages[0]


def test_broken_sheet_refused_the_same_way(tmp_path):
    path = hand_written(tmp_path / "rusak.xlsx", SHEET.replace("<v>12.5</v>", "<v>12.5</c>"))
    messages = []
    for stream_cells in (10**9, 0):
        with override_settings(IMPORT_STREAM_CELLS=stream_cells):
            with pytest.raises(TableError) as caught:
                Table(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "rusak" in messages[0]


def test_a_sheet_larger_than_a_read_piece_reads_the_same(tmp_path):
    """Rows cut across the 1 MB pieces the sheet's XML is read in (20,000 rows: about 2 MB of XML), shared and
    inline strings alike."""
    for constant_memory in (False, True):
        path = tmp_path / f"besar-{constant_memory}.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
        sheet = book.add_worksheet()
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_row(0, 0, ["nik", "tanggal", "berat", "teks", "ya"])
        for r in range(1, 20_001):
            sheet.write_string(r, 0, f"19030155052{r:05d}")
            sheet.write_number(r, 1, 45000 + r % 700, dates)
            sheet.write_number(r, 2, 3 + (r % 170) / 10)
            if r % 7:
                sheet.write_string(r, 3, f"baris {r} & <{r % 3}>" if r % 11 == 0 else f"baris {r}")
            sheet.write_boolean(r, 4, r % 2 == 0)
        book.close()
        assert len(assert_same(path)) == 20_001


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>\
<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p>\
</table:table-cell><table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell></table:table-row>\
<table:table-row><table:table-cell office:value-type="float" office:value="1.5"><text:p>1.5</text:p></table:table-cell>\
<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>\
</office:spreadsheet></office:body></office:document-content>"""
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?><manifest:manifest \
xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry \
manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry \
manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"""


def test_an_ods_stays_with_calamine_whatever_the_threshold(tmp_path):
    path = tmp_path / "lembar.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", ODS_CONTENT)
        z.writestr("META-INF/manifest.xml", ODS_MANIFEST)
    with override_settings(IMPORT_STREAM_CELLS=0):
        streamed, written, headers, rows = table_rows(path)
    assert not streamed and headers == ["a", "b"] and rows == [(2, {"a": "1.5", "b": "x"})]
