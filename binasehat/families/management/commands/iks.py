"""``manage.py iks MEMBERS.csv --level LEVEL [--format csv]``: IKS and the 12 PIS-PK coverages from a members file.

Input (CSV UTF-8, comma/semicolon/tab, or XLSX), one row per family member: ``no_kk, desa_code, rt, rw, nik,
i01 … i12`` (other columns are ignored). Answers are Y / T / N; an empty cell is a missing answer. The household
indicators i11 and i12 are answered on any one member's row (empty on the others).

Output, one line per area at ``--level`` (``family``, ``rw``, ``desa``, ``kecamatan``, ``kabupaten``):
``area,families,families_complete,families_sehat,iks`` then ``iNN_y,iNN_t,iNN_coverage`` for each indicator.
``area`` is the Kemendagri code (``<desa>/RW<rw>`` for a RW), or the No. KK at level ``family``, where ``iks`` is the
family's own index (empty when it is undefined: an answer missing, or all 12 N). A family is complete when no
answer is missing. ``iks`` = families sehat / families complete; ``iNN_y`` / ``iNN_t``: complete families whose
value is Y / T; ``iNN_coverage`` = y / (y + t). Ratios are fractions 0–1 rounded half up from the exact fraction:
6 decimals with ``--format csv``, 3 (as Kemenkes prints them, and as the pages show them) in the default table.
The rules are ``binasehat.families.rules`` — the same functions the pages use.

A row with an answer other than Y/T/N/empty, or without no_kk or desa_code, is reported on stderr with its row
number and left out; the command then exits 1 (after printing the result of the other rows).

A CSV is read as columns (polars), no Python per row. The usual file (a family's members on consecutive rows, plain
answers) is read in batches of rows, and the rules run on each batch's whole families, so memory holds a batch and
the families, not the file (``read_families_streamed``); another file is read whole (``read_members_columnar``).
``--row-reader`` reads it row by row instead (the reference both columnar readers are tested against; XLSX files
are always read so).
"""

from __future__ import annotations

import sys

import numpy as np
import polars as pl
from django.core.management.base import BaseCommand, CommandError

from binasehat.core.cells import SafeCsvWriter
from binasehat.core.tabular import Table, TableError
from binasehat.families import rules

LEVELS = ("family", "rw", "desa", "kecamatan", "kabupaten")
REQUIRED = ("no_kk", "desa_code", "rt", "rw", "nik", *rules.COLUMNS)

_LUT_MEMBER = np.full(256, -9, np.int8)
_LUT_HOUSE = np.full(256, -9, np.int8)
for _lut, _empty in ((_LUT_MEMBER, rules.MISSING), (_LUT_HOUSE, rules.EMPTY)):
    _lut[ord("_")] = _empty
    for _ch, _code in (("Y", rules.Y), ("T", rules.T), ("N", rules.N)):
        _lut[ord(_ch)] = _code
        _lut[ord(_ch.lower())] = _code


def read_members(path: str, err) -> tuple[list[str], list[tuple[str, str, str]], np.ndarray, np.ndarray, int]:
    """Stream the file: (No. KK of each family, (desa, rw, rt) of each family, family index per member row,
    answer codes per member row, number of bad rows)."""
    try:
        table = Table(path)
    except (TableError, OSError) as exc:
        raise CommandError(str(exc)) from None
    missing = [c for c in REQUIRED if c not in table.headers]
    if missing:
        raise CommandError(f"{table.name}: missing columns: {', '.join(missing)}")
    index: dict[str, int] = {}
    kks: list[str] = []
    where: list[tuple[str, str, str]] = []
    family = []
    buf = bytearray()
    bad = 0
    cols = rules.COLUMNS
    try:
        for row in table.rows():
            v = row.values
            kk, desa = v.get("no_kk", "").replace(" ", ""), v.get("desa_code", "")
            answers = "".join(v.get(c) or "_" for c in cols)
            if not kk or not desa or len(answers) != 12:
                err.write(f"row {row.number}: " + ("no_kk or desa_code empty" if not kk or not desa else
                          "answers must be Y, T, N or empty") + "\n")
                bad += 1
                continue
            codes = np.frombuffer(answers.encode("latin-1", "replace"), np.uint8)
            if (_LUT_MEMBER[codes] == -9).any():
                err.write(f"row {row.number}: answers must be Y, T, N or empty\n")
                bad += 1
                continue
            i = index.get(kk)
            if i is None:
                i = index[kk] = len(kks)
                kks.append(kk)
                where.append((desa, rules.normalise_number(v.get("rw", "")), rules.normalise_number(v.get("rt", ""))))
            elif where[i][0] != desa:
                err.write(f"row {row.number}: No. KK {kk} already seen in desa {where[i][0]}; this row left out\n")
                bad += 1
                continue
            family.append(i)
            buf += answers.encode("ascii")
    except TableError as exc:
        raise CommandError(str(exc)) from None
    raw = np.frombuffer(bytes(buf), np.uint8).reshape(-1, 12) if buf else np.zeros((0, 12), np.uint8)
    answers = np.empty(raw.shape, np.int8)
    for j in range(12):
        answers[:, j] = (_LUT_HOUSE if j in rules.HOUSEHOLD else _LUT_MEMBER)[raw[:, j]]
    return kks, where, np.asarray(family, np.int64), answers, bad


