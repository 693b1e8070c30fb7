"""Kemendagri region codes (Permendagri 58/2021 tentang Kode, Data Wilayah Administrasi Pemerintahan,
dan Pulau; data: Kepmendagri 300.2.2-2138/2025). Pure functions: no Django, no database.

Format, dotted: ``PP`` provinsi, ``PP.KK`` kabupaten/kota, ``PP.KK.CC`` kecamatan, ``PP.KK.CC.NDDD``
desa/kelurahan. ``KK`` 01–69 is a kabupaten, 71–99 a kota. The first digit ``N`` of a village code is
1 for a kelurahan, 2 for a desa, 3 for a desa adat. The parent of a code is the code without its last
segment. BPS codes (undotted, numbered differently) are a different scheme and are refused.
"""

from __future__ import annotations

import re

PROVINSI, KABUPATEN_KOTA, KECAMATAN, DESA = 1, 2, 3, 4

_CODE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")


class CodeError(ValueError):
    """A malformed Kemendagri code; the message is in Indonesian."""


def level_of(code: str) -> int:
    """1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."""
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestors_of(code: str) -> list[str]:
    """From the province down to the parent: ``19.03.01.2008`` → ``['19', '19.03', '19.03.01']``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def kind_of(code: str) -> str:
    """provinsi, kabupaten, kota, kecamatan, kelurahan, desa or desa_adat (distrik in Papua is a kecamatan)."""
    parts = code.split(".")
    level = len(parts)
    if level == PROVINSI:
        return "provinsi"
    if level == KABUPATEN_KOTA:
        return "kota" if int(parts[1]) >= 71 else "kabupaten"
    if level == KECAMATAN:
        return "kecamatan"
    return {"1": "kelurahan", "2": "desa", "3": "desa_adat"}[parts[3][0]]


def validate_code(code: str) -> str:
    """Return the code if it is a well-formed Kemendagri code, else raise ``CodeError``."""
    if not _CODE.match(code or ""):
        if code and re.fullmatch(r"\d{10}|\d{7}|\d{4}", code):
            raise CodeError(
                f"Kode {code!r} tanpa titik: tulis kode Kemendagri bertitik (mis. 19.03.01.2008); "
                "kode BPS tidak dipakai."
            )
        raise CodeError(
            f"Kode {code!r} tidak sah: gunakan PP, PP.KK, PP.KK.CC atau PP.KK.CC.NDDD (mis. 19.03.01.2008)."
        )
    parts = code.split(".")
    if parts[0] < "11":
        raise CodeError(f"Kode provinsi {parts[0]!r} tidak sah (provinsi mulai dari 11).")
    if len(parts) >= 2 and (parts[1] == "00" or 70 == int(parts[1])):
        raise CodeError(f"Kode kabupaten/kota {parts[1]!r} tidak sah (01–69 kabupaten, 71–99 kota).")
    if len(parts) >= 3 and parts[2] == "00":
        raise CodeError(f"Kode kecamatan {parts[2]!r} tidak sah.")
    if len(parts) == 4 and (parts[3][0] not in "123" or parts[3][1:] == "000"):
        raise CodeError(
            f"Kode desa {parts[3]!r} tidak sah: digit pertama 1 (kelurahan), 2 (desa) atau 3 (desa adat)."
        )
    return code


def is_below(code: str, area: str) -> bool:
    """Whether ``code`` is ``area`` itself or lies inside it."""
    return code == area or code.startswith(area + ".")


def population_rows(own: dict[str, float]) -> dict[str, float]:
    """Rows whose sums over a code prefix give every area its population by the rule (DESIGN.md, periods and
    indicators): an area's **own figure where one exists, otherwise the sum of its children's** (recursively),
    never both.

    ``own`` maps region codes (any level) to the figure recorded for them. With eff(A) the population of A by the
    rule, the row of A is eff(A) − Σ eff(children of A): 0 for an area without its own figure, and a reconciling
    (possibly negative) difference where a figure exists at two levels. Then for every area, the sum of the rows
    of A and everything below it is eff(A). Rows of 0 are left out.

    Example: desa 19.03.01.2001 = 600 and 19.03.01.2002 = 400, kabupaten 19.03 = 1,100: kecamatan 19.03.01 has
    1,000 (its desa), the kabupaten 1,100 (its own figure), rows {desa: 600, 400; 19.03: 100}."""
    nodes: set[str] = set()
    for code in own:
        nodes.add(code)
        nodes.update(ancestors_of(code))
    children: dict[str, list[str]] = {}
    for code in nodes:
        parent = parent_of(code)
        if parent is not None:
            children.setdefault(parent, []).append(code)
    eff: dict[str, float] = {}
    for code in sorted(nodes, key=level_of, reverse=True):
        eff[code] = own[code] if code in own else sum(eff[c] for c in children.get(code, ()))
    rows = {code: eff[code] - sum(eff[c] for c in children.get(code, ())) for code in nodes}
    return {code: v for code, v in rows.items() if v}


def nip_problem(nip: str) -> str | None:
    """Which part of ``nip`` is wrong ("length", "birth", "appointment", "sex") for a valid NIP (Nomor Induk Pegawai of a civil servant, PP 17/2020 and BKN practice),
    or None. 18 digits: birth date YYYYMMDD, appointment YYYYMM, sex (1 man, 2 woman), serial number NNN.
    Example: 197503152000031002 — born 15 March 1975, appointed March 2000, a woman, number 002."""
    import datetime as dt

    if not re.fullmatch(r"\d{18}", nip or ""):
        return "length"
    try:
        dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return "birth"
    if not 1 <= int(nip[12:14]) <= 12 or int(nip[8:12]) < int(nip[0:4]):
        return "appointment"
    if nip[14] not in "12":
        return "sex"
    return None
