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
A row whose values cannot be read (unknown sex, a number or date that is not one, a negative age, a weight or
length ≤ 0, an unknown measure or oedema code) gets empty outputs and a line on stderr naming its row.

The file is streamed and computed in chunks (``--chunk``, 100,000 rows), so its size does not matter.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from binasehat.core.cells import SafeCsvWriter
from binasehat.core.tabular import Table, TableError
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
        parser.add_argument("--quiet-progress", action="store_true", help="no progress lines on stderr")

    def handle(self, *args, input, output, chunk, convention, no_who2007, quiet_progress, **options):
        started = time.monotonic()
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
        self.counts = {"rows": 0, "invalid": 0}
        delimiter = getattr(table, "delimiter", ",")
        last = [0.0]
        try:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                writer = SafeCsvWriter(fh, delimiter=delimiter)
                writer.writerow(in_columns + out_columns)
                buffer = []
                for row in table.rows():
                    buffer.append(row)
                    if len(buffer) >= chunk:
                        self._flush(buffer, headers, in_columns, out_columns, writer)
                        buffer = []
                        now = time.monotonic()
                        if not quiet_progress and now - last[0] >= 1.0:
                            last[0] = now
                            self.stderr.write(f"… {self.counts['rows']} baris dihitung ({now - started:.1f} s)")
                if buffer:
                    self._flush(buffer, headers, in_columns, out_columns, writer)
        except TableError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        except OSError as exc:
            self.stderr.write(f"Berkas hasil {output} tidak dapat ditulis: {exc.strerror or exc}")
            sys.exit(2)
        except WhoTableUnavailable as exc:
            raise CommandError(f"Tabel WHO tidak tersedia: {exc}") from None
        rows, invalid = self.counts["rows"], self.counts["invalid"]
        self.stderr.write(
            f"{rows} baris dalam {time.monotonic() - started:.1f} s"
            + (f"; {invalid} baris tidak dihitung karena datanya tidak dapat dibaca" if invalid else "")
        )
        self.stdout.write(f"rows={rows} invalid={invalid}")

    # --- one chunk -------------------------------------------------------------------------------------------------
    def _flush(self, rows, headers, in_columns, out_columns, writer) -> None:
        n = len(rows)
        problems: list[list[str]] = [[] for _ in range(n)]

        def column(name):
            return [r.values.get(name, "") for r in rows] if name in headers else [""] * n

        def numbers(name, label, positive=True):
            values, bad = parse_numbers(column(name))
            for i in np.flatnonzero(bad):
                problems[i].append(f"{label} '{rows[i].values.get(name)}' bukan angka")
            if positive:
                with np.errstate(invalid="ignore"):
                    for i in np.flatnonzero(values <= 0):
                        problems[i].append(f"{label} {rows[i].values.get(name)} harus lebih dari 0")
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
        oedema = np.array([bool(o) for o in codes("oedema", "oedema", OEDEMA, "y/ya/1 atau n/tidak/2")])
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

        invalid = np.array([bool(p) for p in problems])
        for i in np.flatnonzero(invalid):
            self.stderr.write(f"baris {rows[i].number}: {'; '.join(problems[i])}; baris ini tidak dihitung")
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
