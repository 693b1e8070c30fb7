"""Cells that leave this system in a spreadsheet: never a live formula.

A spreadsheet program runs a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as
a formula (``=HYPERLINK(...)``, ``+cmd|...``). OWASP's advice for CSV: prefix such a text cell with a single quote,
which the spreadsheet shows as text. Numbers are data: ``-3`` or ``-2.5`` (as a number or as the text of a number)
is written as it is.

In XLSX every text is written as a string cell (``Workbook`` options below), so no text becomes a formula or a link.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")

# Options every xlsxwriter.Workbook in this project is created with.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def csv_cell(value: Any) -> Any:
    """``value`` safe to write in a CSV cell: a text that a spreadsheet would run gets a leading ``'``."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


class SafeCsvWriter:
    """``csv.writer`` whose every row goes through :func:`csv_cell`."""

    def __init__(self, fileobj, *args, **kwargs):
        self._writer = csv.writer(fileobj, *args, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for row in rows:
            self._writer.writerow(csv_row(row))


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every value goes through :func:`csv_cell` (the header is ours, written as is)."""

    def writerow(self, rowdict):
        return super().writerow({k: csv_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


def xlsx_workbook(target, **options):
    """An ``xlsxwriter.Workbook`` that writes every text as a string (never a formula, a link or a number)."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**options, **XLSX_OPTIONS})
