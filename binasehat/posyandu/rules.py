"""What a monthly posyandu record must satisfy. Pure functions: no Django, no database.

Sources: SKDN (Depkes, Standar Pemantauan Pertumbuhan Balita 2006; RULES.md §2.6): S all balita in the area,
K those registered with a KMS/Buku KIA, D those weighed this month, N those weighed whose weight went up — so
N ≤ D ≤ K ≤ S; O (weighed this month but not last) and B (weighed for the first time) are part of D:
D = N + T + O + B (RULES-2.md §6), so N + O + B ≤ D. What a
posyandu records each month: RULES.md §2.5.
"""

from __future__ import annotations

import datetime as dt

COUNT_FIELDS = (
    "s", "k", "d", "n", "o", "b", "bgm", "t2",
    "gizi_sasaran", "ibu_hamil_sasaran", "ibu_hamil_dilayani", "kb_sasaran", "kb_dilayani",
    "imunisasi_sasaran", "imunisasi_dilayani", "usia_sekolah_dilayani", "remaja_dilayani",
    "usia_produktif_dilayani", "usia_produktif_skrining", "lansia_dilayani", "lansia_skrining",
    "pmt_diberikan", "kk_total", "kk_dana_sehat", "tenaga_kesehatan",
)


def month_problems(r: dict, *, today: dt.date) -> dict[str, str]:
    """Every reason (per field, in Indonesian) why a monthly record is not acceptable; empty when it is.

    ``r`` holds: month (date, first day), opening_days, kader_on_duty and the counts of COUNT_FIELDS (None =
    not reported)."""
    errors: dict[str, str] = {}
    month = r["month"]
    if (month.year, month.month) > (today.year, today.month):
        errors["month"] = "Bulan laporan belum terjadi."
    opening = r.get("opening_days")
    if opening is None or opening < 0 or opening > 31:
        errors["opening_days"] = "Jumlah hari buka harus 0 sampai 31."
    kader = r.get("kader_on_duty")
    if kader is not None and kader < 0:
        errors["kader_on_duty"] = "Jumlah kader bertugas tidak boleh negatif."
    for f in COUNT_FIELDS:
        v = r.get(f)
        if v is not None and v < 0:
            errors[f] = "Tidak boleh negatif."
    if errors:
        return errors

    def v(name):
        return r.get(name) or 0

    # SKDN chain: N ≤ D ≤ K ≤ S.
    if r.get("s") is not None and r.get("k") is not None and v("k") > v("s"):
        errors["k"] = f"K ({v('k')}) tidak boleh lebih dari S ({v('s')})."
    if r.get("k") is not None and v("d") > v("k"):
        errors["d"] = f"D ({v('d')}) tidak boleh lebih dari K ({v('k')})."
    elif r.get("k") is None and r.get("s") is not None and v("d") > v("s"):
        errors["d"] = f"D ({v('d')}) tidak boleh lebih dari S ({v('s')})."
    if v("n") > v("d"):
        errors["n"] = f"N ({v('n')}) tidak boleh lebih dari D ({v('d')})."
    if v("o") + v("b") > v("d"):
        errors["o"] = f"O + B ({v('o') + v('b')}) tidak boleh lebih dari D ({v('d')})."
    if v("n") + v("o") + v("b") > v("d"):
        errors.setdefault("n", f"N + O + B ({v('n') + v('o') + v('b')}) tidak boleh lebih dari D ({v('d')}).")
    if v("bgm") > v("d"):
        errors["bgm"] = f"BGM ({v('bgm')}) tidak boleh lebih dari D ({v('d')})."
    if v("t2") > v("d"):
        errors["t2"] = f"2T ({v('t2')}) tidak boleh lebih dari D ({v('d')})."
    if v("kk_dana_sehat") > v("kk_total") and r.get("kk_total") is not None:
        errors["kk_dana_sehat"] = f"KK dana sehat ({v('kk_dana_sehat')}) tidak boleh lebih dari jumlah KK ({v('kk_total')})."
    if v("usia_produktif_skrining") > v("usia_produktif_dilayani"):
        errors["usia_produktif_skrining"] = "Yang diskrining tidak boleh lebih dari yang dilayani."
    if v("lansia_skrining") > v("lansia_dilayani"):
        errors["lansia_skrining"] = "Yang diskrining tidak boleh lebih dari yang dilayani."
    if opening == 0:
        served = [f for f in ("d", "ibu_hamil_dilayani", "kb_dilayani", "imunisasi_dilayani") if v(f) > 0]
        if served:
            errors["opening_days"] = "Posyandu tidak buka (0 hari) tetapi ada yang dilayani: " + ", ".join(served) + "."
        if kader:
            errors["kader_on_duty"] = "Posyandu tidak buka (0 hari) tetapi ada kader bertugas."
    return errors


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the first day of that month."""
    year, month = text.strip().split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return dt.date(int(year), int(month), 1)


def overrides(entered: dict, computed: dict) -> dict[str, dict]:
    """The computed figures a person changed: {field: {"computed", "entered", "difference"}} for every field of
    ``computed`` whose entered value differs (an empty entry, None, differs too; its difference is None).
    Difference = entered − computed."""
    out = {}
    for name, value in computed.items():
        mine = entered.get(name)
        if mine != value:
            out[name] = {"computed": value, "entered": mine, "difference": None if mine is None else mine - value}
    return out
