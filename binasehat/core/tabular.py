"""Reading spreadsheets row by row: CSV (UTF-8 with or without BOM, or Windows-1252 as Excel saves it on an
Indonesian Windows; comma, semicolon or tab) and XLSX/XLS/ODS (python-calamine; an XLSX sheet of more than
``IMPORT_STREAM_CELLS`` cells as a stream, ``SheetStream``, with the same values).

Every problem with the file itself (empty, broken, wrong encoding, no header, too large) raises ``TableError``
with a message in Indonesian; rows are yielded as dicts of stripped strings, one at a time, so a large CSV is
never held in memory. A spreadsheet sheet is held once, by calamine, and only after its size was checked
against the caps (``IMPORT_MAX_ROWS``, ``IMPORT_MAX_CELLS``) by streaming through the sheet's XML; a large XLSX
sheet is never held (``SheetStream``: one row at a time).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _, gettext_lazy

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES


class TableError(Exception):
    """The file as a whole cannot be read; nothing in it is used."""


DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_CELLS = 20_000_000


def caps() -> tuple[int, int]:
    return (int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
            int(getattr(settings, "IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS)))


def _too_large(name: str, max_rows: int, max_cells: int) -> TableError:
    return TableError(
        _("Berkas %(name)s terlalu besar: paling banyak %(rows)s baris dan %(cells)s sel per impor. "
          "Bagi berkas menjadi beberapa bagian.")
        % {"name": name, "rows": f"{max_rows:,}".replace(",", "."), "cells": f"{max_cells:,}".replace(",", ".")}
    )


_SHEET_REL = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"')
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")


def _first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The XML part of the workbook's first sheet (the one calamine reads)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    found = _SHEET_REL.search(workbook)
    if not found:
        return None
    rid = found.group(1)
    for rel in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        if re.search(rb'\bId="' + re.escape(rid) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target:
                path = target.group(1).decode()
                return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return None


#: The fewest bytes a cell takes in a sheet's XML (``<c/>``).
_MIN_CELL_BYTES = 4


def _cells_bounded(path: Path, max_cells: int) -> bool:
    """Whether the XLSX's first sheet is too small in bytes to hold more than ``max_cells`` cells, so that counting
    them (``count_sheet_cells``, a pass through the whole uncompressed XML) can be skipped: its uncompressed size as
    the zip's directory states it (the size ``count_sheet_cells`` would read: a lying size fools both alike),
    divided by the smallest cell.
    The rows are checked on the loaded sheet's height, which cannot take more memory than its cells. False for
    anything else (ODS, .xls, a member that cannot be found): then the cells are counted or calamine decides."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _first_sheet_member(archive)
            if member is None:
                return False
            size = archive.getinfo(member).file_size
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return size // _MIN_CELL_BYTES <= max_cells