_ANSWERS = {"Y": rules.Y, "y": rules.Y, "T": rules.T, "t": rules.T, "N": rules.N, "n": rules.N}
#: Answer cell → code, for member and for household columns (an empty cell, or "_", is missing / empty).
_CODES = {False: {**_ANSWERS, "": rules.MISSING, "_": rules.MISSING},
          True: {**_ANSWERS, "": rules.EMPTY, "_": rules.EMPTY}}
_DIGITS = r"^[0-9]{1,3}$"
#: The plain answer texts, as an Enum: its physical code indexes ``_ANSWER_LUT`` (member, household columns).
_ANSWER_TEXTS = ["", "_", "N", "Y", "T", "n", "y", "t"]
_ANSWER_ENUM = pl.Enum(_ANSWER_TEXTS)
_ANSWER_LUT = {household: np.array([_CODES[household][t] for t in _ANSWER_TEXTS], np.int8)
               for household in (False, True)}


class RowReaderNeeded(Exception):
    """The columnar reader cannot promise the row reader's result for this file."""


def _check_plain(table: Table) -> None:
    """Raise ``RowReaderNeeded`` for what polars would read otherwise than Python's csv module: the separators
    \x1c–\x1f (Python strips them) and old Mac line ends (\r without \n)."""
    with open(table.path, "rb") as fh:
        while block := fh.read(1 << 24):
            if any(c in block for c in (b"\x1c", b"\x1d", b"\x1e", b"\x1f")):  # Python strips these, polars not
                raise RowReaderNeeded
            if b"\r" in block and b"\n" not in block:
                raise RowReaderNeeded
    raw = getattr(table, "_raw", None)
    if raw is not None:
        raw.close()


def _scan(table: Table, names: list[str]) -> pl.LazyFrame:
    """The CSV as text columns ``c0``, ``c1``, … (empty, not null, for a missing cell), with the line number ``row``."""
    return pl.scan_csv(
        str(table.path), has_header=False, skip_rows=1, separator=getattr(table, "delimiter", ","),
        infer_schema=False, schema={c: pl.String for c in names}, row_index_name="row", row_index_offset=2,
        truncate_ragged_lines=True, empty_string_is_null=False,
    )


class NotStreamable(Exception):
    """The file is not one the streamed reader decides alone (see ``read_families_streamed``)."""


#: Member rows per batch of the streamed reader: the memory it holds is a batch, not the file.
BATCH_ROWS = 500_000


def _answer_byte(column: str) -> pl.Expr:
    """An answer cell as its one byte (``_`` for an empty cell; null for a longer text: the row reader decides it)."""
    col = pl.col(column).fill_null("")
    return pl.when(col.str.len_bytes() == 0).then(pl.lit(ord("_"), pl.UInt8)) \
        .otherwise(col.cast(pl.Binary).bin.reinterpret(dtype=pl.UInt8)).alias(column)


