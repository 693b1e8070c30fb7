"""PIS-PK: the 12 indicators, member → family values, the Indeks Keluarga Sehat and area counts.

Pure functions: no Django, no database. Sources (see /work/shared/domain/RULES.md §1):
Permenkes No. 39 Tahun 2016, Lampiran I; Kemenkes worksheets "Format Hitung Manual IKS", "5 simulasi IKS manual",
"Tabulasi Keluarga"; the Aplikasi Keluarga Sehat's IKS popup (RULES-2.md §5).

Answers are coded as small integers ordered so that the family value is simply the *largest* member code:

    EMPTY (-1) < N (0) < Y (1) < MISSING (2) < T (3)

* any member T → family T;  else any answer missing → the family value is not yet known (MISSING);
  else any Y → Y;  else (all N) → N.   (RULES.md §1.2, "any T → T; else any Y → Y; all N → N")
* EMPTY is used only for the household indicators 11 and 12, answered on one member's row: the other rows are
  empty, and a household whose every row is empty has a MISSING answer.

Everything is exact integer arithmetic: IKS > 0,800 ⇔ 5·ΣY > 4·(ΣY+ΣT) ⇔ ΣY > 4·ΣT; IKS ≥ 0,500 ⇔ ΣY ≥ ΣT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

EMPTY, N, Y, MISSING, T = -1, 0, 1, 2, 3
LETTER = {N: "N", Y: "Y", MISSING: "?", T: "T", EMPTY: ""}
CODE = {"N": N, "Y": Y, "T": T, "": MISSING, "?": MISSING}
N_INDICATORS = 12
#: Indicators answered once for the household (air bersih, jamban sehat): columns i11, i12 (0-based 10, 11).
HOUSEHOLD = (10, 11)
#: Indicators that reveal a diagnosis (TB, hipertensi, gangguan jiwa): shown only to roles with sensitive.view.
DIAGNOSIS = (6, 7, 8)
COLUMNS = tuple(f"i{i:02d}" for i in range(1, N_INDICATORS + 1))

# RULES.md §1.1, official order. (number, short name, full name, who it applies to)
INDICATORS: tuple[tuple[int, str, str, str], ...] = (
    (1, "KB", "Keluarga mengikuti program Keluarga Berencana (KB)", "pasangan usia subur"),
    (2, "Persalinan di faskes", "Ibu melakukan persalinan di fasilitas kesehatan", "ibu dengan bayi 0–11 bulan"),
    (3, "Imunisasi dasar lengkap", "Bayi mendapat imunisasi dasar lengkap", "bayi 12–23 bulan"),
    (4, "ASI eksklusif", "Bayi mendapat air susu ibu (ASI) eksklusif", "bayi 7–23 bulan"),
    (5, "Pemantauan pertumbuhan", "Balita mendapatkan pemantauan pertumbuhan", "balita 2–59 bulan"),
    (6, "Pengobatan TB", "Penderita tuberkulosis paru mendapatkan pengobatan sesuai standar",
     "anggota ≥ 15 tahun batuk ≥ 2 minggu atau didiagnosis TB paru"),
    (7, "Pengobatan hipertensi", "Penderita hipertensi melakukan pengobatan secara teratur",
     "anggota ≥ 15 tahun didiagnosis hipertensi"),
    (8, "Pengobatan gangguan jiwa", "Penderita gangguan jiwa mendapatkan pengobatan dan tidak ditelantarkan",
     "anggota dengan gangguan jiwa berat"),
    (9, "Tidak merokok", "Anggota keluarga tidak ada yang merokok", "semua anggota"),
    (10, "JKN", "Keluarga sudah menjadi anggota Jaminan Kesehatan Nasional (JKN)", "semua anggota"),
    (11, "Air bersih", "Keluarga mempunyai akses sarana air bersih", "rumah tangga"),
    (12, "Jamban sehat", "Keluarga mempunyai akses atau menggunakan jamban sehat", "rumah tangga"),
)

SEHAT, PRA_SEHAT, TIDAK_SEHAT = "sehat", "pra_sehat", "tidak_sehat"
CATEGORY_LABEL = {SEHAT: "Keluarga sehat", PRA_SEHAT: "Keluarga pra-sehat", TIDAK_SEHAT: "Keluarga tidak sehat"}


# --- one family (scalar; the worked examples) -----------------------------------------------------------------

def family_value(member_values: Sequence[str]) -> str:
    """Family value of one indicator from its members' Y/T/N (RULES.md §1.2). "?" when an answer is missing and no
    member is T. ``family_value("YTYNN") == "T"``; ``"NNNNY" → "Y"``; ``"NNNNN" → "N"``."""
    codes = [CODE[(v or "").strip().upper()] for v in member_values]
    return LETTER[max(codes)] if codes else "?"


def family_iks(values: Sequence[str]) -> Fraction | None:
    """IKS of one family from its 12 family values: ΣY / (12 − ΣN), exact (RULES.md §1.3).

    None when it cannot be computed: all 12 are N (denominator 0 — "belum dapat dihitung", the implementation
    choice of RULES.md §1.3), or an answer is missing (the family is not "terdata lengkap", as the Aplikasi Keluarga
    Sehat shows "Belum Lengkap")."""
    if len(values) != N_INDICATORS:
        raise ValueError("a family has 12 indicator values")
    letters = [(v or "?").upper() for v in values]
    if "?" in letters:
        return None
    y, n = letters.count("Y"), letters.count("N")
    if n == N_INDICATORS:
        return None
    return Fraction(y, N_INDICATORS - n)


def category(iks: Fraction | None) -> str:
    """sehat > 0,800; pra-sehat 0,500–0,800 (both ends included); tidak sehat < 0,500; "" when undefined."""
    if iks is None:
        return ""
    if iks > Fraction(4, 5):
        return SEHAT
    if iks >= Fraction(1, 2):
        return PRA_SEHAT
    return TIDAK_SEHAT


def coverage(family_values: Sequence[str]) -> Fraction | None:
    """Cakupan of one indicator over families: families Y / families (Y + T); N excluded; None when all N
    (RULES.md §1.4: T,T,Y,N,T → 1/4)."""
    letters = [(v or "").upper() for v in family_values]
    y, t = letters.count("Y"), letters.count("T")
    return Fraction(y, y + t) if y + t else None


def ratio_text(num: int, den: int, places: int = 3, decimal: str = ".") -> str:
    """num/den rounded half up to ``places`` decimals, computed on integers (no float); "" when den is 0."""
    if not den:
        return ""
    scale = 10 ** places
    q = (2 * num * scale + den) // (2 * den)
    whole, frac = divmod(q, scale)
    return f"{whole}{decimal}{frac:0{places}d}" if places else str(whole)


# --- many families (vectorised) -------------------------------------------------------------------------------

def parse_answers(texts: Sequence[str], household: bool = False) -> np.ndarray:
    """Y/T/N texts → codes (int8). Empty → MISSING, or EMPTY for household columns. Raises ValueError on others."""
    arr = np.asarray(texts, dtype="U1") if len(texts) else np.zeros(0, "U1")
    upper = np.char.upper(arr)
    out = np.full(upper.shape, EMPTY if household else MISSING, dtype=np.int8)
    out[upper == "N"] = N
    out[upper == "Y"] = Y
    out[upper == "T"] = T
    bad = ~np.isin(upper, ["", "N", "Y", "T"])
    if bad.any():
        raise ValueError(np.flatnonzero(bad))
    return out


def family_values(answers: np.ndarray, family: np.ndarray, n_families: int | None = None) -> np.ndarray:
    """Family values (n_families × 12, int8 codes N/Y/MISSING/T) from member answers (members × 12 codes) and each
    member's family index (0 … n_families − 1). Every family must have at least one member row."""
    answers = np.asarray(answers, dtype=np.int8)
    family = np.asarray(family, dtype=np.int64)
    if n_families is None:
        n_families = int(family.max()) + 1 if len(family) else 0
    if len(family) == 0:
        return np.zeros((0, N_INDICATORS), np.int8)
    if np.all(family[1:] >= family[:-1]):
        order = None
        sorted_family = family
    else:
        order = np.argsort(family, kind="stable")
        sorted_family = family[order]
    starts = np.flatnonzero(np.r_[True, sorted_family[1:] != sorted_family[:-1]])
    present = sorted_family[starts]
    if len(present) != n_families:
        raise ValueError("every family needs at least one member row")
    rows = answers if order is None else answers[order]
    values = np.maximum.reduceat(rows, starts, axis=0)
    values[values == EMPTY] = MISSING  # a household question nobody answered
    return values.astype(np.int8)


