"""Posyandu strata and "Posyandu Aktif" from monthly records. Pure functions: NumPy in, plain values out.

Sources (RULES.md):
* §2.1 Kemenkes 2011, Pedoman Umum Pengelolaan Posyandu — eight indicators: frekuensi penimbangan per year ≥ 8,
  rerata kader bertugas ≥ 5, rerata cakupan D/S ≥ 50 %, cakupan kumulatif KIA, KB, imunisasi ≥ 50 %, program
  tambahan, dana sehat ≥ 50 % of KK (Mandiri only).
* §2.2 Kemenkes DO "Posyandu Aktif" (RPJMN 2020–2024) — all of: routine activity in ≥ 8 different months;
  ≥ 5 kader with an SK of the kepala desa/lurah; 3 of the 4 services (gizi D/S, KIA, KB, imunisasi) reach ≥ 50 % of
  their sasaran in ≥ 8 months; growth-monitoring tools; additional activities.

Implementation choices (the sources do not say; shown to users with the result):
* "Rerata cakupan D/S" is the mean of the monthly D/S over the months the posyandu OPENED (with S reported): a
  month not opened is not counted as 0 %, because the first criterion (frekuensi penimbangan, months opened)
  already counts it; counting it again as 0 % would penalise one missed month twice. No opened month: 0 %.
* The period of a verdict: a year that is over uses its twelve months; the current year uses January to the last
  complete month (a provisional verdict, "sementara s.d. <bulan>"), see ``months_covered``. Thresholds are the
  yearly ones in both cases.
* "Cakupan kumulatif" KIA/KB/imunisasi = Σ served / Σ sasaran over the period's records (0 when Σ sasaran = 0).
* Dana sehat = KK peserta / KK of the latest record that has a KK count.
* A month's service coverage counts towards "≥ 50 % in ≥ 8 months" only when its sasaran is above 0.
* Growth-monitoring tools: as reported in the latest record of the period.
* Exactly 50 % meets "≥ 50 %": coverage is compared as 2 × served ≥ sasaran, in integers where it can be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-9

#: Per-month fields read from records (P posyandu × 12 months arrays, NaN = no record / not reported).
MONTH_FIELDS = (
    "opening_days", "kader_on_duty", "s", "d", "ibu_hamil_sasaran", "ibu_hamil_dilayani", "kb_sasaran",
    "kb_dilayani", "imunisasi_sasaran", "imunisasi_dilayani", "kk_total", "kk_dana_sehat", "alat_pantau",
    "kegiatan_tambahan",
)
SERVICES = {  # service: (served, target) — gizi is D/S
    "gizi": ("d", "s"),
    "kia": ("ibu_hamil_dilayani", "ibu_hamil_sasaran"),
    "kb": ("kb_dilayani", "kb_sasaran"),
    "imunisasi": ("imunisasi_dilayani", "imunisasi_sasaran"),
}


def months_covered(year: int, today_year: int, today_month: int) -> int:
    """Months of ``year`` a verdict uses, seen from the month ``today_year-today_month``: 12 for a year that is
    over, January to the last complete month for the current year (0 in January), 0 for a future year.

    Depends only on the month of ``today``, never the day: a verdict computed on 3 or on 28 July is the same."""
    if year < today_year:
        return 12
    if year > today_year:
        return 0
    return today_month - 1


def empty_months(count: int) -> dict[str, np.ndarray]:
    """Arrays for ``count`` posyandu × 12 months, all missing."""
    return {f: np.full((count, 12), np.nan) for f in MONTH_FIELDS}


def _z(a: np.ndarray) -> np.ndarray:
    return np.nan_to_num(a, nan=0.0)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def _latest(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per row, the value in the last column where ``present`` (NaN when none)."""
    idx = np.where(present, np.arange(values.shape[1]), -1).max(axis=1)
    out = np.full(values.shape[0], np.nan)
    has = idx >= 0
    out[has] = values[np.nonzero(has)[0], idx[has]]
    return out