def read_families_streamed(table: Table, err, batch_rows: int | None = None):
    """``read_members_columnar`` + the rules, for the usual file, holding a batch of rows rather than the file: the
    members of a family on consecutive rows (grouped by No. KK), every answer one letter Y/T/N (any case), ``_`` or
    empty, each family in one desa. The file is read in batches of ``batch_rows`` rows, only the columns the rules
    need; a family is numbered where the No. KK changes, and ``rules.family_values`` / ``rules.family_complete`` run
    on each batch's whole families (the rows of a family still open at the end of a batch join the next batch).

    Returns (families: no_kk, desa, rw, rt in order of first appearance; their values; complete; bad rows): what
    ``read_members_columnar`` and ``compute_columnar`` give. Rows without No. KK or desa are left out with the row
    reader's message (a line of spaces only is skipped). Raises ``NotStreamable``, having written nothing, when the
    file is otherwise: an answer of another text (the whole-file reader decides it as the row reader does), a No. KK
    in two desa, or a No. KK on rows apart (its family is known only at the end of the file)."""
    names = [f"c{i}" for i in range(len(table.headers))]
    position = {h: names[i] for i, h in enumerate(table.headers) if h}
    luts = [_LUT_HOUSE if j in rules.HOUSEHOLD else _LUT_MEMBER for j in range(rules.N_INDICATORS)]
    query = _scan(table, names).select(
        pl.col("row"),
        pl.col(position["no_kk"]).fill_null("").str.strip_chars().str.replace_all(" ", "", literal=True).alias("kk"),
        *[pl.col(position[h]).fill_null("").str.strip_chars().alias(h) for h in ("desa_code", "rw", "rt")],
        *[_answer_byte(position[c]).alias(c) for c in rules.COLUMNS],
    )
    frames, values, complete, no_id = [], [], [], []
    carry = None

    def whole_families(batch: pl.DataFrame, last: bool) -> None:
        """Number the families of ``batch`` and run the rules on them; unless ``last``, the rows of its last family
        (which may go on in the next batch) are kept in ``carry``."""
        nonlocal carry
        kk, desa = batch.get_column("kk"), batch.get_column("desa_code")
        starts = np.empty(batch.height, bool)
        starts[0] = True
        starts[1:] = (kk.slice(1) != kk.slice(0, batch.height - 1)).to_numpy()
        first = np.flatnonzero(starts)
        if not last:
            cut = int(first[-1])
            batch, carry, starts, first = batch.slice(0, cut), batch.slice(cut), starts[:cut], first[:-1]
            if not cut:
                return
            desa = desa.slice(0, cut)
        if (~starts[1:] & (desa.slice(1) != desa.slice(0, batch.height - 1)).to_numpy()).any():
            raise NotStreamable  # a No. KK in two desa: the rows after the first desa's are left out
        family = np.cumsum(starts, dtype=np.int32) - 1
        answers = np.empty((batch.height, rules.N_INDICATORS), np.int8)
        for j, c in enumerate(rules.COLUMNS):
            answers[:, j] = luts[j][batch.get_column(c).to_numpy()]
        if (answers == -9).any():
            raise NotStreamable  # an answer other than Y/T/N/empty: the whole-file reader reports it
        values.append(rules.family_values(answers, family, len(first)))
        complete.append(rules.family_complete(answers, family, len(first)))
        frames.append(batch.select("kk", "desa_code", "rw", "rt").filter(pl.Series(starts)))

    try:
        for batch in query.collect_batches(chunk_size=batch_rows or BATCH_ROWS, engine="streaming"):
            if any(batch.get_column(c).null_count() for c in rules.COLUMNS):
                raise NotStreamable  # an answer of more than one letter: the whole-file reader decides it
            missing = ((batch.get_column("kk") == "") | (batch.get_column("desa_code") == "")).to_numpy()
            if missing.any():
                no_id.append(batch.get_column("row").filter(pl.Series(missing)))
                batch = batch.filter(pl.Series(~missing))
            if carry is not None:
                batch = pl.concat([carry, batch])
                carry = None
            if batch.height:
                whole_families(batch.rechunk(), last=False)
        if carry is not None:
            whole_families(carry, last=True)
    except pl.exceptions.PolarsError as exc:  # e.g. not UTF-8: the row reader says where
        raise RowReaderNeeded from exc
    families = pl.concat(frames) if frames else pl.DataFrame(schema=dict.fromkeys(("kk", "desa_code", "rw", "rt"),
                                                                                  pl.String))
    kk = families.get_column("kk").rechunk()
    if len(kk) > 1 and not (kk.slice(1) > kk.slice(0, len(kk) - 1)).all() and kk.is_duplicated().any():
        raise NotStreamable  # a No. KK on rows apart (the file is not grouped by No. KK)
    bad = []
    if no_id:  # a line of spaces only is skipped, as the row reader skips it; the others are left out
        rows = pl.concat(no_id)
        bad = _scan(table, names).filter(pl.col("row").is_in(rows.implode())).filter(
            pl.any_horizontal([pl.col(c).fill_null("").str.strip_chars() != "" for c in names]),
        ).select("row").collect().get_column("row").sort().to_list()
    for row in bad:
        err.write(f"row {row}: no_kk or desa_code empty\n")
    families = families.select(pl.col("kk").alias("no_kk"), pl.col("desa_code").alias("desa"),
                               *[_normalised(families, c) for c in ("rw", "rt")])
    values = np.concatenate(values) if values else np.zeros((0, rules.N_INDICATORS), np.int8)
    complete = np.concatenate(complete) if complete else np.zeros(0, bool)
    return families, values, complete, len(bad)


