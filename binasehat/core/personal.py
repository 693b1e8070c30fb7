"""How personal identifiers are shown to a role that may not see them.

A NIK (Nomor Induk Kependudukan, 16 digits) is built from what pages show beside it: digits 1–6 are the
kecamatan code of the address, digits 7–12 the birth date as DDMMYY (day + 40 for women), digits 13–16 a serial
number (Permendagri 72/2019 on KTP-el; UU 24/2013 Adminduk). Hiding only some digits therefore hides nothing:
the area and the birth date restore the middle, and the serial shown completes the number. A masked NIK shows
no digit at all, only that one is on record.
"""

from __future__ import annotations

MASK = "••••••••••••••••"


def nik_masked(nik: str | None) -> str:
    """The NIK as shown to a role without ``sensitive.view``: no digit, only whether one is recorded."""
    return MASK if nik else ""


def nik_for(nik: str | None, sensitive: bool) -> str:
    """The NIK in full for a role that may see it, else masked."""
    return (nik or "") if sensitive else nik_masked(nik)