#: What the indicators of a posyandu-year are made of: counts and sums over the months of the period, and the
#: latest values. Each is a sum, count or maximum over the period's monthly records, so a database can compute them
#: (``services.month_sums``: one row per posyandu); ``sums_from_months`` computes them from monthly arrays and is
#: the reference. NaN = no value (a posyandu without a record with a KK count).
SUMS = (
    "recorded_months",  # months with a record
    "opening_months",  # months opened (opening days > 0)
    "kader_tenths",  # kader on duty summed over the months opened, in tenths (a whole number: exact)
    "ds_sum", "ds_months",  # D/S summed over the months opened with S > 0 (in month order), and those months
    *(f"{k}_{part}" for k in ("kia", "kb", "imunisasi") for part in ("served", "target")),  # cumulative sums
    *(f"months_{k}_50" for k in SERVICES),  # months a service reached ≥ 50 % of a sasaran above 0
    "extra_program",  # 1 when a month had additional activities
    "alat_pantau",  # the growth-monitoring tools of the latest record (1/0)
    "kk_total", "kk_dana_sehat",  # of the latest record with a KK count (NaN when none)
)


def sums_from_months(m: dict[str, np.ndarray], months_in_period: int = 12) -> dict[str, np.ndarray]:
    """``SUMS`` for P posyandu from their monthly arrays (P × 12), over the first ``months_in_period`` months.
    D/S is summed month by month in calendar order (as the database sums it), so both give the same bits."""
    period = slice(0, months_in_period)
    mm = {k: v[:, period] for k, v in m.items()}
    recorded = ~np.isnan(mm["opening_days"])
    opened = _z(mm["opening_days"]) > 0
    s, d = _z(mm["s"]), _z(mm["d"])
    ds_counted = opened & (s > 0)
    ds_month = np.where(ds_counted, _ratio(d, s), 0.0)
    ds_sum = np.zeros(len(s))
    for j in range(ds_month.shape[1]):
        ds_sum = ds_sum + ds_month[:, j]
    out = {
        "recorded_months": recorded.sum(axis=1),
        "opening_months": opened.sum(axis=1),
        "kader_tenths": np.where(opened, np.round(_z(mm["kader_on_duty"]) * 10), 0).sum(axis=1),
        "ds_sum": ds_sum,
        "ds_months": ds_counted.sum(axis=1),
    }
    for name, (served, target) in SERVICES.items():
        t, v = _z(mm[target]), _z(mm[served])
        if name != "gizi":
            out[f"{name}_served"], out[f"{name}_target"] = v.sum(axis=1), t.sum(axis=1)
        good = (t > 0) & (2 * v >= t - EPS)  # ≥ 50 % of the sasaran that month
        if name == "gizi":
            good &= opened
        out[f"months_{name}_50"] = good.sum(axis=1)
    out["extra_program"] = (_z(mm["kegiatan_tambahan"]) > 0).any(axis=1).astype(float)
    out["alat_pantau"] = np.nan_to_num(_latest(_z(mm["alat_pantau"]), recorded))
    kk_present = _z(mm["kk_total"]) > 0
    out["kk_total"] = _latest(_z(mm["kk_total"]), kk_present)
    out["kk_dana_sehat"] = _latest(_z(mm["kk_dana_sehat"]), kk_present)
    return {k: np.asarray(out[k], dtype=np.float64) for k in SUMS}


def inputs_from_sums(sums: dict[str, np.ndarray], kader_sk: np.ndarray) -> dict[str, np.ndarray]:
    """The indicators of both rule sets for P posyandu at once, from their ``SUMS`` (floats; NaN = none)."""
    opening_months = sums["opening_months"].astype(np.int64)
    service_months = {k: sums[f"months_{k}_50"].astype(np.int64) for k in SERVICES}
    services_ok = np.zeros(len(opening_months), dtype=np.int64)
    for v in service_months.values():
        services_ok += v >= 8
    kk_total, kk_dana = sums["kk_total"], sums["kk_dana_sehat"]

    def cumulative(name):
        return 100 * _ratio(sums[f"{name}_served"], sums[f"{name}_target"])

    return {
        "recorded_months": sums["recorded_months"].astype(np.int64),
        "opening_months": opening_months,
        "kader_avg": _ratio(sums["kader_tenths"] / 10, opening_months.astype(float)),
        "ds_avg": 100 * _ratio(sums["ds_sum"], sums["ds_months"]),
        "kia_cum": cumulative("kia"),
        "kb_cum": cumulative("kb"),
        "imunisasi_cum": cumulative("imunisasi"),
        "extra_program": sums["extra_program"] > 0,
        "dana_sehat": np.where(np.isnan(kk_total), 0.0, 100 * _ratio(np.nan_to_num(kk_dana), np.nan_to_num(kk_total))),
        "kader_sk": np.asarray(kader_sk),
        "services_8_months": services_ok,
        "alat_pantau": sums["alat_pantau"] > 0,
        **{f"months_{k}_50": v for k, v in service_months.items()},
    }