def family_complete(answers: np.ndarray, family: np.ndarray, n_families: int | None = None) -> np.ndarray:
    """Per family: "terdata lengkap" — no member answer missing (indicators 1–10) and both household questions
    answered. Stricter than "no family value unknown": a member's empty answer leaves the family incomplete even
    when another member's T already decides the family value."""
    answers = np.asarray(answers)
    family = np.asarray(family, dtype=np.int64)
    if n_families is None:
        n_families = int(family.max()) + 1 if len(family) else 0
    missing = np.bincount(family, weights=(answers[:, :10] == MISSING).sum(axis=1), minlength=n_families) > 0
    for j in HOUSEHOLD:
        answered = np.bincount(family, weights=(answers[:, j] != EMPTY) & (answers[:, j] != MISSING),
                               minlength=n_families) > 0
        missing |= ~answered
    return ~missing


@dataclass
class FamilyScores:
    sum_y: np.ndarray
    sum_t: np.ndarray
    sum_n: np.ndarray
    complete: np.ndarray  # no answer missing ("terdata lengkap")
    defined: np.ndarray  # complete and not all N: IKS computable
    sehat: np.ndarray
    pra_sehat: np.ndarray
    tidak_sehat: np.ndarray


def family_scores(values: np.ndarray, complete: np.ndarray | None = None) -> FamilyScores:
    """Per family: ΣY, ΣT, ΣN, complete, and the category as booleans, exact (IKS = ΣY / (ΣY + ΣT)).
    ``complete`` (``family_complete``) defaults to "no family value unknown"."""
    values = np.asarray(values)
    y = (values == Y).sum(axis=1, dtype=np.int64)
    t = (values == T).sum(axis=1, dtype=np.int64)
    n = (values == N).sum(axis=1, dtype=np.int64)
    complete = ~(values == MISSING).any(axis=1) if complete is None else np.asarray(complete, bool)
    defined = complete & (y + t > 0)
    sehat = defined & (y > 4 * t)
    pra = defined & ~sehat & (y >= t)
    return FamilyScores(y, t, n, complete, defined, sehat, pra, defined & (y < t))


