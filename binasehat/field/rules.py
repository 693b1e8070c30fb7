"""The posyandu day's arithmetic as pure functions: no Django, no database.

* SKDN of one posyandu month from the individual weighings (local F1 format, RULES-2.md §6, as ``growth.kbm``):
  D = children weighed in the month (each child once, however often weighed); each is B (first weighing ever),
  O (not weighed the month before), N (gain ≥ KBM, Buku KIA 2023 p. 54) or T; D = N + T + O + B.
  BGM (bawah garis merah): the month's weight-for-age below −3 SD (the KMS red line; Permenkes 2/2020 "berat badan
  sangat kurang"). 2T: this month's and last month's weighings both T. A child weighed twice in a month counts by
  its last weighing of the month.
* Severity of a Permenkes 2/2020 category, and the counselling prompts that follow from a result (Kartu Bantu
  Pemeriksaan Balita, RULES-2.md §6: "Rujuk bila berat badan anak tidak naik (T) atau di bawah garis merah …").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from binasehat.families import rules as pispk
from binasehat.growth import kbm

BGM_Z = -3.0

#: Permenkes 2/2020 categories by severity: "severe", "moderate", "risk" (warning colours) or "normal".
SEVERITY = {
    "Berat badan sangat kurang": "severe", "Berat badan kurang": "moderate", "Berat badan normal": "normal",
    "Risiko berat badan lebih": "risk",
    "Sangat pendek": "severe", "Pendek": "moderate", "Normal": "normal", "Tinggi": "normal",
    "Gizi buruk": "severe", "Gizi kurang": "moderate", "Gizi baik": "normal", "Berisiko gizi lebih": "risk",
    "Gizi lebih": "moderate", "Obesitas": "severe",
}


def severity(category: str) -> str:
    return SEVERITY.get(category or "", "none")


@dataclass
class Skdn:
    d: int = 0
    n: int = 0
    t: int = 0
    o: int = 0
    b: int = 0
    bgm: int = 0
    t2: int = 0
    codes: dict = field(default_factory=dict)  # child id -> this month's code

    def as_form(self) -> dict:
        return {"d": self.d, "n": self.n, "o": self.o, "b": self.b, "bgm": self.bgm, "t2": self.t2}


def monthly_series(visits: list[tuple[dt.date, float | None, float | None]]) -> list[tuple[dt.date, float, float | None]]:
    """One weighing per month (the last of the month with a weight), in date order: (date, kg, z BB/U)."""
    by_month: dict[tuple[int, int], tuple[dt.date, float, float | None]] = {}
    for day, weight, zwei in sorted(visits, key=lambda v: v[0]):
        if weight is not None:
            by_month[(day.year, day.month)] = (day, weight, zwei)
    return [by_month[k] for k in sorted(by_month)]


def skdn(children: dict, year: int, month: int) -> Skdn:
    """``children``: {child id: (birth date, [(date, weight kg or None, z BB/U or None), …] all its visits)}, only
    children weighed at the posyandu in the month. Returns D, N, T, O, B, BGM and 2T of that month."""
    out = Skdn()
    for child_id, (birth, visits) in children.items():
        series = [v for v in monthly_series(visits) if (v[0].year, v[0].month) <= (year, month)]
        if not series or (series[-1][0].year, series[-1][0].month) != (year, month):
            continue
        codes = kbm.classify([(d, w) for d, w, _z in series], birth)
        code = codes[-1]
        out.d += 1
        setattr(out, code.lower(), getattr(out, code.lower()) + 1)
        out.codes[child_id] = code
        zwei = series[-1][2]
        if zwei is not None and zwei < BGM_Z:
            out.bgm += 1
        if kbm.two_t(codes):
            out.t2 += 1
    return out


def counselling(*, code: str, two_t: bool, bgm: bool, bb_u: str, pb_tb_u: str, bb_pb_tb: str, oedema: bool,
                muac_cm: float | None, age_months: int) -> list[tuple[str, str]]:
    """Prompts for the kader after a weighing, as (kind, message key): kind "refer" (rujuk ke Pustu/Puskesmas) or
    "advise". Message keys are translated by the caller."""
    refer, advise = [], []
    if oedema:
        refer.append("oedema")
    if two_t:
        refer.append("2t")
    elif code == "T":
        refer.append("t")
    if bgm:
        refer.append("bgm")
    if severity(bb_pb_tb) in ("severe", "moderate") and bb_pb_tb in ("Gizi buruk", "Gizi kurang"):
        refer.append("wasted")
    if bb_pb_tb in ("Berisiko gizi lebih", "Gizi lebih", "Obesitas"):
        refer.append("overweight")
    if pb_tb_u in ("Sangat pendek", "Pendek"):
        refer.append("stunted")
    if muac_cm is not None and 6 <= age_months < 60 and muac_cm < 11.5:  # LiLA merah (Buku KIA)
        refer.append("muac")
    elif muac_cm is not None and 6 <= age_months < 60 and muac_cm < 12.5:  # LiLA kuning
        advise.append("muac")
    if age_months < 6:
        advise.append("asi")
    elif age_months < 24:
        advise.append("mpasi")
    else:
        advise.append("food")
    if code in ("N",) and not refer:
        advise.append("good")
    return [("refer", k) for k in refer] + [("advise", k) for k in advise]


# --- PIS-PK: who answers what --------------------------------------------------------------------------------------
# families.rules.APPLIES_TO (age and sex per indicator), and: indicator 2 (persalinan di fasilitas kesehatan) is asked
# of the mother of a baby 0–11 months (Prokesga; RULES.md §1.1 "ibu dengan bayi 0–11 bulan"), so in a family
# without such a baby nobody answers it and it is N. Indicators 11 and 12 are the household's: answered once, on
# the head's row. Indicators 9 and 10 apply to every member.

def applicable(indicator: int, *, age_months: int, sex: str, family_has_baby: bool, is_head: bool) -> bool:
    if indicator in (11, 12):
        return is_head
    if indicator == 2 and not family_has_baby:
        return False
    for i, low, high, need_sex in pispk.APPLIES_TO:
        if i == indicator:
            return age_months >= low and (high is None or age_months <= high) and (not need_sex or sex == need_sex)
    return True
