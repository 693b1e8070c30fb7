"""``manage.py zscores INPUT OUTPUT``: WHO z-scores and Permenkes 2/2020 status for a file of measurements.

As WHO Anthro users know it. Input (CSV, comma/semicolon/tab, UTF-8; or XLSX), one measurement per row:

* ``id`` (anything, copied), ``sex`` (1/L/M = laki-laki, 2/P/F = perempuan), ``age_days`` — or ``birth_date`` and
  ``visit_date`` instead (YYYY-MM-DD or DD/MM/YYYY) —, ``weight_kg``, ``lenhei_cm``, ``measure`` (``l`` lying /
  ``h`` standing, also ``pb``/``tb``; empty = unknown), ``oedema`` (``y``/``n``, also 1/2, ya/tidak);
  optional ``headc_cm`` and ``muac_cm``. Empty = missing. A decimal comma is accepted (``10,5``).

Output (CSV, the input's delimiter): every input column (names as the project's table reader normalises them:
lower case, spaces and dashes → ``_``), then ``zwei, zlen, zwfl, zbmi`` (unrounded), ``fwei, flen, fwfl, fbmi``
(1 where WHO flags the value as implausible, else 0) and the Permenkes 2/2020 categories ``bb_u, pb_tb_u,
bb_pb_tb, imt_u`` (plus ``zhc, fhc`` / ``zac, fac`` when the input has ``headc_cm`` / ``muac_cm``); empty where
WHO computes nothing. The rules are ``binasehat.growth.rules`` (WHO Anthro's, and AnthroPlus's from 61 months).
A row whose values cannot be read (unknown sex, a number or date that is not one, a negative age, an unknown
measure or oedema code) gets empty outputs and a line on stderr naming its row. A row with one impossible value (a
weight, length, head or arm circumference ≤ 0) keeps what can still be computed, as WHO Anthro does: a weight of 0
still gives length/height-for-age; the value is named on stderr ("dihitung tanpa nilai ini").

The file is streamed and computed in chunks (``--chunk``, 100,000 rows), so its size does not matter. A CSV is read
and written as columns (polars): each chunk is parsed and validated with column operations, and only the rows that
are not plainly valid (an unknown code, a number or date in another form, a value out of range) go through the
row-by-row parser, which gives them their messages. ``--row-reader`` reads every row that way (the reference the
columnar reader is tested against; XLSX files are always read so).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time

import numpy as np
import polars as pl
from django.core.management.base import BaseCommand, CommandError

from binasehat.core.cells import SafeCsvWriter

#: The text of a plain number ("-3", "+2.5") is data, not a formula (core.cells).
FORMULA_SAFE_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"
from binasehat.core.tabular import Row, Table, TableError
from binasehat.growth import rules
from binasehat.growth.who_tables import WhoTableUnavailable

SEX = {"1": 1, "m": 1, "l": 1, "2": 2, "f": 2, "p": 2}
MEASURE = {"l": "l", "pb": "l", "h": "h", "tb": "h"}
OEDEMA = {"y": True, "ya": True, "1": True, "n": False, "tidak": False, "2": False}
Z_COLUMNS = ["zwei", "zlen", "zwfl", "zbmi"]
F_COLUMNS = ["fwei", "flen", "fwfl", "fbmi"]
STATUS_COLUMNS = ["bb_u", "pb_tb_u", "bb_pb_tb", "imt_u"]
OPTIONAL = {"headc_cm": ["zhc", "fhc"], "muac_cm": ["zac", "fac"]}
UNKNOWN = object()
MEASURE_CODE = {"l": 1, "h": 2}  # as rules.clean_measure codes them
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DMY_DATE = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
# Python's str.strip() removes these as whitespace, the columnar reader does not: such files take the row reader.
PYTHON_ONLY_SPACE = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")
#: The first characters of a formula once a cell is stripped (a tab or CR is stripped as whitespace).
FORMULA_START = (b"=", b"+", b"-", b"@")


def _cases(key: str) -> list[str]:
    """Every spelling of a short code in upper and lower case (``ya``: ya, Ya, yA, YA)."""
    variants = [""]
    for ch in key:
        variants = [v + c for v in variants for c in dict.fromkeys((ch.lower(), ch.upper()))]
    return variants


class _RowReaderNeeded(Exception):
    """The columnar reader cannot promise the row reader's result for this file."""