COUNT_FIELDS = ("families", "complete", "defined", "sehat", "pra_sehat", "tidak_sehat")


def area_counts(values: np.ndarray, group: np.ndarray, n_groups: int,
                complete: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Counts per area (RULES.md §1.4) from family values and each family's area index (0 … n_groups − 1):
    families, complete (terdata lengkap), defined, sehat, pra_sehat, tidak_sehat (n_groups,), and
    y, t (n_groups × 12): complete families whose family value is Y / T for each indicator.

    Implementation choice: indicator coverages count only families terdata lengkap, the same families as the
    IKS wilayah, so that every figure of an area describes one set of families."""
    values = np.asarray(values)
    group = np.asarray(group, dtype=np.int64)
    s = family_scores(values, complete)
    out = {"families": np.bincount(group, minlength=n_groups)}
    for name, mask in (("complete", s.complete), ("defined", s.defined), ("sehat", s.sehat),
                       ("pra_sehat", s.pra_sehat), ("tidak_sehat", s.tidak_sehat)):
        out[name] = np.bincount(group[mask], minlength=n_groups)
    # per indicator, one count of (area, family value) pairs over the complete families (values N, Y, MISSING, T)
    base = group[s.complete] * 4
    complete_values = np.ascontiguousarray(values[s.complete].T)
    complete_values[(complete_values < N) | (complete_values > T)] = N  # no other code is Y or T
    out["y"], out["t"] = np.zeros((n_groups, N_INDICATORS), np.int64), np.zeros((n_groups, N_INDICATORS), np.int64)
    for i in range(N_INDICATORS):
        pairs = np.bincount(base + complete_values[i], minlength=n_groups * 4).reshape(n_groups, 4)
        out["y"][:, i], out["t"][:, i] = pairs[:, Y], pairs[:, T]
    return out


def roll_up(counts: dict[str, np.ndarray], parent: np.ndarray, n_parents: int) -> dict[str, np.ndarray]:
    """Sum area counts into parent areas (RT → RW → desa → kecamatan / puskesmas → kabupaten): counts are added,
    never percentages averaged."""
    parent = np.asarray(parent, dtype=np.int64)
    out = {}
    for name, arr in counts.items():
        if arr.ndim == 1:
            out[name] = np.bincount(parent, weights=arr, minlength=n_parents).astype(np.int64)
        else:
            summed = np.zeros((n_parents, arr.shape[1]), np.int64)
            np.add.at(summed, parent, arr)
            out[name] = summed
    return out


@dataclass(frozen=True)
class AreaFigures:
    """Figures of one area: counts, and ratios as exact fractions (None without a denominator)."""

    families: int
    complete: int
    defined: int
    sehat: int
    pra_sehat: int
    tidak_sehat: int
    y: tuple[int, ...]
    t: tuple[int, ...]

    @property
    def iks(self) -> Fraction | None:
        """IKS wilayah: families sehat / families terdata lengkap (Aplikasi Keluarga Sehat, RULES.md §1.4)."""
        return Fraction(self.sehat, self.complete) if self.complete else None

    @property
    def iks_all(self) -> Fraction | None:
        """Families sehat / all families known (the Dinkes Sumedang reading; shown alongside)."""
        return Fraction(self.sehat, self.families) if self.families else None

    def coverage(self, i: int) -> Fraction | None:
        """Cakupan of indicator ``i`` (1–12)."""
        y, t = self.y[i - 1], self.t[i - 1]
        return Fraction(y, y + t) if y + t else None


def figures(counts: dict[str, np.ndarray], index: int) -> AreaFigures:
    return AreaFigures(
        **{name: int(counts[name][index]) for name in COUNT_FIELDS},
        y=tuple(int(v) for v in counts["y"][index]), t=tuple(int(v) for v in counts["t"][index]),
    )


def add_figures(items: Sequence[AreaFigures]) -> AreaFigures:
    """The figures of the union of areas: every count summed."""
    return AreaFigures(
        **{name: sum(getattr(f, name) for f in items) for name in COUNT_FIELDS},
        y=tuple(sum(f.y[i] for f in items) for i in range(N_INDICATORS)),
        t=tuple(sum(f.t[i] for f in items) for i in range(N_INDICATORS)),
    )


def values_text(values_row: np.ndarray) -> str:
    """One family's 12 codes as a 12-letter text (Y/T/N/?), as stored on a survey."""
    return "".join(LETTER[int(v)] for v in values_row)


def values_from_text(texts: Sequence[str]) -> np.ndarray:
    """Stored 12-letter texts → family value codes (families × 12)."""
    if not texts:
        return np.zeros((0, N_INDICATORS), np.int8)
    arr = np.frombuffer("".join(texts).encode("ascii"), dtype="S1").reshape(len(texts), N_INDICATORS)
    out = np.full(arr.shape, MISSING, np.int8)
    out[arr == b"N"] = N
    out[arr == b"Y"] = Y
    out[arr == b"T"] = T
    return out


# --- applicability (who an indicator applies to; RULES.md §1.1) -----------------------------------------------

def age_months(birth, on) -> int:
    """Completed months between two dates."""
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    if on.day < birth.day:
        months -= 1
    return months


#: Who an indicator applies to, checkable from age and sex: (indicator, min months, max months or None, sex or "").
APPLIES_TO = (
    (1, 10 * 12, None, ""),     # pasangan usia subur: at least not a child
    (2, 10 * 12, None, "P"),    # the mother who gave birth
    (3, 12, 23, ""),            # bayi 12–23 bulan
    (4, 7, 23, ""),             # bayi 7–23 bulan
    (5, 2, 59, ""),             # balita 2–59 bulan 29 hari
    (6, 15 * 12, None, ""),     # ≥ 15 tahun
    (7, 15 * 12, None, ""),     # ≥ 15 tahun
)


def applicability_problems(answers: dict[int, str], *, age_in_months: int, sex: str) -> list[tuple[int, int, int | None, str]]:
    """For one member's answers ({indicator: "Y"/"T"/"N"/""}): the rules of ``APPLIES_TO`` broken by an answer Y
    or T (the indicator does not apply to this member at the visit: it must be N)."""
    problems = []
    for i, low, high, need_sex in APPLIES_TO:
        if answers.get(i, "") not in ("Y", "T"):
            continue
        if age_in_months < low or (high is not None and age_in_months > high) or (need_sex and sex != need_sex):
            problems.append((i, low, high, need_sex))
    return problems


# --- areas ----------------------------------------------------------------------------------------------------

LEVELS = ("family", "rt", "rw", "desa", "kecamatan", "kabupaten", "provinsi")


def normalise_number(value: str) -> str:
    """RT/RW as three digits ("2" → "002"), as stored; other texts unchanged (stripped)."""
    v = (value or "").strip()
    return f"{int(v):03d}" if v.isdigit() and len(v) <= 3 else v


def area_key(level: str, *, desa: str, rw: str = "", rt: str = "", no_kk: str = "") -> str:
    """The code of the area at ``level`` holding a family: the Kemendagri code for desa and above (a prefix of the
    desa code), ``<desa>/RW<rw>`` and ``<desa>/RW<rw>/RT<rt>`` below, the No. KK for ``family``."""
    if level == "family":
        return no_kk
    if level == "rw":
        return f"{desa}/RW{normalise_number(rw) or '-'}"
    if level == "rt":
        return f"{desa}/RW{normalise_number(rw) or '-'}/RT{normalise_number(rt) or '-'}"
    parts = {"desa": 4, "kecamatan": 3, "kabupaten": 2, "provinsi": 1}[level]
    return ".".join(desa.split(".")[:parts])