def yearly_inputs(m: dict[str, np.ndarray], kader_sk: np.ndarray, months_in_period: int = 12) -> dict[str, np.ndarray]:
    """The indicators of both rule sets for P posyandu at once, from their monthly arrays (P × 12)."""
    return inputs_from_sums(sums_from_months(m, months_in_period), kader_sk)


#: Besides its rule set's indicators, a verdict keeps the months recorded and the counts an indicator sums up.
DETAILS = {"services_8_months": tuple(f"months_{k}_50" for k in SERVICES)}


def stored_inputs(ruleset: dict) -> list[str]:
    """The inputs kept with a verdict of ``ruleset``: "recorded_months", then every indicator its criteria use
    (with the counts of ``DETAILS`` behind it), in the order the rule set names them."""
    criteria = ruleset.get("criteria", []) + [c for level in ruleset.get("levels", []) for c in level["criteria"]]
    keys = ["recorded_months"]
    for indicator in [*ruleset.get("indicators", {}), *(c["indicator"] for c in criteria)]:
        for key in (indicator, *DETAILS.get(indicator, ())):
            if key not in keys:
                keys.append(key)
    return keys


def _met(actual, op: str, value) -> bool:
    if op == ">=":
        return bool(actual >= value - EPS)
    if op == ">":
        return bool(actual > value + EPS)
    if op == "<=":
        return bool(actual <= value + EPS)
    if op == "is":
        return bool(actual) == bool(value)
    raise ValueError(f"unknown operator {op!r}")


@dataclass
class Outcome:
    result: object  # a level name (kind "levels") or True/False (kind "all")
    criteria: list[dict]  # every criterion of the result's rule (or of every level) with actual and met
    missing: list[dict]  # what is not yet met for the next level (levels) or for the result (all)
    next_level: str | None = None


def _plain(value):
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def evaluate(ruleset: dict, inputs: dict) -> Outcome:
    """Evaluate one posyandu's ``inputs`` (indicator → value) against a rule set definition."""
    labels = ruleset.get("indicators", {})

    def check(criteria):
        rows = []
        for c in criteria:
            actual = _plain(inputs[c["indicator"]])
            rows.append({
                "indicator": c["indicator"], "label": labels.get(c["indicator"], {}).get("label", c["indicator"]),
                "op": c["op"], "value": c["value"], "actual": actual, "met": _met(actual, c["op"], c["value"]),
            })
        return rows

    if ruleset["kind"] == "all":
        rows = check(ruleset["criteria"])
        return Outcome(result=all(r["met"] for r in rows), criteria=rows, missing=[r for r in rows if not r["met"]])
    if ruleset["kind"] == "levels":
        result, next_level, missing = None, None, []
        for level in ruleset["levels"]:
            rows = check(level["criteria"])
            if all(r["met"] for r in rows):
                result = level["key"]
            else:
                next_level, missing = level["key"], [r for r in rows if not r["met"]]
                break
        all_rows = check(ruleset["levels"][-1]["criteria"])
        return Outcome(result=result, criteria=all_rows, missing=missing, next_level=next_level)
    raise ValueError(f"unknown rule set kind {ruleset['kind']!r}")


def _met_many(actual: np.ndarray, op: str, value) -> np.ndarray:
    """``_met`` over an array of actual values (NaN compares as in Python: never met, except ``is`` where NaN is
    truthy, as ``bool(nan)``)."""
    actual = np.asarray(actual)
    if op == "is":
        return actual.astype(bool) == bool(value)
    with np.errstate(invalid="ignore"):
        if op == ">=":
            return actual >= value - EPS
        if op == ">":
            return actual > value + EPS
        if op == "<=":
            return actual <= value + EPS
    raise ValueError(f"unknown operator {op!r}")


