"""Inserting many rows fast: one prepared INSERT run with executemany, values converted once per field type.

On PostgreSQL the rows go in through COPY. Django's ``bulk_create`` builds a model instance and compiles SQL for every row; for 100,000 imported rows
(and as many audit entries) that is most of an import's time. This path takes plain dicts, fills defaults
and ``auto_now`` fields as the ORM would, and converts only the values that need it (dates, decimals, JSON).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from .pagecache import tables_written

_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField,
          models.ForeignKey, models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField)


def _converter(field):
    if isinstance(field, _PLAIN) and not isinstance(field, (models.DecimalField, models.JSONField)):
        return None
    if type(field) is models.DateField:  # a date as the backend stores it, without the ORM's checks per value
        adapt, slow = connection.ops.adapt_datefield_value, field.get_db_prep_save
        return lambda value: adapt(value) if type(value) is dt.date else slow(value, connection)
    return lambda value: field.get_db_prep_save(value, connection)


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def insert_dicts(model: type[models.Model], rows: Iterable[dict], *, batch_size: int = 5000) -> int:
    """Insert ``rows`` (dicts keyed by field attname) into ``model``'s table; returns the number inserted.

    Primary keys are not returned: look created rows up by their natural key afterwards."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    now = timezone.now()
    plan = []
    for f in fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        plan.append((f.attname, auto, f.get_default() if not auto else now, _converter(f)))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")

    def values(row: dict) -> tuple:
        out = []
        for name, auto, default, convert in plan:
            value = now if auto else row.get(name, default)
            out.append(convert(value) if convert is not None and value is not None else value)
        return tuple(out)

    count = 0
    if connection.vendor == "postgresql":
        # COPY: one statement for all rows (executemany through Django's client-side cursor sends one
        # INSERT text per row). JSON goes in as text.
        json_columns = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
        copy_sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"

        def prepared(chunk):
            for row in chunk:
                data = values(row)
                if json_columns:
                    data = list(data)
                    for i in json_columns:
                        raw = row.get(plan[i][0], plan[i][2])  # the value, or the field's default
                        data[i] = None if raw is None else json.dumps(raw, cls=DjangoJSONEncoder)
                yield data

        # Each chunk is built completely before its COPY opens: building rows may query (a generator reading
        # the database, a related object's __str__), and an open COPY holds the connection.
        for chunk in _chunks(rows, max(batch_size, 20_000)):
            ready = list(prepared(chunk))
            # The raw COPY bypasses Django's cursor: wrap it so that errors arrive as Django's (IntegrityError...).
            with connection.wrap_database_errors, connection.cursor() as cursor, \
                    cursor.cursor.copy(copy_sql) as copy:
                for data in ready:
                    copy.write_row(data)
            count += len(ready)
        tables_written([model._meta.db_table.lower()])  # COPY is not seen by the statement watcher
        return count
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch_size):
            cursor.executemany(sql, [values(r) for r in chunk])
            count += len(chunk)
    return count


def _column_converter(field):
    """A fast conversion of one column's values for the database driver (None: the values go in as they are).
    Decimals and dates already of their type pass through (SQLite's driver adapts Decimal itself, PostgreSQL's
    both); anything else goes through the field as the ORM would."""
    if isinstance(field, models.DecimalField):
        def decimal(value):
            return value if value is None or type(value) is Decimal else field.get_db_prep_save(value, connection)
        return decimal
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            def day_text(value):
                return value.isoformat() if type(value) is dt.date else field.get_db_prep_save(value, connection)
            return day_text
        def day(value):
            return value if value is None or type(value) is dt.date else field.get_db_prep_save(value, connection)
        return day
    if isinstance(field, models.JSONField):
        if connection.vendor == "postgresql":
            return lambda value: None if value is None else json.dumps(value, cls=DjangoJSONEncoder)  # COPY: text
        return lambda value: field.get_db_prep_save(value, connection)
    return _converter(field)


def insert_columns(model: type[models.Model], columns: dict[str, Sequence], *, batch_size: int = 20_000) -> int:
    """Insert rows given as columns ({attname: values}, all of one length) into ``model``'s table; fields not given
    get their default (``auto_now`` fields the time now), as the ORM would. Column-wise: each column is converted
    once, with no per-row dict. COPY on PostgreSQL, one prepared INSERT with executemany elsewhere. Returns the
    number of rows inserted (primary keys are not returned)."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError("columns of different lengths")
    count = lengths.pop() if lengths else 0
    if not count:
        return 0
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    unknown = set(columns) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"not fields of {model._meta.label}: {sorted(unknown)}")
    now = timezone.now()
    data = []
    for f in fields:
        convert = _column_converter(f)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = convert(now) if convert is not None else now
            data.append([value] * count)
            continue
        if f.attname not in columns:
            default = f.get_default()
            data.append([convert(default) if convert is not None and default is not None else default] * count)
            continue
        values = columns[f.attname]
        if convert is None:
            data.append(values)
        else:
            data.append([None if v is None else convert(v) for v in values])
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = zip(*data)
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors, connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        tables_written([model._meta.db_table.lower()])  # COPY is not seen by the statement watcher
        return count
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, batch_size)):
            cursor.executemany(sql, chunk)
    return count
