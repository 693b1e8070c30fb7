"""Checking rows of programme data sent to ``POST /api/data-values`` before they are written with
``programs.services.datavalues_write``: every row gets a reason in Indonesian when it cannot be stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from binasehat.programs.checks import ValueChecker
from binasehat.programs.services import InvalidValue, NewValue


@dataclass
class Checked:
    values: list[NewValue] = field(default_factory=list)
    #: (row number from 1, the row as sent, reason)
    conflicts: list[tuple[int, dict, str]] = field(default_factory=list)
    #: id() of each value in ``values`` → (row number from 1, the row as sent)
    rows_of: dict[int, tuple[int, dict]] = field(default_factory=dict)

    def row_of(self, value: NewValue) -> tuple[int, dict]:
        return self.rows_of[id(value)]


def check_rows(user, rows: list[dict]) -> Checked:
    """Split ``rows`` ({dataElement, period, orgUnit, value, comment}) into values to write and conflicts."""
    checker = ValueChecker(user.scope)
    out = Checked()
    for number, row in enumerate(rows, start=1):
        try:
            value = checker.check(element=row.get("dataElement"), period=row.get("period"),
                                  org_unit=row.get("orgUnit"), value=row.get("value"), comment=row.get("comment"),
                                  index=number)
        except InvalidValue as e:
            out.conflicts.append((number, row, str(e)))
            continue
        out.values.append(value)
        out.rows_of[id(value)] = (number, row)
    return out
