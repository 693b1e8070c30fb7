"""The one import mechanism: every kind of data that arrives as a spreadsheet registers an ``Importer`` here.

Flow: open the file(s) → check the columns → validate every row (create / update / unchanged / reject, with
a reason in Indonesian) → commit everything in one transaction, or nothing. By default any rejected row
stops the commit (the file is fixed and imported again: imports are idempotent by natural key); with
``partial`` the valid rows are committed and the rejected ones listed, as DHIS2 does.

The web pages and ``manage.py import_data`` both call ``run_import``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import limits
from .audit import file_sha256
from .scope import Scope
from .tabular import Row, Table, TableError, header_key

log = logging.getLogger("binasehat.imports")

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
#: Decided only in ``Importer.finish`` (not counted when returned by ``check_row``).
DEFER = "defer"
MAX_KEPT_REJECTIONS = 5000
MAX_SAMPLES = 50
#: Columns of the file shown for each sample row of the preview.
MAX_SAMPLE_COLUMNS = 8
MAX_KEPT_WARNINGS = 5000
MAX_KEPT_CONFLICTS = 5000
#: Bytes of the fingerprint kept per row between the preview and the commit.
FINGERPRINT_BYTES = 8


class RowError(Exception):
    """A row cannot be imported; the message says why, in Indonesian."""


@dataclass(slots=True)
class Outcome:
    action: str
    key: str = ""
    data: Any = None
    reason: str = ""
    #: For updates: {field: [before, after]} shown in the preview.
    changes: dict | None = None
    where: str = ""
    #: The stored record the decision was made on (None: there was none). The commit compares it with what the
    #: preview saw, so that an edit made in between is reported, never overwritten.
    state: Any = None
    #: Plausibility warnings (in Indonesian): shown in the preview, they never stop the row.
    warnings: list[str] = field(default_factory=list)


def create(key: str, data: Any) -> Outcome:
    return Outcome(CREATE, key=key, data=data)


def update(key: str, data: Any, changes: dict, *, state: Any = None) -> Outcome:
    return Outcome(UPDATE, key=key, data=data, changes=changes, state=state)


def unchanged(key: str, *, state: Any = None) -> Outcome:
    return Outcome(UNCHANGED, key=key, state=state)


def reject(reason: str, key: str = "") -> Outcome:
    return Outcome(REJECT, key=key, reason=reason)


def defer(key: str = "") -> Outcome:
    return Outcome(DEFER, key=key)


@dataclass
class ImportResult:
    kind: str
    dry_run: bool = False
    partial: bool = False
    rows: int = 0
    planned: dict[str, int] = field(default_factory=lambda: {CREATE: 0, UPDATE: 0, UNCHANGED: 0, REJECT: 0})
    rejections: list[dict] = field(default_factory=list)
    samples: dict[str, list[dict]] = field(default_factory=lambda: {CREATE: [], UPDATE: []})
    notices: list[str] = field(default_factory=list)
    error: str = ""
    committed: bool = False
    #: Rows whose stored record changed between the preview and the commit.
    conflicts: list[dict] = field(default_factory=list)
    conflicted: int = 0
    #: One fingerprint per row (what the row would do, and to which stored state): kept with the preview.
    fingerprints: bytearray = field(default_factory=bytearray, repr=False)
    #: How each file was read ("…: CSV, pengodean Windows-1252, pemisah titik koma (;)").
    read_as: list[str] = field(default_factory=list)
    #: The file's own names of the columns shown for each sample row (``samples[…]["cells"]``).
    sample_columns: list[str] = field(default_factory=list)
    #: Plausibility warnings: {row, key, message}; ``warned`` counts the rows with at least one.
    warnings: list[dict] = field(default_factory=list)
    warned: int = 0
    #: Wall seconds spent in each step ("begin", "read_validate", "write_total", and what the importer's ``write``
    #: adds, e.g. "zscores", "write", "audit"), for benches and logs.
    timings: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def rejected(self) -> int:
        return self.planned[REJECT]

    def counts(self) -> dict[str, int]:
        """What was written (after a commit) or would be written (dry run)."""
        wrote = self.committed or self.dry_run
        return {
            "created": self.planned[CREATE] if wrote else 0,
            "updated": self.planned[UPDATE] if wrote else 0,
            "unchanged": self.planned[UNCHANGED],
            "rejected": self.planned[REJECT],
        }

    def summary_line(self) -> str:
        c = self.counts()
        return f"created={c['created']} updated={c['updated']} unchanged={c['unchanged']} rejected={c['rejected']}"

    def as_json(self) -> dict:
        return {
            "kind": self.kind, "dry_run": self.dry_run, "partial": self.partial, "rows": self.rows,
            "planned": self.planned, "rejections": self.rejections, "samples": self.samples,
            "notices": self.notices, "error": self.error, "committed": self.committed, "conflicts": self.conflicts,
            "conflicted": self.conflicted, "read_as": self.read_as, "sample_columns": self.sample_columns,
            "warnings": self.warnings, "warned": self.warned,
        }


class Importer:
    """Base of every kind of import. Subclasses set the class attributes and implement ``check_row`` and
    ``write``; ``begin`` preloads what validation needs (one query, not one per row)."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    description: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    #: Indonesian names accepted for a column, as a user or an Excel sheet writes them ({"name": ("nama anak",
    #: "nama")}); the first one is shown in the template and the docs. Matched like every header
    #: (``tabular.header_key``): case, spaces, dots, underscores, dashes, slashes and brackets do not count.
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Columns never copied into the stored preview (the uploaded file itself is deleted after the import).
    private_columns: ClassVar[tuple[str, ...]] = ("nik", "child_nik", "no_kk")
    #: Role permission needed to run it from the web.
    permission: ClassVar[str] = "imports.run"
    #: Example rows for the downloadable template.
    example: ClassVar[list[dict[str, str]]] = []
    #: The model of the records this import updates when they carry a ``version``: each update's ``state`` then
    #: holds the ``id`` and ``version`` it was decided on, and the commit locks and re-checks them.
    versioned_model: ClassVar[Any] = None
    #: Rows written per chunk while the file is still being validated, inside the import's one transaction (0: all
    #: rows written once every row was validated). Only for importers whose ``write`` may run several times.
    chunk_rows: ClassVar[int] = 0

    def __init__(self, *, actor=None, scope: Scope | None = None, source: str = "import", job_id: int | None = None):
        self.actor = actor
        self.scope = scope or Scope(everything=True)
        self.source = source
        self.job_id = job_id

    @classmethod
    def columns(cls) -> list[str]:
        return [*cls.required, *cls.optional]

    @classmethod
    def header_keys(cls) -> dict[str, str]:
        """Every accepted header (as ``tabular.header_key`` reduces it) → the column it means."""
        keys = {header_key(c): c for c in cls.columns()}
        for column, names in cls.aliases.items():
            for name in names:
                keys.setdefault(header_key(name), column)
        return keys

    @classmethod
    def column_label(cls, column: str) -> str:
        """The Indonesian name of a column (its first alias), else the column itself."""
        names = cls.aliases.get(column)
        return names[0] if names else column

    @classmethod
    def column_help(cls) -> list[tuple[str, str, list[str]]]:
        """(column, main Indonesian name, other accepted names) for the import page and the template."""
        return [(c, cls.column_label(c), list(cls.aliases.get(c, ())[1:])) for c in cls.columns()]

    def display_value(self, field: str, value: Any) -> Any:
        """A stored value as the preview shows it (e.g. a posyandu id as its code); override where needed."""
        return value

    def begin(self) -> None:
        """Load what the row checks need."""

    def check_row(self, row: Row) -> Outcome:
        raise NotImplementedError

    def finish(self) -> Iterable[tuple[Row | None, Outcome]]:
        """Outcomes decided only after every row was seen (e.g. a parent that comes later in the file)."""
        return ()

    def write(self, creates: list[Outcome], updates: list[Outcome]) -> None:
        raise NotImplementedError

    def audit_kwargs(self) -> dict:
        return {"actor": self.actor, "source": self.source, "import_job_id": self.job_id}

    @staticmethod
    def check_limits(model, data: dict, row: Row, columns: dict[str, str] | None = None) -> None:
        """Refuse the row when a value does not fit its database column (read from ``model``'s fields)."""
        found = limits.problems(model, data)
        if found:
            name, problem = next(iter(found.items()))
            column = (columns or {}).get(name, name)
            raise RowError(limits.message(column, row.get(column) or data[name], problem, row=row.where))


_REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    if not cls.kind:
        raise ValueError("an importer needs a kind")
    _REGISTRY[cls.kind] = cls
    return cls


def importer_kinds() -> dict[str, type[Importer]]:
    return dict(sorted(_REGISTRY.items()))


def get_importer(kind: str) -> type[Importer]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise KeyError(
            _("Jenis impor %(kind)s tidak dikenal. Yang tersedia: %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(sorted(_REGISTRY))}
        ) from None


def match_columns(importer: Importer, table: Table) -> dict[str, str]:
    """Read the file's headers as the importer's columns ("Nama Anak" → ``name``), renaming them in ``table``;
    returns {column: the header as the file writes it}. Two headers meaning the same column refuse the file."""
    keys = importer.header_keys()
    written = getattr(table, "written", table.headers)
    found: dict[str, str] = {}
    names: dict[str, str] = {}
    for header, as_written in zip(table.headers, written):
        if not header:
            continue
        column = keys.get(header_key(header))
        if column is None:
            continue
        if column in found:
            raise TableError(
                _("Kolom \"%(a)s\" dan \"%(b)s\" di %(name)s sama-sama berarti %(col)s; hapus salah satunya.")
                % {"a": found[column], "b": as_written, "name": table.name, "col": importer.column_label(column)}
            )
        found[column] = as_written or header
        if column != header:
            names[header] = column
    table.rename(names)
    return found


def check_columns(importer: Importer, table: Table, result: ImportResult) -> dict[str, str]:
    found = match_columns(importer, table)
    missing = [c for c in importer.required if c not in found]
    if missing:
        raise TableError(
            _("Kolom wajib tidak ada di %(name)s: %(missing)s. Kolom yang diharapkan: %(expected)s.")
            % {"name": table.name, "missing": ", ".join(_named(importer, c) for c in missing),
               "expected": ", ".join(importer.columns())}
        )
    written = dict(zip(table.headers, getattr(table, "written", table.headers)))
    extra = [written.get(h) or h for h in table.headers if h and h not in found]
    if extra:
        result.notices.append(
            _("Kolom berikut di %(name)s tidak dikenal dan diabaikan: %(extra)s")
            % {"name": table.name, "extra": ", ".join(extra)}
        )
    return found


def _named(importer: Importer, column: str) -> str:
    label = importer.column_label(column)
    return f"{column} ({label})" if label != column else column


def _fingerprint(outcome: Outcome) -> bytes:
    state = outcome.state
    where, key = outcome.where, outcome.key
    if state is None and outcome.action != UPDATE and type(where) is str and type(key) is str:
        # No stored state (a new row, a rejected one): the JSON text below written directly, the same bytes.
        text = f"[{_JSON_STRING(where)}, {_JSON_STRING(key)}, {_JSON_STRING(outcome.action)}, null]"
        return _blake2b(text.encode(), digest_size=FINGERPRINT_BYTES).digest()
    if state is None and outcome.action == UPDATE and outcome.changes:
        state = {k: v[0] for k, v in outcome.changes.items()}  # the stored values this update replaces
    text = _FINGERPRINT_JSON([outcome.where, outcome.key, outcome.action, state])
    return _blake2b(text.encode(), digest_size=FINGERPRINT_BYTES).digest()


#: ``json.dumps(…, sort_keys=True, default=str)`` with its encoder built once.
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, default=str).encode
#: A str as that encoder writes it (quoted, non-ASCII escaped).
_JSON_STRING = json.encoder.encode_basestring_ascii
_blake2b = hashlib.blake2b


