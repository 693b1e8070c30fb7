"""What a column can hold, read from the model fields: checked before a write so that a value the database
would refuse (PostgreSQL) or store and later fail to read back (SQLite) never reaches it.

Integer ranges are PostgreSQL's on every database (SQLite stores 64-bit integers): a file that imports on one
database imports on the other. Decimals follow ``max_digits``/``decimal_places``, text ``max_length``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


@lru_cache(maxsize=None)
def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = field
        fields[field.attname] = field
    return fields


def integer_range(field: models.Field) -> tuple[int, int] | None:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    internal = field.get_internal_type()
    if internal in {"AutoField", "BigAutoField", "SmallAutoField"}:
        internal = internal.replace("Auto", "Integer")
    return INTEGER_RANGES.get(internal)


def value_problem(field: models.Field, value) -> str | None:
    """Why ``value`` cannot be stored in ``field`` (Indonesian), or None when it can."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(field, models.DecimalField) and isinstance(value, (Decimal, int, float)):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return _("bukan angka yang sah")
        whole = field.max_digits - field.decimal_places
        _sign, digits, exponent = number.normalize().as_tuple()
        decimals = max(0, -exponent)
        if abs(number) >= Decimal(10) ** whole or decimals > field.decimal_places:
            return _("paling banyak %(whole)s angka sebelum koma dan %(dp)s angka di belakang koma") % {
                "whole": whole, "dp": field.decimal_places}
        return None
    if isinstance(field, models.FloatField) and isinstance(value, (int, float, Decimal)):
        return None if math.isfinite(float(value)) else _("bukan angka yang sah")
    if isinstance(value, int) and (bounds := integer_range(field)) is not None:
        low, high = bounds
        if not low <= value <= high:
            return _("bilangan bulat %(low)s sampai %(high)s") % {"low": f"{low:,}".replace(",", "."),
                                                                 "high": f"{high:,}".replace(",", ".")}
        return None
    if isinstance(value, str) and getattr(field, "max_length", None) and len(value) > field.max_length:
        return _("paling banyak %(n)s karakter") % {"n": field.max_length}
    return None


def problems(model: type[models.Model], data: dict) -> dict[str, str]:
    """{field: what it can hold} for every value in ``data`` the field of ``model`` cannot store."""
    fields = _fields(model)
    found = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is not None and (problem := value_problem(field, value)):
            found[name] = problem
    return found


def message(column: str, value, problem: str, *, row: str | None = None) -> str:
    """One refusal naming the row (when known) and the column."""
    if row:
        return _("Baris %(row)s, kolom %(col)s: nilai %(val)s tidak dapat disimpan (%(limit)s).") % {
            "row": row, "col": column, "val": value, "limit": problem}
    return _("Kolom %(col)s: nilai %(val)s tidak dapat disimpan (%(limit)s).") % {
        "col": column, "val": value, "limit": problem}