def count_sheet_cells(path: Path, *, max_rows: int, max_cells: int, name: str) -> tuple[int, int]:
    """Stream through the first sheet of an XLSX (or the content of an ODS) counting rows and cells; stop with
    ``TableError`` as soon as either passes its cap. Memory stays at one chunk."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return 0, 0  # not a zip (e.g. .xls): calamine decides
    with archive:
        names = set(archive.namelist())
        if "content.xml" in names and "xl/workbook.xml" not in names:
            member, row_tags, cell_tags = "content.xml", (b"<table:table-row",), (b"<table:table-cell",
                                                                                 b"<table:covered-table-cell")
        else:
            member = _first_sheet_member(archive)
            if member is None or member not in names:
                return 0, 0
            row_tags = cell_tags = None
        rows = cells = 0
        carry = b""
        with archive.open(member) as fh:
            while chunk := fh.read(1 << 20):
                data = carry + chunk
                if row_tags is None:
                    root = _ROOT.search(data)
                    prefix = root.group(1) or b"" if root else b""
                    row_tags = (b"<" + prefix + b"row ", b"<" + prefix + b"row>")
                    cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"c/>")
                cut = data.rfind(b"<")
                if cut <= 0:
                    cut = len(data)
                body, carry = data[:cut], data[cut:]
                rows += sum(body.count(t) for t in row_tags)
                cells += sum(body.count(t) for t in cell_tags)
                if rows > max_rows + 1 or cells > max_cells:
                    raise _too_large(name, max_rows, max_cells)
            if carry and row_tags is not None:
                rows += sum(carry.count(t) for t in row_tags)
                cells += sum(carry.count(t) for t in cell_tags)
        if rows > max_rows + 1 or cells > max_cells:
            raise _too_large(name, max_rows, max_cells)
        return rows, cells


# --- large XLSX sheets: read as a stream ---------------------------------------------------------------------------

#: Sheets with more cells than this are read as a stream of rows (``SheetStream``) instead of by calamine, which
#: holds the whole sheet (about 50 bytes a cell: 13 million cells take 650 MB before the first row is read). Below
#: it calamine is kept: it reads 3–5 times faster, and 4 million cells (300,000 rows of 13 columns) take 200 MB.
#: Setting ``IMPORT_STREAM_CELLS``.
DEFAULT_STREAM_CELLS = 4_000_000


def stream_cells() -> int:
    return int(getattr(settings, "IMPORT_STREAM_CELLS", DEFAULT_STREAM_CELLS))


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_index(letters: str | bytes) -> int:
    """0-based column of "A", "M", "AB"."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def dimension_cells(path: Path) -> int | None:
    """The cells of the rectangle the first sheet's ``<dimension ref="A1:M1000001">`` states (None: not an XLSX, or
    no such element). A writer may state less than the sheet holds: callers also use the counted cells."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _first_sheet_member(archive)
            if member is None:
                return None
            with archive.open(member) as fh:
                head = fh.read(64 * 1024)
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    found = _DIMENSION.search(head)
    if not found:
        return None
    c1, r1, c2, r2 = found.groups()
    if c2 is None:
        return 1
    return (abs(int(r2) - int(r1)) + 1) * (abs(_column_index(c2) - _column_index(c1)) + 1)


#: A style's number format as calamine classifies it: a plain number, a date/time, a duration.
_NUMBER, _DATETIME, _DURATION = 0, 1, 2
#: The built-in number formats python-calamine 0.9.1 reads as dates (14–22, 27–36 and 50–58, the East Asian
#: calendars, 45 and 47) or a duration (46), as measured: numFmtId 1–163 written without a ``<numFmt>``.
_BUILTIN_FORMATS = {**{str(i): _DATETIME for i in (*range(14, 23), *range(27, 37), 45, 47, *range(50, 59))},
                    "46": _DURATION}


def number_format_kind(code: str) -> int:
    """How calamine (``detect_custom_number_format``) reads a custom number format: the first section only; quoted
    text, escaped characters and brackets skipped; d, m, h, y or s (or a/p followed by m or /) make it a date, a
    bracketed [h], [m] or [s] a duration."""
    escaped = quote = hms = ap = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif quote:
            if s == '"':
                quote = False
        elif s == '"':
            quote = True
        elif s == ";":
            return _NUMBER
        elif s == "[":
            brackets += 1
        elif s == "]" and brackets == 1 and hms:
            return _DURATION
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif s in "pm/PM" and ap and brackets == 0:
            return _DATETIME
        elif s in "dmhysDMHYS" and not ap and brackets == 0:
            return _DATETIME
        elif not (hms and s.lower() == prev.lower()):
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return _NUMBER


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DAY_MS = 86_400_000.0


def _round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def excel_number(value: float, kind: int, is_1904: bool) -> object:
    """A number cell as python-calamine gives it: a float, or by its number format a ``timedelta`` (duration), a
    ``time`` (below 1), a ``date`` (a whole number) or a ``datetime``, to the millisecond; a float again when the
    date falls outside Python's years 1–9999. Serial days count from 1899-12-30, and Excel's 29 February 1900 (60)
    is 28 February."""
    if kind == _NUMBER:
        return value
    if kind == _DURATION:  # beyond timedelta's range python-calamine fails too (OverflowError)
        return dt.timedelta(milliseconds=_round_half_away(value * _DAY_MS))
    try:
        f = value + 1462.0 if is_1904 else value
        if f < 60.0:
            f += 1.0
        moment = _EXCEL_EPOCH + dt.timedelta(milliseconds=_round_half_away(f * _DAY_MS))
    except (OverflowError, ValueError):
        return value
    if value < 1.0:
        return moment.time()
    if value < 18446744073709551616.0 and value == int(value):
        return moment.date()
    return moment


_XML_ESCAPE = re.compile(r"_x00(\+[0-9A-Fa-f]|[0-9A-Fa-f]{2})_")


def _unescape_excel(text: str) -> str:
    """Excel's "_x000D_" escapes of control characters, as calamine undoes them."""
    if "_x00" not in text:
        return text
    return _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _rich_text(element, ns: str) -> str:
    """The text of a shared or inline string (``<t>``, or the ``<r><t>`` runs of rich text; phonetic ``<rPh>``
    left out), each ``<t>`` trimmed of ASCII white space unless ``xml:space="preserve"``."""
    t_tag, r_tag = ns + "t", ns + "r"
    parts = []
    for child in element:
        if child.tag == t_tag:
            parts.append(child)
        elif child.tag == r_tag:
            parts.extend(x for x in child if x.tag == t_tag)
    out = []
    for t in parts:
        text = t.text or ""
        if t.get("{http://www.w3.org/XML/1998/namespace}space") != "preserve":
            text = text.strip(" \t\r\n")
        out.append(_unescape_excel(text))
    return "".join(out)