def evaluate_many(ruleset: dict, inputs: dict[str, np.ndarray]) -> list[Outcome]:
    """``evaluate`` for every posyandu at once: ``inputs`` holds one array per indicator (``yearly_inputs``).
    Each criterion is met or not for all posyandu in one comparison; the outcomes are the per-row evaluator's,
    which stays the reference (the tests compare both)."""
    labels = ruleset.get("indicators", {})
    plain = {k: np.asarray(v).tolist() for k, v in inputs.items()}  # Python bool/int/float, as _plain gives
    n = len(next(iter(plain.values()))) if plain else 0

    def criteria(items):
        fixed = [(c["indicator"], labels.get(c["indicator"], {}).get("label", c["indicator"]), c["op"], c["value"])
                 for c in items]
        met = [_met_many(inputs[c["indicator"]], c["op"], c["value"]).tolist() for c in items]
        return fixed, met

    def rows_of(fixed, met, i):
        return [{"indicator": ind, "label": label, "op": op, "value": value, "actual": plain[ind][i],
                 "met": met[k][i]} for k, (ind, label, op, value) in enumerate(fixed)]

    if ruleset["kind"] == "all":
        fixed, met = criteria(ruleset["criteria"])
        out = []
        for i in range(n):
            rows = rows_of(fixed, met, i)
            out.append(Outcome(result=all(r["met"] for r in rows), criteria=rows,
                               missing=[r for r in rows if not r["met"]]))
        return out
    if ruleset["kind"] == "levels":
        levels = ruleset["levels"]
        checked = [criteria(level["criteria"]) for level in levels]
        passed = np.array([np.all(np.array(met, dtype=bool).reshape(len(met), n), axis=0) if met else np.ones(n, bool)
                           for _, met in checked]).reshape(len(levels), n)
        # the first level not passed (len(levels) when every level is)
        first_failed = np.where(passed.all(axis=0), len(levels), np.argmin(passed, axis=0)).tolist()
        last_fixed, last_met = checked[-1]
        out = []
        for i in range(n):
            f = first_failed[i]
            result = levels[f - 1]["key"] if f > 0 else None
            next_level, missing = None, []
            if f < len(levels):
                next_level = levels[f]["key"]
                missing = [r for r in rows_of(*checked[f], i) if not r["met"]]
            out.append(Outcome(result=result, criteria=rows_of(last_fixed, last_met, i), missing=missing,
                               next_level=next_level))
        return out
    raise ValueError(f"unknown rule set kind {ruleset['kind']!r}")


def evaluate_columns(ruleset: dict, inputs: dict[str, np.ndarray]) -> tuple[list, list]:
    """The result and the next level of ``evaluate`` for every posyandu at once, as two lists (one value per
    posyandu: a level key or None / True or False, and the next level or None). Every criterion is one comparison
    over all posyandu; nothing is built per posyandu. The criteria with their actual values and what is missing
    follow from the inputs and the rule set (``evaluate``), so they are derived when shown, not stored."""
    n = len(next(iter(inputs.values()))) if inputs else 0

    def passed(criteria) -> np.ndarray:
        ok = np.ones(n, dtype=bool)
        for c in criteria:
            ok &= _met_many(inputs[c["indicator"]], c["op"], c["value"])
        return ok

    if ruleset["kind"] == "all":
        return passed(ruleset["criteria"]).tolist(), [None] * n
    if ruleset["kind"] == "levels":
        levels = ruleset["levels"]
        # the first level not passed (len(levels) when every level is): levels are cumulative, so stop at the
        # first one a posyandu fails, as ``evaluate`` does
        first_failed = np.full(n, len(levels))
        still = np.ones(n, dtype=bool)
        for index, level in enumerate(levels):
            fails = still & ~passed(level["criteria"])
            first_failed[fails] = index
            still &= ~fails
        keys = np.array([None] + [level["key"] for level in levels] + [None], dtype=object)
        return keys[first_failed].tolist(), keys[first_failed + 1].tolist()
    raise ValueError(f"unknown rule set kind {ruleset['kind']!r}")