def _describe(outcome: Outcome) -> str:
    if outcome.action == CREATE:
        return _("belum ada di basis data, akan dibuat")
    if outcome.action == UPDATE:
        return _("akan mengubah %(fields)s") % {"fields": ", ".join(outcome.changes or {}) or "-"}
    if outcome.action == UNCHANGED:
        return _("sudah sama dengan isi berkas")
    return _("ditolak: %(reason)s") % {"reason": outcome.reason}


class _Changed(Exception):
    def __init__(self, outcomes: list[Outcome]):
        super().__init__(len(outcomes))
        self.outcomes = outcomes


def _changed_since_validation(importer: Importer, updates: list[Outcome]) -> list[Outcome]:
    """Lock the records about to be updated and return the updates whose record changed after it was read."""
    model = importer.versioned_model
    if model is None:
        return []
    seen = {o.state["id"]: o for o in updates
            if isinstance(o.state, dict) and "id" in o.state and "version" in o.state}
    ids = sorted(seen)
    current = {}
    for start in range(0, len(ids), 2000):
        current.update(model.objects.select_for_update().filter(pk__in=ids[start:start + 2000])
                       .values_list("pk", "version"))
    return [o for pk, o in seen.items() if current.get(pk) != o.state["version"]]


def run_import(
    importer: Importer,
    tables: list[Table],
    *,
    dry_run: bool = False,
    partial: bool = False,
    progress: Callable[[int, float], None] | None = None,
    expected: bytes | None = None,
) -> ImportResult:
    """Validate every row of ``tables`` (read as one import, in order), then commit all or nothing.

    ``expected`` is the preview's ``fingerprints``: when any row would now do something else, or to a stored
    record that changed since the preview (someone edited it in between), nothing is written and the rows are
    listed in ``conflicts``."""
    with _collector_paused():
        return _run_import(importer, tables, dry_run=dry_run, partial=partial, progress=progress, expected=expected)


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while an import runs, and one collection of the young generations
    afterwards. An import keeps every validated row until its chunk is written (50,000 rows: a few hundred thousand
    objects), so the collector, started every 700 allocations, would traverse them again and again while finding
    almost nothing (rows, outcomes and parsed values hold no cycles): 15–20 % of an import's CPU time. Memory freed
    by reference counting is freed as before; ``run_import`` also collects after each chunk it writes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