_ROOT_TAG = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")
_XMLNS = re.compile(rb'\bxmlns(?::\w+)?="[^"]*"')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
#: A cell as Excel, LibreOffice, openpyxl and xlsxwriter write it: its reference, then style and type, then an
#: optional formula and an optional value; or an inline string (``t="inlineStr"``, what xlsxwriter's
#: constant-memory mode writes) of one ``<t>``. A formula string (``t="str"``) must have a value: without one
#: calamine leaves it out, with an empty one it is "" (such a row is parsed as XML).
_FORMULA = rb'(?:<f>[^<]*</f>|<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?'
_CELL = (rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(s|n|b|e|d)")?(?:/>|>' + _FORMULA
         + rb'(?:<v>([^<]*)</v>)?</c>)')
_STR_CELL = rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")? t="(str)">' + _FORMULA + rb'<v>([^<]+)</v></c>'
_INLINE_CELL = (rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")? t="(inlineStr)">'
                rb'<is><t( xml:space="preserve")?>([^<]*)</t></is></c>')
_PLAIN_ROW = re.compile(b"(?:" + b"|".join((_CELL, _STR_CELL, _INLINE_CELL)) + b")*")
#: Matches every cell of a row that ``_PLAIN_ROW`` matched (groups: column letters, style, type, value text,
#: whether the inline string's white space is kept, the inline string).
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(s|n|b|e|d|str|inlineStr)")?(?:/>|>' + _FORMULA
    + rb'(?:<v>([^<]*)</v>)?</c>|><is><t( xml:space="preserve")?>([^<]*)</t></is></c>)')
#: The column letters of the cells of a plain row that have a value (a non-empty ``<v>``, or an inline string).
_VALUED_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d+"(?:[^>]*?(?<!/)>' + _FORMULA
                            + rb'<v>[^<]|(?: s="\d+")? t="inlineStr">)')


class _Columns(dict):
    """Column letters (bytes) → 0-based index, each computed once."""

    def __missing__(self, letters: bytes) -> int:
        self[letters] = index = _column_index(letters)
        return index


_EMPTY = object()  # a cell calamine leaves out of the sheet's range (no value)


