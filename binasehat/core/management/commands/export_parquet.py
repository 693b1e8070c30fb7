"""``manage.py export_parquet TABLE OUT.parquet [--area CODE] [--year Y]``: a big table as Parquet, for analysts.

Tables: ``measurements`` (growth), ``posyandu_months`` (the monthly posyandu records), ``family_answers`` (the
members' PIS-PK answers at each visit) and ``data_values`` (programme data values, live ones). Columns have
readable names and carry codes where a code exists (a region's Kemendagri code, a posyandu's or puskesmas's code, a
data element's code), never an internal id that only this database knows; a record without a code (a child, a
family, a member) is identified by its row id, so that records of the same child or family can be linked.

Records, not identities: no NIK, No. KK, name, birth date, address, free text or user name is written. Analysts
get what was measured and answered, not who it was.

``--area CODE`` keeps the records of that region and everything under it (a province ``11``, a kabupaten ``11.01``,
…: by the desa of the child, posyandu or family; by the value's region for data values); ``--year Y`` those of one
year (by the day of measurement, the month, the visit, the period's first day).

The table is read from the database in chunks (``--chunk``, 100,000 rows) through one server-side cursor and
written by polars as it streams, so memory does not grow with the table.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

import polars as pl
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from polars.io.plugins import register_io_source


@dataclass(frozen=True)
class Column:
    name: str  # in the Parquet file
    path: str  # ORM lookup from the table's model
    dtype: pl.DataType
    as_float: bool = False  # a DecimalField: read as a float


@dataclass(frozen=True)
class Table:
    model: str  # app_label.ModelName
    manager: str
    columns: tuple[Column, ...]
    area: str  # the foreign key to the region the --area filter applies to
    year: str  # lookup of the date the --year filter applies to
    help: str


def _c(name, path=None, dtype=pl.String, as_float=False) -> Column:
    return Column(name, path or name, dtype, as_float)


_I, _F, _B, _D, _S = pl.Int64, pl.Float64, pl.Boolean, pl.Date, pl.String

TABLES: dict[str, Table] = {
    "measurements": Table(
        "growth.Measurement", "objects",
        (_c("measurement_id", "id", _I), _c("child_id", "child_id", _I), _c("sex", "child__sex"),
         _c("desa_code", "child__desa_id"), _c("posyandu_code", "posyandu__code"), _c("measured_on", dtype=_D),
         _c("age_days", dtype=_I), _c("weight_kg", dtype=_F, as_float=True), _c("lenhei_cm", dtype=_F, as_float=True),
         _c("measure"), _c("oedema", dtype=_B), _c("headc_cm", dtype=_F, as_float=True),
         _c("muac_cm", dtype=_F, as_float=True), _c("place"),
         *[_c(z, dtype=_F) for z in ("zwei", "zlen", "zwfl", "zbmi", "zhc", "zac")],
         _c("flags"), _c("bb_u"), _c("pb_tb_u"), _c("bb_pb_tb"), _c("imt_u"),
         *[_c(f, dtype=_B) for f in ("stunting", "wasting", "underweight", "overweight")]),
        area="child__desa", year="measured_on",
        help="growth measurements with z-scores and categories (child by row id, no NIK, name or birth date)"),
    "posyandu_months": Table(
        "posyandu.PosyanduMonth", "objects",
        (_c("posyandu_code", "posyandu__code"), _c("desa_code", "posyandu__desa_id"), _c("month", dtype=_D),
         _c("opening_days", dtype=_I), _c("kader_on_duty", dtype=_F, as_float=True),
         *[_c(f, dtype=_I) for f in (
             "tenaga_kesehatan", "s", "k", "d", "n", "o", "b", "bgm")],
         _c("skdn_2t", "t2", _I),
         *[_c(f, dtype=_I) for f in (
             "gizi_sasaran", "ibu_hamil_sasaran", "ibu_hamil_dilayani", "kb_sasaran", "kb_dilayani",
             "imunisasi_sasaran", "imunisasi_dilayani", "usia_sekolah_dilayani", "remaja_dilayani",
             "usia_produktif_dilayani", "usia_produktif_skrining", "lansia_dilayani", "lansia_skrining",
             "pmt_diberikan", "kk_total", "kk_dana_sehat")],
         _c("alat_pantau", dtype=_B), _c("kegiatan_tambahan", dtype=_B)),
        area="posyandu__desa", year="month",
        help="monthly posyandu records (SKDN, services, life-stage services)"),
    "family_answers": Table(
        "families.Answer", "objects",
        (_c("survey_id", "survey_id", _I), _c("family_id", "survey__family_id", _I), _c("member_id", "member_id", _I),
         _c("desa_code", "survey__family__desa_id"), _c("rw", "survey__family__rw"), _c("rt", "survey__family__rt"),
         _c("visited_on", "survey__visited_on", _D), _c("sex", "member__sex"), _c("relation", "member__relation"),
         *[_c(f"i{j:02d}") for j in range(1, 13)]),
        area="survey__family__desa", year="survey__visited_on",
        help="PIS-PK answers per member and visit (family and member by row id, no No. KK, NIK or name)"),
    "data_values": Table(
        "programs.DataValue", "objects",
        (_c("data_set_code", "element__data_set__code"), _c("element_code", "element__code"), _c("org_unit"),
         _c("region_code", "region_id"), _c("puskesmas_code", "puskesmas__code"), _c("period"),
         _c("period_start", dtype=_D), _c("value", dtype=_F), _c("followup", dtype=_B),
         _c("last_updated", dtype=pl.Datetime("us", "UTC"))),
        area="region", year="period_start",
        help="programme data values (live ones; no comment or user name)"),
}


def queryset(table: Table, *, area: str | None = None, year: int | None = None):
    """The table's rows as a values_list queryset of its columns (in order), filtered, in a stable order."""
    model = apps.get_model(table.model)
    qs = getattr(model, table.manager).all()
    if area:
        code = f"{table.area}__code"
        qs = qs.filter(Q(**{code: area}) | Q(**{f"{code}__startswith": area + "."}))
    if year:
        qs = qs.filter(**{f"{table.year}__year": year})
    # Decimals as floats; dates as their ISO text, which polars parses at once (the SQLite driver would otherwise
    # call a Python function per value)
    cast = {f"_{c.name}": Cast(c.path, models.FloatField()) for c in table.columns if c.as_float}
    cast |= {f"_{c.name}": Cast(c.path, models.CharField()) for c in table.columns if c.dtype == pl.Date}
    qs = qs.annotate(**cast) if cast else qs
    paths = [f"_{c.name}" if f"_{c.name}" in cast else c.path for c in table.columns]
    return qs.order_by("pk").values_list(*paths)