def _run_import(importer, tables, *, dry_run, partial, progress, expected) -> ImportResult:
    result = ImportResult(kind=importer.kind, dry_run=dry_run, partial=partial)
    creates: list[Outcome] = []
    updates: list[Outcome] = []
    seen: dict[str, str] = {}
    shown: list[str] = []  # the columns whose cells a sample row shows, in the first file's order
    labels: dict[str, str] = {}  # column → its header as the file writes it

    def label(name: str) -> str:
        """A stored field as the user knows it: the file's header for it (``desa_id`` → "Kode Desa")."""
        if name in labels:
            return labels[name]
        if name.endswith("_id") and f"{name[:-3]}_code" in labels:
            return labels[f"{name[:-3]}_code"]
        return importer.column_label(name)

    def sample(row: Row | None, outcome: Outcome) -> dict:
        item = {"row": outcome.where, "key": outcome.key,
                "cells": [row.values.get(c, "") for c in shown] if row is not None else []}
        if outcome.changes:
            item["changes"] = {label(f): [importer.display_value(f, v[0]), importer.display_value(f, v[1])]
                               for f, v in outcome.changes.items()}
        else:
            item["changes"] = {}
        return item

    planned = result.planned
    fingerprints = result.fingerprints
    kept = {CREATE: creates, UPDATE: updates}

    def record(row: Row | None, outcome: Outcome) -> None:
        if row is not None:
            outcome.where = row.where
        action = outcome.action
        key = outcome.key
        if action != REJECT and key:
            first = seen.get(key)
            if first is not None:
                outcome = Outcome(
                    REJECT, key=key, where=outcome.where,
                    reason=_("Duplikat: %(key)s sudah ada di baris %(first)s berkas ini.")
                    % {"key": key, "first": first},
                )
                action = REJECT
            else:
                seen[key] = outcome.where
        fingerprint = _fingerprint(outcome)
        if expected is not None:
            at = len(fingerprints)
            if expected[at:at + FINGERPRINT_BYTES] != fingerprint:
                result.conflicted += 1
                if len(result.conflicts) < MAX_KEPT_CONFLICTS:
                    result.conflicts.append({
                        "row": outcome.where, "key": key, "now": _describe(outcome),
                        "changes": outcome.changes or {},
                    })
        fingerprints.extend(fingerprint)
        planned[action] += 1
        if action == REJECT:
            if len(result.rejections) < MAX_KEPT_REJECTIONS:
                result.rejections.append({"row": outcome.where, "key": key, "reason": outcome.reason})
            return
        if outcome.warnings:
            result.warned += 1
            for message in outcome.warnings:
                if len(result.warnings) < MAX_KEPT_WARNINGS:
                    result.warnings.append({"row": outcome.where, "key": key, "message": message})
        written = kept.get(action)
        if written is not None:
            written.append(outcome)
            samples = result.samples[action]
            if len(samples) < MAX_SAMPLES:
                samples.append(sample(row, outcome))

    def validate(flush: Callable[[], None] | None) -> None:
        """Read and check every row (``result.error`` on a file that cannot be read); ``flush`` writes what was
        validated so far (chunked imports)."""
        try:
            for table in tables:
                found = check_columns(importer, table, result)
                describe = getattr(table, "describe", None)
                if describe is not None:
                    result.read_as.append(describe())
                for column, as_written in found.items():
                    labels.setdefault(column, as_written)
            if tables:
                order = [h for h in tables[0].headers if h in labels]
                shown[:] = [c for c in order if c not in importer.private_columns][:MAX_SAMPLE_COLUMNS]
                result.sample_columns = [labels[c] for c in shown]
            clock = time.perf_counter()
            importer.files = [_file_of(t) for t in tables]
            importer.begin()
            result.timings["begin"] = time.perf_counter() - clock
            clock = time.perf_counter()
            chunk = importer.chunk_rows
            for table in tables:
                for row in table.rows():
                    result.rows += 1
                    try:
                        outcome = importer.check_row(row)
                    except RowError as exc:
                        outcome = reject(str(exc), key=row.values.get(importer.required[0], "") if importer.required
                                         else "")
                    if outcome.action != DEFER:
                        record(row, outcome)
                    if progress and result.rows % 1000 == 0:
                        progress(result.rows, table.progress())
                    if flush is not None and len(creates) + len(updates) >= chunk:
                        result.timings["read_validate"] = (result.timings.get("read_validate", 0.0)
                                                           + time.perf_counter() - clock)
                        flush()
                        clock = time.perf_counter()
            for row, outcome in importer.finish():
                record(row, outcome)
            result.timings["read_validate"] = result.timings.get("read_validate", 0.0) + time.perf_counter() - clock
        except TableError as exc:
            result.error = str(exc)

    def blocked() -> bool:
        """After validation: whether nothing may be written (``result.error`` says why, when it is an error)."""
        if result.error:
            return True
        if result.rows == 0:
            result.error = _("Berkas tidak berisi baris data di bawah baris judul.")
            return True
        if progress:
            progress(result.rows, 1.0)
        if expected is not None and len(expected) != len(result.fingerprints) and not result.conflicted:
            result.conflicted = 1
            result.conflicts.append({"row": "", "key": "", "now": _("jumlah baris berbeda dengan pratinjau"),
                                     "changes": {}})
        if result.conflicted:
            result.error = _(
                "Data di basis data berubah sejak pratinjau pada %(n)s baris (misalnya diubah lewat formulir atau "
                "impor lain). Tidak ada yang disimpan. Periksa baris di bawah, lalu unggah ulang berkas untuk "
                "pratinjau baru."
            ) % {"n": result.conflicted}
            return True
        return bool(dry_run or (result.rejected and not partial))

    def flush() -> None:
        """Write the rows validated so far (inside the import's transaction), unless the import can no longer be
        committed (a rejected row without ``partial``, a conflict with the preview): then only forget them."""
        if not result.conflicted and not (result.rejected and not partial):
            stale = _changed_since_validation(importer, updates)
            if stale:
                raise _Changed(stale)
            clock = time.perf_counter()
            importer.timings = result.timings
            importer.write(list(creates), list(updates))
            result.timings["write_total"] = result.timings.get("write_total", 0.0) + time.perf_counter() - clock
        creates.clear()
        updates.clear()
        gc.collect(1)  # what the chunk left in cycles (query objects, the audit's buffers), with the collector paused

    done = []
    try:
        if importer.chunk_rows and not dry_run:
            # Chunks written as they are validated, all inside the one transaction: memory stays at one chunk,
            # and a rejected row or a conflict found later rolls every chunk back.
            with transaction.atomic():
                transaction.on_commit(lambda: done.append(True))
                validate(flush)
                if blocked():
                    raise _Rollback
                flush()
        else:
            validate(None)
            if blocked():
                return result
            with transaction.atomic():
                # Registered first, so it runs first after the commit: the data is then stored whatever the
                # after-commit work (aggregates, evaluations) does.
                transaction.on_commit(lambda: done.append(True))
                flush()
    except _Rollback:
        return result
    except _Changed as exc:
        result.conflicted = len(exc.outcomes)
        result.conflicts = [{"row": o.where, "key": o.key, "now": _("diubah orang lain saat impor sedang disimpan"),
                             "changes": o.changes or {}} for o in exc.outcomes[:MAX_KEPT_CONFLICTS]]
        result.error = _("Sementara impor disimpan, %(n)s data diubah orang lain. Tidak ada yang disimpan; "
                         "unggah ulang berkas untuk pratinjau baru.") % {"n": result.conflicted}
        return result
    except Exception as exc:
        if not done:
            if isinstance(exc, IntegrityError):
                result.error = _("Sementara impor disimpan, data dengan kunci yang sama dibuat orang lain. Tidak ada "
                                 "yang disimpan; unggah ulang berkas untuk pratinjau baru.")
                return result
            raise
        log.exception("after-commit work of a %s import failed; the data was stored", importer.kind)
        result.notices.append(_("Data tersimpan, tetapi ringkasan dan penilaian belum diperbarui; "
                                "akan diperbarui pada perubahan berikutnya."))
    result.committed = True
    return result