class SheetStream:
    """The first sheet of an XLSX read row by row in bounded memory (the shared strings and the styles' number
    formats are held; one row of the sheet at a time), yielding exactly the rows ``CalamineSheet.iter_rows`` yields:
    from the sheet's first row (empty rows above the first cell included) to the row of its last cell, from the
    column of its leftmost cell to that of its rightmost one, empty cells as "", cell values typed as
    python-calamine types them (see ``excel_number``; shared, inline and formula strings as text, booleans, errors
    such as #N/A as ""). A first pass finds that rectangle, as calamine does before its first row; the second
    yields the rows. Rows must come in ascending order, as the format requires (``TableError`` otherwise)."""

    def __init__(self, path: Path, name: str):
        self.path, self.name = path, name
        with zipfile.ZipFile(path) as archive:
            self.member = _first_sheet_member(archive)
            names = set(archive.namelist())
            if self.member is None or self.member not in names:
                raise ValueError("no sheet")
            workbook = archive.read("xl/workbook.xml")
            self.is_1904 = bool(re.search(rb'\bdate1904="(?:1|true)"', workbook))
            self.strings = self._shared_strings(archive, names)
            self.formats = self._formats(archive, names)
        first = last = None
        right = -1
        left = None
        for row, cells in self._cells(values=False):
            if cells:
                first = row if first is None else first
                last = row
                left = min(left, cells[0][0]) if left is not None else cells[0][0]
                right = max(right, cells[-1][0])
        if first is None:
            raise ValueError("empty sheet")
        #: The rectangle calamine reads: ``end`` is its last row and column (0-based), as ``total_height`` and
        #: ``total_width`` state them.
        self.left, self.width, self.end = left, right - left + 1, (last, right)

    @staticmethod
    def _shared_strings(archive: zipfile.ZipFile, names: set) -> list[str]:
        member = "xl/sharedStrings.xml"
        if member not in names:
            return []
        strings = []
        ns = None
        with archive.open(member) as fh:
            for _event, element in ET.iterparse(fh, events=("end",)):
                if ns is None:
                    ns = element.tag[:element.tag.index("}") + 1] if element.tag.startswith("{") else ""
                if element.tag == ns + "si":
                    strings.append(_rich_text(element, ns))
                    element.clear()
        return strings

    @staticmethod
    def _formats(archive: zipfile.ZipFile, names: set) -> list[int]:
        member = "xl/styles.xml"
        if member not in names:
            return []
        root = ET.fromstring(archive.read(member))
        ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        custom = {}
        for fmt in root.iter(ns + "numFmt"):
            if fmt.get("numFmtId") is not None and fmt.get("formatCode") is not None:
                custom[fmt.get("numFmtId")] = number_format_kind(fmt.get("formatCode"))
        kinds = []
        for xfs in root.iter(ns + "cellXfs"):
            for xf in xfs.iter(ns + "xf"):
                fid = xf.get("numFmtId")
                kinds.append(_NUMBER if fid is None else custom.get(fid, _BUILTIN_FORMATS.get(fid, _NUMBER)))
        return kinds

    def _value(self, text: str, t: str | None, style: str | None) -> object:
        """The value of a cell's ``<v>`` text by its type ``t`` and style ``s`` (``_EMPTY``: no value)."""
        if not text and t in (None, "n", "s", "b", "e"):
            return _EMPTY
        if t is None or t == "n":
            try:
                number = float(text)
            except ValueError:
                if t is None:
                    return text
                raise
            if style is None:
                return number
            index = int(style) if style.isdigit() else 0
            kind = self.formats[index] if index < len(self.formats) else _NUMBER
            return excel_number(number, kind, self.is_1904) if kind else number
        if t == "s":
            return self.strings[int(text) if text.isdigit() else 0]
        if t == "str":
            return text
        if t == "b":
            return text != "0"
        if t == "e":
            return ""
        if t == "d":
            return _iso_value(text)
        raise ValueError(f"cell type {t}")

    def _element_cells(self, element, row_index: int, ns: str) -> tuple[int, list[tuple[int, object]]]:
        """A parsed ``<row>``: its 0-based index (``row_index`` when it states none) and its cells with a value."""
        c_tag, v_tag, f_tag, is_tag = ns + "c", ns + "v", ns + "f", ns + "is"
        r = element.get("r")
        if r is not None:
            row_index = int(r) - 1
        col_index = 0
        cells = []
        for c in element:
            if c.tag != c_tag:
                continue
            ref = c.get("r")
            if ref is not None:
                col_index = _column_index(ref.rstrip("0123456789"))
            t = c.get("t")
            value = _EMPTY
            for child in c:
                tag = child.tag
                if tag == v_tag:
                    value = _EMPTY if t == "inlineStr" else self._value(child.text or "", t, c.get("s"))
                elif tag == is_tag:
                    value = _rich_text(child, ns)
                elif tag == f_tag:
                    value = _EMPTY
            if value is not _EMPTY:
                cells.append((col_index, value))
            col_index += 1
        return row_index, cells

    def _cells_tree(self, fh) -> Iterator[tuple[int, list[tuple[int, object]]]]:
        """``_cells`` for any sheet XML, each ``<row>`` parsed as an element."""
        row_index = 0
        ns = row_tag = sheet_data_tag = None
        sheet_data = None
        for event, element in ET.iterparse(fh, events=("start", "end")):
            if ns is None:
                tag = element.tag
                ns = tag[:tag.index("}") + 1] if tag.startswith("{") else ""
                row_tag, sheet_data_tag = ns + "row", ns + "sheetData"
            if event == "start":
                if element.tag == sheet_data_tag:
                    sheet_data = element
                continue
            if element.tag != row_tag:
                continue
            row_index, cells = self._element_cells(element, row_index, ns)
            if sheet_data is not None:
                sheet_data.remove(element)
            else:
                element.clear()
            yield row_index, cells
            row_index += 1

    def _cells(self, values: bool = True) -> Iterator[tuple[int, list[tuple[int, object]]]]:
        """Per ``<row>``: its 0-based index and its cells with a value, as (0-based column, value); the values are
        None with ``values=False`` (the first pass only needs the columns). A sheet in the default namespace (what
        Excel, LibreOffice, openpyxl and xlsxwriter write) is cut into rows as bytes and a row whose cells all match
        ``_PLAIN_CELL`` is read with regular expressions (3–4 times faster); a row with anything else in it (inline
        or rich strings, entities, other attributes) is parsed as XML, as is a sheet with a prefixed root."""
        with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as fh:
            head = fh.read(64 * 1024)
            root = _ROOT_TAG.search(head)
            if root is None or root.group(1):
                fh.close()
                with archive.open(self.member) as again:
                    yield from self._cells_tree(again)
                return
            declarations = b" ".join(_XMLNS.findall(root.group(0)))
            ns = re.search(rb'\bxmlns="([^"]*)"', root.group(0))
            ns = "{" + ns.group(1).decode() + "}" if ns else ""
            buffer = head[root.end():]
            row_index = 0
            value_of, strings = self._value, self.strings
            columns = _Columns()
            plain_row, plain_cells, valued_columns = _PLAIN_ROW.fullmatch, _PLAIN_CELL.findall, _VALUED_COLUMN.findall
            done = False
            while not done:
                chunk = fh.read(1 << 20)
                if chunk:
                    buffer += chunk
                else:
                    done = True
                position = 0
                while True:
                    begin = buffer.find(b"<row", position)
                    if begin < 0:
                        position = max(len(buffer) - 4, position)
                        break
                    if buffer[begin + 4:begin + 5] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                        if begin + 5 > len(buffer):
                            position = begin
                            break
                        position = begin + 4  # another element (<rowBreaks>)
                        continue
                    close = buffer.find(b">", begin)
                    if close < 0:
                        position = begin
                        break
                    if buffer[close - 1] == 47:  # "<row .../>": no cells
                        finish = close + 1
                        body = b""
                    else:
                        finish = buffer.find(b"</row>", close)
                        if finish < 0:
                            position = begin
                            break
                        body = buffer[close + 1:finish]
                        finish += 6
                    opening = buffer[begin:close + 1]
                    stated = _ROW_NUMBER.search(opening)
                    if stated:
                        row_index = int(stated.group(1)) - 1
                    cells = []
                    if not body:
                        pass
                    elif plain_row(body) and b"&" not in body and b"\r" not in body:
                        if not values:
                            cells = [(columns[letters], None) for letters in valued_columns(body)]
                        else:
                            for letters, style, t, v, preserve, inline in plain_cells(body):
                                if t == b"inlineStr":
                                    text = inline.decode() if preserve else inline.decode().strip(" \t\r\n")
                                    cells.append((columns[letters], _unescape_excel(text)))
                                elif not v:
                                    continue
                                elif t == b"s":
                                    cells.append((columns[letters], strings[int(v)]))
                                else:
                                    value = value_of(v.decode(), t.decode() if t else None,
                                                     style.decode() if style else None)
                                    if value is not _EMPTY:
                                        cells.append((columns[letters], value))
                    else:
                        element = ET.fromstring(b"<row " + declarations + opening[4:].rstrip(b"/>") + b">"
                                                + body + b"</row>")
                        row_index, cells = self._element_cells(element, row_index, ns)
                    yield row_index, cells
                    row_index += 1
                    position = finish
                buffer = buffer[position:]

    def rows(self) -> Iterator[list]:
        """The rows, each a list of ``width`` values (see the class)."""
        left, width, last = self.left, self.width, self.end[0]
        blank = [""] * width
        expected = 0
        for row, cells in self._cells():
            if row < expected or row > last:
                if not cells:
                    continue
                raise ValueError("rows out of order")
            while expected < row:
                yield list(blank)
                expected += 1
            values = list(blank)
            for col, value in cells:
                if col < left:
                    raise ValueError("cell left of the sheet's first column")
                values[col - left] = value
            yield values
            expected += 1
        while expected <= last:
            yield list(blank)
            expected += 1