def read_members_columnar(table: Table, err):
    """``read_members`` for a CSV, as columns. Returns (families: a DataFrame of no_kk, desa, rw, rt in the order
    each family first appears, family index per member row, answer codes per member row, number of bad rows);
    the same families, rows, codes and messages as ``read_members``."""
    names = [f"c{i}" for i in range(len(table.headers))]
    position = {h: names[i] for i, h in enumerate(table.headers) if h}

    def scan():
        return _scan(table, names).with_columns(pl.col(c).fill_null("") for c in names)

    try:
        # Answers are read through an Enum of the plain answer texts (a lookup per cell; null for any other text),
        # and only the No. KK, desa, RT and RW are stripped: stripping every cell of every column, and
        # ``replace_strict`` on the answers, were most of the reading time. The few rows these cannot decide (an
        # answer with spaces or not Y/T/N, an empty No. KK or desa: perhaps a line of spaces only) are read again
        # below and decided as the row reader decides them.
        frame = scan().filter(pl.any_horizontal([pl.col(c) != "" for c in names])).select(
            pl.col("row"), *[pl.col(position[h]).str.strip_chars().alias(h) for h in ("desa_code", "rt", "rw")],
            pl.col(position["no_kk"]).str.strip_chars().str.replace_all(" ", "", literal=True).alias("kk"),
            *[pl.col(position[c]).cast(_ANSWER_ENUM, strict=False).to_physical().alias(c + "_text")
              for c in rules.COLUMNS],
        ).collect(engine="streaming")
        codes = np.empty((frame.height, 12), np.int8)
        undecided = ((frame["kk"] == "") | (frame["desa_code"] == "")).to_numpy()
        for j, c in enumerate(rules.COLUMNS):
            text = frame[c + "_text"]
            codes[:, j] = _ANSWER_LUT[j in rules.HOUSEHOLD][text.fill_null(0).to_numpy()]
            if text.null_count():
                undecided |= text.is_null().to_numpy()
        frame = frame.drop([c + "_text" for c in rules.COLUMNS])
        if undecided.any():
            where = np.flatnonzero(undecided)
            rows = frame["row"].gather(where)
            again = scan().filter(pl.col("row").is_in(rows.implode())).select(
                pl.col("row"), pl.all_horizontal([pl.col(c).str.strip_chars() == "" for c in names]).alias("blank"),
                *[pl.col(position[c]).str.strip_chars()
                  .replace_strict(_CODES[j in rules.HOUSEHOLD], default=-9, return_dtype=pl.Int8).alias(c)
                  for j, c in enumerate(rules.COLUMNS)],
            ).collect()
            again = rows.to_frame().join(again, on="row", how="left", maintain_order="left")  # in frame's order
            codes[where] = again.select(rules.COLUMNS).to_numpy()
            blank = np.zeros(frame.height, bool)
            blank[where] = again["blank"].to_numpy()
            if blank.any():  # a line of spaces only: skipped, as the row reader skips it
                frame, codes = frame.filter(pl.Series(~blank)), codes[~blank]
        frame = frame.with_columns(pl.Series(c + "_code", codes[:, j]) for j, c in enumerate(rules.COLUMNS))
        del codes
    except pl.exceptions.PolarsError as exc:  # e.g. not UTF-8: the row reader says where
        raise RowReaderNeeded from exc
    no_id = (frame["kk"] == "") | (frame["desa_code"] == "")
    bad_answer = frame.select(pl.any_horizontal(pl.col(c + "_code") == -9 for c in rules.COLUMNS)) \
        .to_series().to_numpy()
    no_id = no_id.to_numpy()
    bad_answer &= ~no_id
    # (no copy of the rows when every row passes: the usual case, and the tables here are millions of rows)
    passed = frame.filter(pl.Series(~no_id & ~bad_answer)) if no_id.any() or bad_answer.any() else frame
    first = passed.group_by("kk", maintain_order=True).agg(pl.col("desa_code").first().alias("first_desa"),
                                                           pl.col("rw").first(), pl.col("rt").first())
    keys = passed.select("kk").join(first.select("kk", "first_desa").with_row_index("family"), on="kk",
                                    how="left", maintain_order="left")
    passed = passed.with_columns(keys["family"], keys["first_desa"])
    del keys
    conflict = (passed["desa_code"] != passed["first_desa"]).to_numpy()
    messages = []
    for row in frame.filter(pl.Series(no_id)).get_column("row").to_list():
        messages.append((row, "no_kk or desa_code empty"))
    for row in frame.filter(pl.Series(bad_answer)).get_column("row").to_list():
        messages.append((row, "answers must be Y, T, N or empty"))
    for row, kk, desa in passed.filter(pl.Series(conflict)).select("row", "kk", "first_desa").iter_rows():
        messages.append((row, f"No. KK {kk} already seen in desa {desa}; this row left out"))
    for row, text in sorted(messages):
        err.write(f"row {row}: {text}\n")
    members = passed.filter(pl.Series(~conflict)) if conflict.any() else passed
    answers = np.empty((members.height, 12), np.int8)
    for j, c in enumerate(rules.COLUMNS):
        answers[:, j] = members[c + "_code"].to_numpy()
    families = first.select(pl.col("kk").alias("no_kk"), pl.col("first_desa").alias("desa"),
                            *[_normalised(first, c) for c in ("rw", "rt")])
    return families, members["family"].to_numpy().astype(np.int64), answers, len(messages)


