"""Reading spreadsheets row by row: CSV (UTF-8 with or without BOM, or Windows-1252 as Excel saves it on an
Indonesian Windows; comma, semicolon or tab) and XLSX/XLS/ODS (python-calamine).

Every problem with the file itself (empty, broken, wrong encoding, no header, too large) raises ``TableError``
with a message in Indonesian; rows are yielded as dicts of stripped strings, one at a time, so a large CSV is
never held in memory. A spreadsheet sheet is held once, by calamine, and only after its size was checked
against the caps (``IMPORT_MAX_ROWS``, ``IMPORT_MAX_CELLS``) by streaming through the sheet's XML.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
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

        if not _cells_bounded(self.path, self.max_cells):
            count_sheet_cells(self.path, max_rows=self.max_rows, max_cells=self.max_cells, name=self.name)
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