def _iso_value(text: str) -> object:
    """A ``t="d"`` cell (ISO 8601 text) as python-calamine gives it: a datetime with "T", a time with ":", else a
    date; the text itself when it does not parse."""
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text)
        if ":" in text:
            return dt.time.fromisoformat(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


@dataclass
class Row:
    number: int  # the line or row number a user sees in the file (header = 1)
    values: dict[str, str]
    source: str = ""  # the file name, when several files are read as one

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default) or default

    @property
    def where(self) -> str:
        return f"{self.source}:{self.number}" if self.source else str(self.number)


#: The encodings a CSV may be in, as charset-normalizer names them: UTF-8 (also pure ASCII) and Windows-1252 (what
#: Excel's "CSV (dipisahkan koma)" writes on an Indonesian or English Windows). Anything else is refused.
CSV_ENCODINGS = ("utf_8", "cp1252")
ENCODING_LABELS = {"utf-8-sig": "UTF-8 (BOM)", "utf_8": "UTF-8", "cp1252": "Windows-1252"}
DELIMITER_LABELS = {",": gettext_lazy("koma (,)"), ";": gettext_lazy("titik koma (;)"), "\t": gettext_lazy("tab")}
_SAMPLE_BYTES = 1 << 20


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's choice between the accepted encodings for ``data`` (None: neither fits)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CSV_ENCODINGS)).best()
    if best is None:
        return None
    return "utf_8" if best.encoding in ("ascii", "utf_8") else best.encoding