def schema(table: Table) -> dict[str, pl.DataType]:
    return {c.name: c.dtype for c in table.columns}


def frames(table: Table, *, area=None, year=None, chunk: int = 100_000):
    """The table as polars DataFrames of at most ``chunk`` rows, read through one server-side cursor (a named
    cursor on PostgreSQL: the database sends ``chunk`` rows at a time)."""
    sql, params = queryset(table, area=area, year=year).query.sql_with_params()
    target = schema(table)
    names = list(target)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            columns = list(zip(*rows))
            yield pl.DataFrame({name: _series(name, values, target[name]) for name, values in zip(names, columns)})


def _series(name: str, values: tuple, dtype: pl.DataType) -> pl.Series:
    """One column of database values as ``dtype`` (SQLite gives booleans as 0/1 and some dates as text)."""
    if dtype == pl.Boolean:
        return pl.Series(name, [None if v is None else bool(v) for v in values], dtype=pl.Boolean)
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        series = pl.Series(name, values, strict=False)
        if series.dtype == pl.String:
            series = series.str.to_datetime(time_zone="UTC") if isinstance(dtype, pl.Datetime) \
                else series.str.to_date("%Y-%m-%d")
        if isinstance(dtype, pl.Datetime) and series.dtype == pl.Datetime("us"):  # naive: stored in UTC
            series = series.dt.replace_time_zone("UTC")
        return series.cast(dtype)
    return pl.Series(name, values, dtype=dtype, strict=False)


def export(name: str, out: str, *, area=None, year=None, chunk: int = 100_000) -> int:
    """Write table ``name`` to the Parquet file ``out``; the number of rows written.

    polars writes the file in a thread of its own (``sink_parquet`` of a Python source), while this thread reads
    the database (Django's connection belongs to its thread): frames go from one to the other through a queue of
    two, so at most a few chunks are in memory at once."""
    table = TABLES[name]
    frames_to_write: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def source(with_columns, predicate, n_rows, batch_size):
        while (frame := frames_to_write.get()) is not _DONE:
            yield frame if with_columns is None else frame.select(with_columns)

    def write():
        try:
            register_io_source(source, schema=schema(table)).sink_parquet(out, compression="zstd")
        except BaseException as exc:  # handed to the reading thread, which raises it
            failure.append(exc)

    def put(item) -> None:
        while True:
            try:
                frames_to_write.put(item, timeout=0.2)
                return
            except queue.Full:
                if not writer.is_alive():
                    raise failure[0] if failure else RuntimeError("the Parquet writer stopped") from None

    writer = threading.Thread(target=write, name="parquet-writer", daemon=True)
    writer.start()
    rows = 0
    try:
        for frame in frames(table, area=area, year=year, chunk=chunk):
            put(frame)
            rows += frame.height
    finally:
        if writer.is_alive():
            put(_DONE)
        writer.join()
    if failure:
        raise failure[0]
    return rows


_DONE = object()


class Command(BaseCommand):
    help = ("Tabel besar (measurements, posyandu_months, family_answers, data_values) sebagai berkas Parquet untuk "
            "analis: nama kolom yang terbaca, kode (bukan id internal), tanpa NIK, No. KK atau nama.")

    def add_arguments(self, parser):
        parser.add_argument("table", choices=sorted(TABLES))
        parser.add_argument("out", help="berkas Parquet yang ditulis")
        parser.add_argument("--area", help="kode Kemendagri: hanya data wilayah ini dan di bawahnya (mis. 11.01)")
        parser.add_argument("--year", type=int, help="hanya data tahun ini")
        parser.add_argument("--chunk", type=int, default=100_000, help="baris yang dibaca dari basis data sekaligus")

    def handle(self, *args, table, out, area, year, chunk, **options):
        if area and not all(part.isdigit() for part in area.split(".")):
            raise CommandError(f"--area: '{area}' bukan kode wilayah Kemendagri (mis. 11 atau 11.01)")
        started = time.monotonic()
        try:
            rows = export(table, out, area=area, year=year, chunk=chunk)
        except OSError as exc:
            raise CommandError(f"Berkas {out} tidak dapat ditulis: {exc.strerror or exc}") from None
        self.stderr.write(f"{table}: {rows} baris → {out} dalam {time.monotonic() - started:.1f} s")
        self.stdout.write(f"rows={rows}")