def parse_numbers(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Texts → floats (NaN for empty) and a mask of texts that are not numbers."""
    try:
        values = np.array([t or "nan" for t in texts], dtype=str).astype(float)
        bad = np.isinf(values)
        if not bad.any():
            return values, bad
    except ValueError:
        pass
    values = np.full(len(texts), np.nan)
    bad = np.zeros(len(texts), bool)
    for i, t in enumerate(texts):
        if not t:
            continue
        try:
            v = float(t.replace(",", ".") if "," in t and "." not in t else t)
        except ValueError:
            bad[i] = True
            continue
        if math.isinf(v):
            bad[i] = True
        elif not math.isnan(v):
            values[i] = v
    return values, bad


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class Command(BaseCommand):
    requires_system_checks = []  # a file in, a file out: the database and URL checks do not concern it

    help = (
        "WHO z-scores (weight-for-age, length/height-for-age, weight-for-length/height, BMI-for-age) and "
        "Permenkes 2/2020 categories for every row of INPUT, written to OUTPUT with the input columns first. "
        "Input columns: id,sex,age_days,weight_kg,lenhei_cm,measure,oedema (or birth_date,visit_date instead of "
        "age_days); empty = missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="CSV (UTF-8) or XLSX file of measurements")
        parser.add_argument("output", help="CSV file to write")
        parser.add_argument("--chunk", type=int, default=100_000, help="rows computed at once (default 100000)")
        parser.add_argument("--convention", choices=["anthro", "igrowup"], default="anthro",
                            help="WHO Anthro (default) or WHO's older igrowup macros (z up to 1856 days)")
        parser.add_argument("--no-who2007", action="store_true",
                            help="no WHO Reference 2007 z-scores from 61 months (only WHO 2006, 0–5 years)")
        parser.add_argument("--row-reader", action="store_true",
                            help="read a CSV row by row (slower; the reference the columnar reader is tested against)")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress lines on stderr")

    def handle(self, *args, input, output, chunk, convention, no_who2007, quiet_progress, row_reader=False,
               **options):
        self.started = time.monotonic()
        self.quiet_progress = quiet_progress
        try:
            table = Table(input)
        except (TableError, OSError) as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        headers = [h for h in table.headers if h]
        has_age = "age_days" in headers or {"birth_date", "visit_date"} <= set(headers)
        if "sex" not in headers or not has_age or not {"weight_kg", "lenhei_cm"} & set(headers):
            self.stderr.write(
                "Kolom wajib tidak ada: perlu sex, age_days (atau birth_date dan visit_date), dan weight_kg "
                f"dan/atau lenhei_cm. Kolom di berkas: {', '.join(headers)}"
            )
            sys.exit(2)
        extra = [c for h, cols in OPTIONAL.items() if h in headers for c in cols]
        out_columns = Z_COLUMNS + F_COLUMNS + STATUS_COLUMNS + extra
        replaced = [h for h in headers if h in out_columns]
        if replaced:
            self.stderr.write(f"kolom {', '.join(replaced)} di berkas masukan diganti dengan hasil hitungan")
        in_columns = [h for h in headers if h not in out_columns]
        self.rule_options = {"convention": convention, "who2007": not no_who2007}
        delimiter = getattr(table, "delimiter", ",")
        try:
            done = False
            # polars reads UTF-8 only: a Windows-1252 file (decoded by the table reader) goes row by row
            if table.kind == "csv" and table.encoding != "cp1252" and not row_reader:
                raw = getattr(table, "_raw", None)
                if raw is not None:
                    raw.close()  # the columnar reader opens the file itself
                try:
                    self._columnar(input, table.headers, headers, in_columns, out_columns, delimiter, output, chunk)
                    done = True
                except _RowReaderNeeded:
                    table = Table(input)
            if not done:
                self._row_by_row(table, headers, in_columns, out_columns, delimiter, output, chunk)
        except TableError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        except OSError as exc:
            self.stderr.write(f"Berkas hasil {output} tidak dapat ditulis: {exc.strerror or exc}")
            sys.exit(2)
        except WhoTableUnavailable as exc:
            raise CommandError(f"Tabel WHO tidak tersedia: {exc}") from None
        rows, invalid, partial = self.counts["rows"], self.counts["invalid"], self.counts["partial"]
        self.stderr.write(
            f"{rows} baris dalam {time.monotonic() - self.started:.1f} s" + (" (dibaca per kolom)" if done else "")
            + (f"; {invalid} baris tidak dihitung karena datanya tidak dapat dibaca" if invalid else "")
            + (f"; {partial} baris dihitung tanpa nilai yang mustahil" if partial else "")
        )
        self.stdout.write(f"rows={rows} invalid={invalid}")

    def _progress(self) -> None:
        now = time.monotonic()
        if not self.quiet_progress and now - self.last_progress >= 1.0:
            self.last_progress = now
            self.stderr.write(f"… {self.counts['rows']} baris dihitung ({now - self.started:.1f} s)")

    # --- the row reader (XLSX, and the reference) ----------------------------------------------------------------
    def _row_by_row(self, table, headers, in_columns, out_columns, delimiter, output, chunk) -> None:
        self.counts = {"rows": 0, "invalid": 0, "partial": 0}
        self.last_progress = 0.0
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writer = SafeCsvWriter(fh, delimiter=delimiter)
            writer.writerow(in_columns + out_columns)
            buffer = []
            for row in table.rows():
                buffer.append(row)
                if len(buffer) >= chunk:
                    self._flush(buffer, headers, in_columns, out_columns, writer)
                    buffer = []
                    self._progress()
            if buffer:
                self._flush(buffer, headers, in_columns, out_columns, writer)

    def _flush(self, rows, headers, in_columns, out_columns, writer) -> None:
        n = len(rows)
        sex, measure, oedema, weight, lenhei, age, extra, problems, dropped = self._parse(rows, headers)
        invalid = np.array([bool(p) for p in problems])
        for i, row in enumerate(rows):
            self._report(row, problems[i], dropped[i])
        sex[invalid] = 0  # no sex, no z-score: the row's outputs stay empty

        result = rules.zscores(sex, age, weight, lenhei, measure, oedema, headc_cm=extra.get("headc_cm"),
                               muac_cm=extra.get("muac_cm"), **self.rule_options)
        result.update(rules.status(result))
        out = {}
        for name in out_columns:
            values = result[name]
            if name in STATUS_COLUMNS:
                out[name] = values.tolist()
            elif name.startswith("f"):
                out[name] = ["" if v != v else str(int(v)) for v in values.tolist()]
            else:
                out[name] = ["" if v != v else repr(v) for v in values.tolist()]
        cols = [out[name] for name in out_columns]
        for i, r in enumerate(rows):
            writer.writerow([r.values.get(h, "") for h in in_columns] + [c[i] for c in cols])
        self.counts["rows"] += n
        self.counts["invalid"] += int(invalid.sum())

    def _report(self, row, problems: list[str], dropped: list[str]) -> None:
        """One stderr line for a row that is not computed, or computed without its impossible values."""
        if problems:
            self.stderr.write(f"baris {row.number}: {'; '.join(problems + dropped)}; baris ini tidak dihitung")
        elif dropped:
            self.stderr.write(f"baris {row.number}: {'; '.join(dropped)}; dihitung tanpa nilai ini")
            self.counts["partial"] += 1

    @staticmethod
    def _parse(rows, headers):
        """Rows → the rules' inputs, each row's problems (in Indonesian; the row is not computed) and its impossible
        values (left out as missing: the rest of the row is computed), one row at a time where needed."""
        n = len(rows)
        problems: list[list[str]] = [[] for _ in range(n)]
        dropped: list[list[str]] = [[] for _ in range(n)]

        def column(name):
            return [r.values.get(name, "") for r in rows] if name in headers else [""] * n

        def numbers(name, label, positive=True):
            values, bad = parse_numbers(column(name))
            for i in np.flatnonzero(bad):
                problems[i].append(f"{label} '{rows[i].values.get(name)}' bukan angka")
            if positive:
                with np.errstate(invalid="ignore"):
                    impossible = np.flatnonzero(values <= 0)
                for i in impossible:
                    dropped[i].append(f"{label} {rows[i].values.get(name)} harus lebih dari 0")
                values[impossible] = np.nan  # missing, as WHO Anthro treats an impossible value
            return values

        def codes(name, label, table, allowed):
            texts = column(name)
            known = {t: table.get(t.strip().lower(), UNKNOWN) if t.strip() else None for t in set(texts)}
            out = [known[t] for t in texts]
            if UNKNOWN in known.values():
                for i, code in enumerate(out):
                    if code is UNKNOWN:
                        problems[i].append(f"{label} '{texts[i]}' tidak dikenal ({allowed})")
                        out[i] = None
            return out

        sex = np.array([c or 0 for c in codes("sex", "jenis kelamin", SEX,
                                              "1/L/M = laki-laki, 2/P/F = perempuan")], dtype=np.int8)
        measure = ["" if m is None else m for m in codes("measure", "cara ukur", MEASURE,
                                                         "l/pb = telentang, h/tb = berdiri")]
        oedema = np.array([bool(o) for o in codes("oedema", "oedema", OEDEMA, "y/ya/1 atau n/tidak/2")], dtype=bool)
        weight = numbers("weight_kg", "berat badan")
        lenhei = numbers("lenhei_cm", "panjang/tinggi badan")
        age = numbers("age_days", "umur (hari)", positive=False)
        if {"birth_date", "visit_date"} <= set(headers):
            for i, (b, v) in enumerate(zip(column("birth_date"), column("visit_date"))):
                if not np.isnan(age[i]) or not b or not v:
                    continue
                born, seen = parse_date(b), parse_date(v)
                if born is None:
                    problems[i].append(f"tanggal lahir '{b}' bukan tanggal (YYYY-MM-DD atau DD/MM/YYYY)")
                if seen is None:
                    problems[i].append(f"tanggal kunjungan '{v}' bukan tanggal (YYYY-MM-DD atau DD/MM/YYYY)")
                if born and seen:
                    age[i] = (seen - born).days
        with np.errstate(invalid="ignore"):
            for i in np.flatnonzero(age < 0):
                problems[i].append(f"umur {age[i]:g} hari negatif (tanggal kunjungan sebelum tanggal lahir?)")
        extra = {h: numbers(h, label) for h, label in (("headc_cm", "lingkar kepala"), ("muac_cm", "LiLA"))
                 if h in headers}
        return sex, measure, oedema, weight, lenhei, age, extra, problems, dropped

    # --- the columnar reader (CSV) -------------------------------------------------------------------------------
    def _columnar(self, path, raw_headers, headers, in_columns, out_columns, delimiter, output, chunk) -> None:
        """The same result as ``_row_by_row`` for a CSV, with column operations: polars reads the file in batches,
        parses and checks every column at once and writes the batch; the few rows that are not plainly valid are
        handed to ``_parse`` (the row reader's parser), which gives them the row reader's values and messages."""
        self.formula_chars = False
        with open(path, "rb") as fh:
            while block := fh.read(1 << 24):
                if any(c in block for c in PYTHON_ONLY_SPACE):
                    raise _RowReaderNeeded
                if b"\r" in block and b"\n" not in block:  # old Mac line ends
                    raise _RowReaderNeeded
                # a cell (stripped) can start a formula only with one of these: without them, no cell is checked
                self.formula_chars = self.formula_chars or any(c in block for c in FORMULA_START)
        names = [f"c{i}" for i in range(len(raw_headers))]
        columns = {h: names[i] for i, h in enumerate(raw_headers) if h}
        frame = pl.scan_csv(
            path, has_header=False, skip_rows=1, separator=delimiter, quote_char='"', infer_schema=False,
            schema={c: pl.String for c in names}, row_index_name="__index", truncate_ragged_lines=True,
            empty_string_is_null=False, encoding="utf8",
        ).select(
            pl.col("__index"), *[pl.col(c).fill_null("").str.strip_chars() for c in names],
        ).filter(pl.any_horizontal([pl.col(c) != "" for c in names])).select(
            pl.col("__index"), *[pl.col(c).alias(h) for h, c in columns.items()],
        )
        self.counts = {"rows": 0, "invalid": 0, "partial": 0}
        self.last_progress = 0.0
        with open(output, "wb") as fh:
            pl.DataFrame(schema={c: pl.String for c in in_columns + out_columns}).write_csv(
                fh, separator=delimiter, line_terminator="\r\n", quote_style="necessary")
            try:
                for batch in frame.collect_batches(chunk_size=chunk):
                    self._columnar_batch(batch, headers, in_columns, out_columns, delimiter, fh)
                    self._progress()
            except pl.exceptions.PolarsError as exc:  # e.g. not UTF-8: the row reader says where
                raise _RowReaderNeeded from exc

    def _columnar_batch(self, batch: pl.DataFrame, headers, in_columns, out_columns, delimiter, fh) -> None:
        n = batch.height
        if n == 0:
            return
        empty = pl.lit("")

        def text(name):
            return pl.col(name) if name in headers else empty

        def coded(name, table):
            """Codes as the row parser reads them (any case); -1 = not one of them (the row parser says why)."""
            if name not in headers:
                return pl.lit(0, pl.Int8).alias(name)
            mapping = {variant: code for key, code in table.items() for variant in _cases(key)}
            return pl.col(name).replace_strict({**mapping, "": 0}, default=-1, return_dtype=pl.Int8).alias(name)

        number_names = ["weight_kg", "lenhei_cm", "age_days"] + [h for h in OPTIONAL if h in headers]
        exprs = {
            "sex": coded("sex", SEX),
            "measure": coded("measure", {k: MEASURE_CODE[v] for k, v in MEASURE.items()}),
            "oedema": coded("oedema", {k: int(v) for k, v in OEDEMA.items()}),
        }
        for name in number_names:
            t = text(name)
            # polars reads no number that Python's float() refuses (it refuses some Python reads: 1_0, ١٢); a
            # decimal comma: the row parser replaces every comma when there is no point, which reads a number only
            # when there is exactly one comma, as replacing the first one does (below, for the texts that are
            # not read as they are). What polars cannot read, and nan/inf, is marked inf and goes to the row parser.
            exprs[name] = pl.when(t == "").then(pl.lit(None, pl.Float64)).otherwise(
                t.cast(pl.Float64, strict=False).fill_nan(float("inf")).fill_null(float("inf"))).alias(name)
        dates = {"birth_date", "visit_date"} <= set(headers)
        if dates:
            for name in ("birth_date", "visit_date"):
                t = pl.col(name)
                exprs[name] = pl.when(t.str.contains(ISO_DATE)) \
                    .then(t.str.strptime(pl.Date, "%Y-%m-%d", strict=False)) \
                    .when(t.str.contains(DMY_DATE)).then(t.str.strptime(pl.Date, "%d/%m/%Y", strict=False)) \
                    .otherwise(pl.lit(None, pl.Date)).alias(name)
            given = (pl.col("birth_date") != "") & (pl.col("visit_date") != "")
            exprs["__dates_given"] = given.alias("__dates_given")
        parsed = batch.select(list(exprs.values()))
        sex = parsed["sex"].to_numpy().astype(np.int8)
        measure = parsed["measure"].fill_null(0).to_numpy().astype(np.int8)
        oedema_code = parsed["oedema"].fill_null(0).to_numpy()
        num = {name: parsed[name].to_numpy().astype(float) for name in number_names}
        for name in number_names:
            unread = np.flatnonzero(np.isinf(num[name]))
            if len(unread) and name in headers:  # a decimal comma? (only these texts: most files have none)
                texts = batch[name].gather(unread)
                num[name][unread] = texts.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False) \
                    .fill_nan(float("inf")).fill_null(float("inf")).to_numpy()
        suspect = (sex < 0) | (measure < 0) | (oedema_code < 0)
        for name in number_names:
            with np.errstate(invalid="ignore"):
                suspect |= np.isinf(num[name])
                if name != "age_days":
                    suspect |= num[name] <= 0
        age = num["age_days"]
        if dates:
            born = parsed["birth_date"].to_numpy()
            seen = parsed["visit_date"].to_numpy()
            from_dates = np.isnan(age) & parsed["__dates_given"].to_numpy()
            unread = from_dates & (np.isnat(born) | np.isnat(seen))
            suspect |= unread
            use = from_dates & ~unread
            age = age.copy()
            age[use] = (seen[use] - born[use]).astype("timedelta64[D]").astype(float)
        with np.errstate(invalid="ignore"):
            suspect |= age < 0
        oedema = oedema_code == 1
        invalid = np.zeros(n, bool)
        if suspect.any():
            where = np.flatnonzero(suspect)
            index = batch["__index"].gather(where).to_list()
            values = batch.select(headers).gather(where).to_dicts()
            rows = [Row(number=i + 2, values=v) for i, v in zip(index, values)]
            r_sex, r_measure, r_oedema, r_weight, r_lenhei, r_age, r_extra, problems, dropped = self._parse(
                rows, headers)
            sex[where] = r_sex
            measure[where] = [MEASURE_CODE.get(m, 0) for m in r_measure]
            oedema[where] = r_oedema
            age[where] = r_age
            for name, values in (("weight_kg", r_weight), ("lenhei_cm", r_lenhei), *r_extra.items()):
                num[name][where] = values
            for j, (row, found) in enumerate(zip(rows, problems)):
                if found:
                    invalid[where[j]] = True
                self._report(row, found, dropped[j])
        sex[invalid] = 0  # no sex, no z-score: the row's outputs stay empty

        result = rules.zscores(sex, age, num["weight_kg"], num["lenhei_cm"], measure, oedema,
                               headc_cm=num.get("headc_cm"), muac_cm=num.get("muac_cm"), **self.rule_options)
        result.update(rules.status_codes(result))
        out = batch.select(in_columns)
        out = out.with_columns(*[self._text_column(name, result[name]) for name in out_columns])
        # polars quotes an empty string (""), Python's csv writes nothing: write empty cells as nulls
        out = out.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in in_columns)
        # Never a live formula (core.cells.csv_cell): a text a spreadsheet would run gets a leading quote.
        if self.formula_chars:
            out = out.with_columns(
                pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]") & ~pl.col(c).str.contains(FORMULA_SAFE_NUMBER))
                .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in in_columns)
        out.write_csv(fh, include_header=False, separator=delimiter, line_terminator="\r\n", quote_style="necessary")
        self.counts["rows"] += n
        self.counts["invalid"] += int(invalid.sum())

    @staticmethod
    def _text_column(name: str, values: np.ndarray) -> pl.Series:
        """One output column as the row writer writes it (labels as they are, flags 0/1, z-scores as ``repr``;
        null for an empty cell), in a type that polars writes so without making strings first."""
        if isinstance(values, tuple):  # a category: codes and names (rules.status_codes), written from an Enum
            codes, names = values  # code 0: no category (null), code i: names[i - 1]
            labels = pl.Series(name, [None, *names], dtype=pl.Enum(list(dict.fromkeys(names))))
            return labels.gather(np.asarray(codes, np.int8))
        values = np.asarray(values, dtype=float)
        if name.startswith("f"):
            return pl.Series(name, values, nan_to_null=True).cast(pl.Int8)
        series = pl.Series(name, values, nan_to_null=True)
        with np.errstate(invalid="ignore"):
            magnitude = np.abs(values)
            odd = np.flatnonzero(((magnitude < 1e-4) & (magnitude > 0)) | (magnitude >= 1e16))
        if len(odd):  # Python writes these with an exponent (1e-05), polars in full: take Python's
            series = series.cast(pl.String).scatter(odd, [repr(v) for v in values[odd].tolist()])
        return series