def _first_undecodable(path: Path, encoding: str) -> int | None:
    """The offset of the first byte that ``encoding`` cannot decode (None: the whole file decodes), read in
    chunks so a large file is never held at once."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_SAMPLE_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def detect_encoding(path: Path, head: bytes) -> str | None:
    """The codec a CSV file is read with: ``utf-8-sig`` when it starts with a UTF-8 BOM, else what charset-normalizer
    picks from the file's first megabyte, checked against the whole file; a file that is plain ASCII at first and
    Windows-1252 further down is detected from the part where UTF-8 fails. None: not a text file we can read."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig" if _first_undecodable(path, "utf-8-sig") is None else None
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    encoding = _guess_encoding(sample)
    if encoding is None:
        return None
    bad = _first_undecodable(path, encoding)
    if bad is None:
        return encoding
    if encoding == "utf_8":
        with open(path, "rb") as fh:
            fh.seek(max(bad - 4096, 0))
            other = _guess_encoding(fh.read(64 * 1024))
        if other and other != "utf_8" and _first_undecodable(path, other) is None:
            return other
    return None


def header_key(name: object) -> str:
    """How a column name is matched: case, spaces, dots, underscores, dashes, slashes and brackets do not count
    ("Tgl. Lahir", "tgl_lahir" and "TGL LAHIR" are the same column)."""
    return re.sub(r"[\s._\-/()]+", "", str(name if name is not None else "").strip().strip("\ufeff").lower())


def normalise_header(name: object) -> str:
    text = str(name if name is not None else "").strip().strip("\ufeff").lower()
    return re.sub(r"[\s\-/]+", "_", text)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a user typed: 12.0 → "12", dates → ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


_MAX_CACHED_CELLS = 100_000


def _cell_text_cached(cache: dict) -> Callable[[object], str]:
    """``cell_text`` keeping each float's, date's and datetime's text in ``cache`` (other types are converted each
    time: ``True == 1.0`` must not find the text of 1.0)."""
    get = cache.get
    cached_types = (float, dt.date, dt.datetime)

    def text_of(value: object) -> str:
        if type(value) in cached_types:
            text = get(value)
            if text is None:
                text = cache[value] = cell_text(value)
            return text
        return cell_text(value)

    return text_of


