"""The same XLSX imported through calamine and as a stream (the threshold forced to 0) stores the same records,
z-scores and audit items, and refuses a bad cell with the same message naming row and column."""

from __future__ import annotations

import datetime as dt

import xlsxwriter
from django.test import override_settings

from binasehat.core.tabular import Table
from binasehat.imports.tests.test_xlsx_matches_csv import (  # noqa: F401  (the fixture)
    HEADER, SERIAL_12_MAY_2025, XLSX_ROWS, children, forget, run, stored, write_xlsx,
)


def run_streamed(path):
    with override_settings(IMPORT_STREAM_CELLS=0):
        assert Table(path).streamed
        return run(path)


def write_inline(path, rows):
    """The rows as xlsxwriter's constant-memory mode writes them (inline strings, as the large-file bench does),
    with the first visit as a formatted date cell."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def test_both_paths_store_the_same(children, tmp_path):
    for write in (write_xlsx, write_inline):
        path = write(tmp_path / f"timbang-{write.__name__}.xlsx", XLSX_ROWS)
        assert not Table(path).streamed
        by_calamine = run(path)
        assert by_calamine.summary_line() == "created=4 updated=0 unchanged=0 rejected=0", by_calamine.rejections
        expected = stored()
        forget()
        streamed = run_streamed(path)
        assert streamed.summary_line() == by_calamine.summary_line()
        assert stored() == expected
        # Read by hand from XLSX_ROWS: the first visit a date cell, the third a bare serial (12 May 2025).
        rows = expected[0]
        assert [r["measured_on"] for r in rows] == [dt.date(2025, 3, 10), dt.date(2025, 4, 10),
                                                    dt.date(2025, 5, 12), dt.date(2025, 5, 12)]
        forget()


def test_a_bad_cell_refused_the_same_way(children, tmp_path):
    bad = [*XLSX_ROWS[:2], ["1903015505230001", None, None, None, SERIAL_12_MAY_2025, "sepuluh", 83.4, "h"]]
    path = write_xlsx(tmp_path / "timbang.xlsx", bad)
    by_calamine, streamed = run(path), run_streamed(path)
    for result in (by_calamine, streamed):
        assert not result.committed
        assert result.rejections == [{"row": "timbang.xlsx:4", "key": "45789",
                                      "reason": "Kolom weight_kg harus berupa angka, bukan \"sepuluh\"."}]
    assert streamed.planned == by_calamine.planned == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
