"""Desa/Kelurahan Siaga Aktif and Kabupaten/Kota Sehat: the regulation as pure functions (no Django, no database).

Sources (RULES.md §4, §5; RULES-2.md §2):
* Kepmenkes No. 1529/MENKES/SK/X/2010 — 8 criteria × 4 strata (Pratama, Madya, Purnama, Mandiri). The table
  itself is data (``rulesets/desa-siaga-2010.json``) evaluated by the one rule-set evaluator
  (``binasehat.assessments.rules.evaluate``); this module only resolves its parameters (the disputed Mandiri cells),
  encodes the ordinal inputs and explains the result per criterion.
* KKS (Swasti Saba) — indicators scored 0–100 on option scales; tatanan score = mean of its indicators; category by
  the round's thresholds (default 71 / 81 / 91 → Padapa / Wiwerda / Wistara, unverified), on the average of the
  tatanan or on every tatanan (configurable per round), with the ODF prerequisite per category.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# --- Desa Siaga ------------------------------------------------------------------------------------------------

#: Forum Masyarakat Desa: the import codes in order (RULES.md §4 row 1).
FORUM_LEVELS = ("tidak_ada", "belum_berjalan", "tidak_rutin", "triwulanan", "bulanan")
#: Peraturan kepala desa / bupati-walikota (row 7).
PERATURAN_LEVELS = ("tidak_ada", "ada", "direalisasikan")
STRATA = ("Pratama", "Madya", "Purnama", "Mandiri")
CRITERIA = ("forum", "kader", "akses_harian", "posyandu", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif",
            "peraturan", "phbs_rt_persen")
#: Inputs that are numbers (a missing one cannot meet any threshold).
NUMERIC = ("forum", "kader", "posyandu", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif", "peraturan",
           "phbs_rt_persen")


def forum_from_meetings(meetings: int) -> int | None:
    """Forum level from the number of forum desa meetings recorded in a year (implementation choice: "setiap
    bulan" = 12 or more, "setiap triwulan" = 4 or more, "berjalan, belum rutin" = 1 or more). None for 0: the
    system cannot tell "no forum" from "not recorded", so the entered value is used."""
    if meetings >= 12:
        return 4
    if meetings >= 4:
        return 3
    if meetings >= 1:
        return 2
    return None


def resolve_parameters(definition: Mapping, overrides: Mapping[str, object] | None = None) -> tuple[dict, dict]:
    """The rule set with every ``{"param": key}`` value replaced by the configured value (override, else the
    file's default), and the values used."""
    params = {k: (overrides or {}).get(k, p["default"]) for k, p in definition.get("parameters", {}).items()}
    resolved = copy.deepcopy(dict(definition))
    for level in resolved.get("levels", []):
        for c in level["criteria"]:
            if isinstance(c["value"], dict) and "param" in c["value"]:
                c["value"] = params[c["value"]["param"]]
    return resolved, params


def evaluation_inputs(values: Mapping[str, object]) -> dict:
    """Inputs as the evaluator compares them: a missing number becomes −1 (meets no threshold), a missing yes/no
    becomes False."""
    out = {}
    for key in CRITERIA:
        v = values.get(key)
        if key in NUMERIC:
            out[key] = -1 if v is None else float(v) if key == "phbs_rt_persen" else int(v)
        else:
            out[key] = bool(v) if v is not None else False
    return out


def criterion_levels(definition: Mapping, inputs: Mapping[str, object]) -> dict[str, str | None]:
    """Per criterion, the highest stratum whose cell for it is met (None when not even Pratama's)."""
    from binasehat.assessments.rules import _met  # the one comparison of the evaluator

    reached: dict[str, str | None] = {k: None for k in CRITERIA}
    blocked: set[str] = set()
    for level in definition["levels"]:
        by_indicator: dict[str, bool] = {}
        for c in level["criteria"]:
            ok = _met(inputs[c["indicator"]], c["op"], c["value"])
            by_indicator[c["indicator"]] = by_indicator.get(c["indicator"], True) and ok
        for key, ok in by_indicator.items():
            if key in blocked:
                continue
            if ok:
                reached[key] = level["key"]
            else:
                blocked.add(key)
    return reached


def siaga_aktif_share(strata: Sequence[str | None]) -> tuple[int, int, float | None]:
    """Desa Siaga Aktif (any stratum) among all desa: (count, total, percent). SPM target 80 % (RULES.md §4)."""
    total = len(strata)
    aktif = sum(1 for s in strata if s)
    return aktif, total, (100.0 * aktif / total if total else None)


SIAGA_TARGET = 80.0

# --- Kabupaten/Kota Sehat --------------------------------------------------------------------------------------

CATEGORIES = ("Padapa", "Wiwerda", "Wistara")


def option_from_value(value: float | None, bands: Sequence[Mapping]) -> int | None:
    """The option score a computed value reaches: the first band whose bound it meets, top down. A band is
    ``{"min": x, "score": s}`` (value ≥ x), ``{"above": x, "score": s}`` (value > x) or ``{"score": s}`` (any).
    None when there is no value (no data is neither passed nor failed)."""
    if value is None:
        return None
    for band in bands:
        if "min" in band and not value >= band["min"] - 1e-9:
            continue
        if "above" in band and not value > band["above"] + 1e-9:
            continue
        return int(band["score"])
    return None


def option_from_trend(value: float | None, previous: float | None, target: float | None) -> int | None:
    """"Mencapai target atau menurun" (lower is better, e.g. stunting): 100 when the value is at or below the
    target or below last year's value, 0 otherwise; None without a value."""
    if value is None:
        return None
    if target is not None and value <= target + 1e-9:
        return 100
    if previous is not None and value < previous - 1e-9:
        return 100
    return 0


def tatanan_score(scores: Sequence[int | None]) -> float | None:
    """Mean of a tatanan's indicator scores; an indicator without a value counts 0 (not yet evidenced). None for a
    tatanan without indicators."""
    if not scores:
        return None
    return sum(s or 0 for s in scores) / len(scores)


@dataclass
class KksResult:
    tatanan: list[float | None]
    overall: float | None
    category: str | None
    prerequisites: dict[str, bool]
    reasons: list[str] = field(default_factory=list)
    #: per tatanan (same order): (next category, points lacking) or None when at the top already.
    lacks: list[tuple[str, float] | None] = field(default_factory=list)


def kks_category(tatanan: Sequence[float | None], *, thresholds: Mapping[str, float], basis: str,
                 odf_percent: float | None, odf_min: Mapping[str, float], basic_documents_ok: bool,
                 require_basic_documents: bool = True) -> KksResult:
    """Category of one kab/kota in one round (RULES.md §5.4, RULES-2.md §2.2).

    * ``basis`` "average": the mean of the tatanan scores must reach the category's threshold; "per_tatanan":
      every tatanan must reach it.
    * ``odf_min``: "participation" — the ODF share of desa/kelurahan needed to take part at all; a category key —
      the share needed for that category. Without an ODF figure the prerequisite is not met.
    * the aspek dasar documents (SK Tim Pembina, SK Forum/Pokja, rencana kerja) are the entry condition.
    """
    scores = [s if s is not None else 0.0 for s in tatanan]
    overall = sum(scores) / len(scores) if scores else None
    reasons = []
    prerequisites = {}
    odf = odf_percent if odf_percent is not None else None
    part = odf_min.get("participation")
    prerequisites["odf"] = part is None or (odf is not None and odf >= part - 1e-9)
    prerequisites["aspek_dasar"] = basic_documents_ok or not require_basic_documents
    if not prerequisites["odf"]:
        reasons.append(f"ODF {odf if odf is not None else '-'} % < {part} %")
    if not prerequisites["aspek_dasar"]:
        reasons.append("aspek dasar belum lengkap")

    def reaches(cat: str) -> bool:
        limit = thresholds[cat]
        if basis == "per_tatanan":
            ok = bool(scores) and all(s >= limit - 1e-9 for s in scores)
        else:
            ok = overall is not None and overall >= limit - 1e-9
        need = odf_min.get(cat)
        if need is not None and (odf is None or odf < need - 1e-9):
            ok = False
        return ok

    category = None
    if all(prerequisites.values()):
        for cat in CATEGORIES:
            if cat in thresholds and reaches(cat):
                category = cat
    lacks: list[tuple[str, float] | None] = []
    for s in scores:
        nxt = next((c for c in CATEGORIES if c in thresholds and s < thresholds[c] - 1e-9), None)
        lacks.append((nxt, round(thresholds[nxt] - s, 2)) if nxt else None)
    return KksResult(tatanan=list(tatanan), overall=overall, category=category, prerequisites=prerequisites,
                     reasons=reasons, lacks=lacks)