class Table:
    """One opened file: ``headers`` and an iterator of ``Row``; ``progress()`` as a fraction 0–1."""

    def __init__(self, path: str | os.PathLike, display_name: str | None = None):
        self.path = Path(path)
        self.name = display_name or self.path.name
        suffix = Path(self.name).suffix.lower() or self.path.suffix.lower()
        if suffix not in ACCEPTED_SUFFIXES:
            raise TableError(
                _("Jenis berkas %(suffix)s tidak didukung. Gunakan CSV (UTF-8) atau XLSX.") % {"suffix": suffix or "?"}
            )
        if not self.path.exists() or self.path.stat().st_size == 0:
            raise TableError(_("Berkas %(name)s kosong.") % {"name": self.name})
        self.kind = "csv" if suffix in CSV_SUFFIXES else "sheet"
        self.encoding = self.delimiter = None
        self.max_rows, self.max_cells = caps()
        self._fraction = 0.0
        self.total_rows: int | None = None
        #: Whether the sheet is read as a stream (``SheetStream``) rather than held by calamine.
        self.streamed = False
        if self.kind == "csv":
            self._open_csv()
        else:
            self._open_sheet()
        if not any(self.headers):
            raise TableError(_("Baris pertama berkas %(name)s harus berisi nama kolom.") % {"name": self.name})
        seen = set()
        for h in self.headers:
            if h and h in seen:
                raise TableError(_("Kolom %(col)s muncul dua kali di baris judul.") % {"col": h})
            seen.add(h)

    # --- CSV -------------------------------------------------------------------------------------
    def _open_csv(self) -> None:
        with open(self.path, "rb") as fh:
            head = fh.read(64 * 1024)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4096]:
            raise TableError(
                _("Berkas %(name)s tersimpan sebagai UTF-16 atau bukan teks. Simpan ulang sebagai \"CSV UTF-8\".")
                % {"name": self.name}
            )
        if head.startswith(b"PK\x03\x04"):
            raise TableError(_("Berkas %(name)s adalah XLSX yang diberi akhiran .csv.") % {"name": self.name})
        self.encoding = detect_encoding(self.path, head)
        if self.encoding is None:
            raise TableError(self._encoding_message())
        sample = head.decode(self.encoding, errors="ignore")
        first_line = sample.splitlines()[0] if sample.splitlines() else ""
        self.delimiter = max([",", ";", "\t"], key=first_line.count) if first_line else ","
        self._size = self.path.stat().st_size
        self._raw = open(self.path, "rb")
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        try:
            header = next(self._reader)
        except StopIteration:
            raise TableError(_("Berkas %(name)s kosong.") % {"name": self.name}) from None
        except UnicodeDecodeError:
            raise TableError(self._encoding_message()) from None
        self.written = [str(h).strip().strip("\ufeff") for h in header]
        self.headers = [normalise_header(h) for h in header]

    def _encoding_message(self) -> str:
        return _(
            "Berkas %(name)s bukan teks UTF-8 atau Windows-1252 (ANSI) yang dapat dibaca. "
            "Simpan ulang sebagai \"CSV UTF-8\" lalu unggah kembali."
        ) % {"name": self.name}

    def _csv_rows(self) -> Iterator[Row]:
        number = 1
        width = max(len(self.headers), 1)
        try:
            max_rows, max_cells = self.max_rows, self.max_cells
            for values in self._reader:
                number += 1
                cells = len(values)
                if number - 1 > max_rows or (number - 1) * (width if cells <= width else cells) > max_cells:
                    raise _too_large(self.name, max_rows, max_cells)
                text = "".join(values)
                if not text.strip():
                    continue
                if number % 512 == 0:
                    self._fraction = min(self._raw.tell() / self._size, 1.0)
                yield self._row(number, values, "\x00" not in text)
        except UnicodeDecodeError:
            raise TableError(self._encoding_message() + " " + _("(baris %(n)s)") % {"n": number + 1}) from None
        except csv.Error as exc:
            raise TableError(_("Baris %(n)s tidak dapat dibaca: %(err)s") % {"n": number, "err": exc}) from None
        finally:
            self._raw.close()

    # --- spreadsheets ----------------------------------------------------------------------------
    def _open_sheet(self) -> None:
        from python_calamine import CalamineWorkbook

        counted = None
        if not _cells_bounded(self.path, self.max_cells):
            counted = count_sheet_cells(self.path, max_rows=self.max_rows, max_cells=self.max_cells, name=self.name)
        if self._large_xlsx(counted):
            self._open_stream()
            return
        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            if not workbook.sheet_names:
                raise TableError(_("Berkas %(name)s tidak berisi lembar kerja.") % {"name": self.name})
            sheet = workbook.get_sheet_by_index(0)
            self.total_rows = sheet.total_height
            if sheet.total_height > self.max_rows + 1 or sheet.total_height * sheet.total_width > self.max_cells:
                raise _too_large(self.name, self.max_rows, self.max_cells)
            self._iter = sheet.iter_rows()
            header = next(self._iter, None)
        except TableError:
            raise
        except Exception:  # calamine raises its own types for zip/xml corruption
            raise TableError(
                _("Berkas %(name)s rusak atau bukan spreadsheet yang sah. Buka dan simpan ulang di Excel/LibreOffice.")
                % {"name": self.name}
            ) from None
        if header is None:
            raise TableError(_("Berkas %(name)s kosong.") % {"name": self.name})
        self.written = [cell_text(h) for h in header]
        self.headers = [normalise_header(h) for h in header]

    def _large_xlsx(self, counted: tuple[int, int] | None) -> bool:
        """Whether the sheet is an XLSX sheet of more than ``stream_cells()`` cells, read as a stream: its cells as
        its ``<dimension>`` states them or as counted, whichever is more (a writer may state "A1" for any sheet);
        counted here when the sheet has no ``<dimension>`` and was not counted yet."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                if _first_sheet_member(archive) is None:
                    return False  # an ODS, or no sheet: calamine reads it (or refuses it)
        except (zipfile.BadZipFile, OSError):
            return False  # .xls
        stated = dimension_cells(self.path)
        if stated is None and counted is None:
            counted = count_sheet_cells(self.path, max_rows=self.max_rows, max_cells=self.max_cells, name=self.name)
        cells = max(stated or 0, counted[1] if counted else 0)
        return cells > stream_cells()

    def _open_stream(self) -> None:
        broken = _("Berkas %(name)s rusak atau bukan spreadsheet yang sah. Buka dan simpan ulang di Excel/LibreOffice.")
        try:
            stream = SheetStream(self.path, self.name)
        except Exception:  # zip, XML or cell errors, as calamine refuses them
            raise TableError(broken % {"name": self.name}) from None
        self.streamed = True
        last_row, last_column = stream.end
        self.total_rows = last_row
        if last_row > self.max_rows + 1 or last_row * last_column > self.max_cells:
            raise _too_large(self.name, self.max_rows, self.max_cells)

        def rows():
            try:
                yield from stream.rows()
            except Exception:
                raise TableError(broken % {"name": self.name}) from None

        self._iter = rows()
        header = next(self._iter, None)
        if header is None:
            raise TableError(_("Berkas %(name)s kosong.") % {"name": self.name})
        self.written = [cell_text(h) for h in header]
        self.headers = [normalise_header(h) for h in header]

    def _sheet_rows(self) -> Iterator[Row]:
        number = 1
        total = self.total_rows or 1
        #: A number or date cell's text, per distinct value: a sheet repeats its dates and measured values.
        texts_of: dict = {}
        text_of = _cell_text_cached(texts_of)
        headers, name, plain_width = self.headers, self.name, self._plain_width
        for values in self._iter:
            number += 1
            try:
                texts = list(map(str.strip, values))  # a row of text cells (empty cells are "" too)
            except TypeError:
                texts = [v.strip() if type(v) is str else text_of(v) for v in values]
            joined = "".join(texts)
            if not joined:
                continue
            if number % 512 == 0:
                self._fraction = min(number / total, 1.0)
                if len(texts_of) > _MAX_CACHED_CELLS:
                    texts_of.clear()
            if len(texts) == plain_width and "\x00" not in joined:
                # The common row, already stripped: every column named, as wide as the header, no NUL.
                yield Row(number=number, values=dict(zip(headers, texts)), source=name)
            else:
                yield self._row(number, texts, "\x00" not in joined)

    # --- common ----------------------------------------------------------------------------------
    def describe(self) -> str:
        """How the file was read, for the preview: "CSV, Windows-1252, pemisah titik koma (;)"."""
        if self.kind != "csv":
            return _("%(name)s: lembar kerja pertama") % {"name": self.name}
        return _("%(name)s: CSV, pengodean %(encoding)s, pemisah %(delimiter)s") % {
            "name": self.name, "encoding": ENCODING_LABELS.get(self.encoding, self.encoding),
            "delimiter": DELIMITER_LABELS.get(self.delimiter, self.delimiter)}

    def rename(self, names: dict[str, str]) -> None:
        """Read the columns named by the keys as the values (Indonesian header → the importer's column)."""
        self.headers = [names.get(h, h) for h in self.headers]

    def _row(self, number: int, values: list[str], no_nul: bool | None = None) -> Row:
        headers = self.headers
        if no_nul is None:
            no_nul = not any("\x00" in v for v in values)
        if no_nul and len(values) == self._plain_width:
            # The common row: every column named, as wide as the header, no NUL.
            return Row(number=number, values=dict(zip(headers, map(str.strip, values))), source=self.name)
        row = {}
        for i, h in enumerate(headers):
            if h:
                # NUL cannot be stored in PostgreSQL text and is never typed by a person.
                row[h] = values[i].replace("\x00", "").strip() if i < len(values) else ""
        return Row(number=number, values=row, source=self.name)

    def rows(self) -> Iterator[Row]:
        #: A row this wide maps cell i to header i directly (every column named); -1: never.
        self._plain_width = len(self.headers) if all(self.headers) else -1
        yield from (self._csv_rows() if self.kind == "csv" else self._sheet_rows())
        self._fraction = 1.0

    def progress(self) -> float:
        return self._fraction


class MemoryTable:
    """Rows already in memory (generated data, tests) read through the same import mechanism as files."""

    def __init__(self, name: str, rows: list[dict[str, object]]):
        self.name = name
        self.headers = list(dict.fromkeys(k for r in rows for k in r)) if rows else []
        self.written = list(self.headers)
        self._rows = rows
        self._names: dict[str, str] = {}

    def describe(self) -> str:
        return self.name

    def rename(self, names: dict[str, str]) -> None:
        self._names.update(names)
        self.headers = [names.get(h, h) for h in self.headers]

    def rows(self) -> Iterator[Row]:
        names = self._names
        for i, values in enumerate(self._rows, start=2):
            yield Row(number=i, values={names.get(k, k): cell_text(v).replace("\x00", "") for k, v in values.items()},
                      source=self.name)

    def progress(self) -> float:
        return 1.0