def _normalised(families: pl.DataFrame, name: str) -> pl.Expr:
    """``rules.normalise_number`` as a column: 1–3 digits zero-padded to 3; other ASCII texts as they are; the
    few other texts (digits of other scripts) through the rule itself, once per distinct text."""
    col = pl.col(name)
    others = families.filter(~col.str.contains(r"^[\x00-\x7f]*$")).get_column(name).unique().to_list()
    expr = pl.when(col.str.contains(_DIGITS)).then(col.str.zfill(3))
    if others:
        expr = expr.when(col.is_in(others)).then(col.replace_strict({v: rules.normalise_number(v) for v in others},
                                                                    default=col))
    return expr.otherwise(col).alias(name)


def compute_columnar(families: pl.DataFrame, family, answers, level: str):
    """``compute`` for the columnar reader: area keys as column operations. Returns (areas sorted, counts per area,
    family values, complete, each family's area index)."""
    n = families.height
    values = rules.family_values(answers, family, n)
    complete = rules.family_complete(answers, family, n)
    return compute_families(families, values, complete, level)


def compute_families(families: pl.DataFrame, values, complete, level: str):
    """Area counts from family values: (areas sorted, counts per area, values, complete, each family's area index)."""
    rw = pl.when(pl.col("rw") == "").then(pl.lit("-")).otherwise(pl.col("rw"))
    rt = pl.when(pl.col("rt") == "").then(pl.lit("-")).otherwise(pl.col("rt"))
    if level == "family":
        key = pl.col("no_kk")
    elif level == "rw":
        key = pl.concat_str(pl.col("desa"), pl.lit("/RW"), rw)
    elif level == "rt":
        key = pl.concat_str(pl.col("desa"), pl.lit("/RW"), rw, pl.lit("/RT"), rt)
    else:
        parts = {"desa": 4, "kecamatan": 3, "kabupaten": 2, "provinsi": 1}[level]
        key = pl.col("desa").str.split(".").list.head(parts).list.join(".")
    keys = families.select(key.alias("key"))
    areas = keys.get_column("key").unique().sort()
    group = keys.join(areas.to_frame().with_row_index("group"), on="key", how="left",
                      maintain_order="left")["group"].to_numpy().astype(np.int64)
    return areas.to_list(), rules.area_counts(values, group, len(areas), complete), values, complete, group


def compute(kks, where, family, answers, level: str):
    """(area codes sorted, counts per area, family values) for the members read."""
    values = rules.family_values(answers, family, len(kks))
    complete = rules.family_complete(answers, family, len(kks))
    keys = [rules.area_key(level, desa=d, rw=rw, rt=rt, no_kk=kk) for kk, (d, rw, rt) in zip(kks, where)]
    areas, group = np.unique(np.array(keys, dtype=object).astype(str), return_inverse=True)
    return list(areas), rules.area_counts(values, group.ravel(), len(areas), complete), values, complete