class _Rollback(Exception):
    """Nothing of a chunked import may be kept: leave its transaction with everything rolled back."""


def _file_of(table) -> dict:
    """A table's file as an import's audit names it: its name and SHA-256 (none for rows held in memory)."""
    path = getattr(table, "path", None)
    return {"name": str(table.name), "sha256": file_sha256(path) if path is not None else ""}


# --- parsing cells -------------------------------------------------------------------------------

_TRUE = {"ya", "y", "1", "true", "benar", "aktif", "yes"}
_FALSE = {"tidak", "t", "0", "false", "salah", "tidak aktif", "no", "n"}


def parse_bool(value: str, column: str, *, default: bool | None = None) -> bool | None:
    v = (value or "").strip().lower()
    if not v:
        return default
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise RowError(_("Kolom %(col)s harus \"ya\" atau \"tidak\", bukan \"%(val)s\".") % {"col": column, "val": value})


#: Day first, as Indonesian Excel writes dates (31/12/2025, 31-12-2025), besides ISO.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
#: Excel's day 0 in the 1900 date system (serial 1 = 1900-01-01, with Lotus's phantom 1900-02-29 counted).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serial numbers read as dates: 10000 (1927-05-18) to 99999 (2173-10-14); a date cell that lost its date
#: format in Excel shows as such a whole number.
_EXCEL_SERIAL = re.compile(r"^[1-9][0-9]{4}(\.0+)?$")


def parse_date(value: str, column: str) -> dt.date | None:
    v = (value or "").strip()
    if not v:
        return None
    if len(v) == 10 and v[4] == "-":
        try:
            return dt.date.fromisoformat(v)  # the common case, 30× faster than strptime
        except ValueError:
            pass
    if _EXCEL_SERIAL.match(v):
        return EXCEL_EPOCH + dt.timedelta(days=int(float(v)))
    v = v.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", v) else v
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise RowError(
        _("Kolom %(col)s berisi tanggal yang tidak sah: \"%(val)s\" (gunakan HH/BB/TTTT, mis. 31/03/2024, "
          "atau TTTT-BB-HH).")
        % {"col": column, "val": value}
    )


_SEX = {"l": "L", "laki-laki": "L", "laki laki": "L", "lakilaki": "L", "laki": "L", "lk": "L", "pria": "L",
        "m": "L", "1": "L", "p": "P", "perempuan": "P", "pr": "P", "wanita": "P", "f": "P", "2": "P"}


def parse_sex(value: str, column: str) -> str:
    """L or P from what a form or Excel says: L/P, Laki-laki/Perempuan, 1/2 (as in Buku KIA and SDKI codes)."""
    v = " ".join((value or "").strip().lower().split())
    sex = _SEX.get(v)
    if sex is None:
        raise RowError(_("Kolom %(col)s harus L/P (Laki-laki/Perempuan) atau 1/2, bukan \"%(val)s\".")
                       % {"col": column, "val": value})
    return sex


def parse_decimal(value: str, column: str, *, low: float | None = None, high: float | None = None) -> Decimal | None:
    v = (value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not v:
        return None
    if "," in v and "." not in v:
        v = v.replace(",", ".")  # Indonesian decimal comma
    elif _ID_GROUPED.match(v):
        v = v.replace(".", "").replace(",", ".")  # 1.234,5: Indonesian thousands points and decimal comma
    try:
        number = Decimal(v)
    except InvalidOperation:
        raise RowError(_("Kolom %(col)s harus berupa angka, bukan \"%(val)s\".") % {"col": column, "val": value}) from None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        raise RowError(
            _("Kolom %(col)s di luar rentang yang sah (%(low)s sampai %(high)s): %(val)s.")
            % {"col": column, "low": low, "high": high, "val": value}
        )
    return number


_ID_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")


def parse_int(value: str, column: str, *, low: int | None = 0, high: int | None = None) -> int | None:
    number = parse_decimal(value, column, low=low, high=high)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise RowError(_("Kolom %(col)s harus bilangan bulat, bukan \"%(val)s\".") % {"col": column, "val": value})
    return int(number)


def diff(before: dict, after: dict) -> dict:
    """The fields whose values differ, as {field: [before, after]} (for previews)."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