def header() -> list[str]:
    out = ["area", "families", "families_complete", "families_sehat", "iks"]
    for c in rules.COLUMNS:
        out += [f"{c}_y", f"{c}_t", f"{c}_coverage"]
    return out


def lines(areas, counts, values, complete, level: str, places: int):
    scores = rules.family_scores(values, complete) if level == "family" else None
    for a, code in enumerate(areas):
        f = rules.figures(counts, a)
        if level == "family":
            k = a  # values are in the order of ``areas`` (sorted No. KK)
            y, t = int(scores.sum_y[k]), int(scores.sum_t[k])
            iks = rules.ratio_text(y, y + t, places) if scores.complete[k] and y + t else ""
        else:
            iks = rules.ratio_text(f.sehat, f.complete, places)
        out = [code, str(f.families), str(f.complete), str(f.sehat), iks]
        for i in range(rules.N_INDICATORS):
            out += [str(f.y[i]), str(f.t[i]), rules.ratio_text(f.y[i], f.y[i] + f.t[i], places)]
        yield out


class Command(BaseCommand):
    requires_system_checks = []  # a file in, figures out: the database and URL checks do not concern it
    help = "IKS and the 12 PIS-PK coverages per area, computed from a members file alone."

    def add_arguments(self, parser):
        parser.add_argument("members", help="CSV/XLSX: no_kk,desa_code,rt,rw,nik,i01,…,i12")
        parser.add_argument("--level", choices=LEVELS, default="desa")
        parser.add_argument("--format", choices=("table", "csv"), default="table")
        parser.add_argument("--row-reader", action="store_true",
                            help="read a CSV row by row (slower; the reference the columnar reader is tested against)")

    def handle(self, *args, members, level, format, row_reader=False, **options):

        areas = None
        if not row_reader:
            try:
                table = Table(members)
            except (TableError, OSError) as exc:
                raise CommandError(str(exc)) from None
            missing = [c for c in REQUIRED if c not in table.headers]
            if missing:
                raise CommandError(f"{table.name}: missing columns: {', '.join(missing)}")
            if table.kind == "csv" and table.encoding != "cp1252":  # polars reads UTF-8 only
                try:
                    _check_plain(table)
                    try:
                        families, values, complete, bad = read_families_streamed(table, self.stderr)
                    except NotStreamable:
                        families, family, answers, bad = read_members_columnar(table, self.stderr)
                        values = complete = None
                except RowReaderNeeded:
                    pass
                else:
                    if not families.height:
                        raise CommandError("no valid member rows")
                    if values is None:
                        areas, counts, values, complete, group = compute_columnar(families, family, answers, level)
                        del family, answers
                    else:
                        areas, counts, values, complete, group = compute_families(families, values, complete, level)
                    if level == "family":  # one family per area: the family of each area, in the areas' order
                        order = np.argsort(group)
                        values, complete = values[order], complete[order]
        if areas is None:
            kks, where, family, answers, bad = read_members(members, self.stderr)
            if not kks:
                raise CommandError("no valid member rows")
            areas, counts, values, complete = compute(kks, where, family, answers, level)
            if level == "family":  # areas are the sorted No. KK; map each back to its family
                order = [kks.index(a) for a in areas] if len(kks) < 2 else np.argsort(np.array(kks))
                values, complete = values[order], complete[order]
        rows = lines(areas, counts, values, complete, level, 6 if format == "csv" else 3)  # written as made
        if format == "csv":
            writer = SafeCsvWriter(self.stdout, lineterminator="\n")
            writer.writerow(header())
            writer.writerows(rows)
        else:
            short = ["area", "families", "complete", "sehat", "iks"] + [f"{c}%" for c in rules.COLUMNS]
            table = [short] + [r[:5] + [(rules.ratio_text(100 * int(r[5 + 3 * i]), int(r[5 + 3 * i]) + int(r[6 + 3 * i]), 1)
                                         or "N") for i in range(12)] for r in rows]
            widths = [max(len(x[c]) for x in table) for c in range(len(short))]
            for r in table:
                self.stdout.write("  ".join(v.rjust(w) if c else v.ljust(w) for c, (v, w) in enumerate(zip(r, widths))))
        if bad:
            self.stderr.write(f"{bad} row(s) left out")
            sys.exit(1)
