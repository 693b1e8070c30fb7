"""Validation rules and outlier detection for programme data, as pure functions (no Django, no database).

Validation rules follow DHIS2 ("Validation rules", Metadata Management; ``DataValidationTask.isViolation`` and
``ExpressionService.getExpressionValue`` in dhis2-core):

* A rule compares a **left side** and a **right side** with an **operator**. Each side is an expression over
  data element totals ``#{CODE}``, numbers, ``+ - * /`` (also ``× ÷ −``) and parentheses.
* Each side has a **missing value strategy** (DHIS2 manual):
  - ``SKIP_IF_ANY_VALUE_MISSING``: "The validation rule will be skipped if any of the values which compose the
    expression are missing."
  - ``SKIP_IF_ALL_VALUES_MISSING``: "The validation rule will be skipped only if all of the operands which
    compose it are missing." (Missing operands among present ones count as 0.)
  - ``NEVER_SKIP``: "The validation rule will never be skipped in case of missing data, and all missing operands
    will be treated effectively as a zero."
  A side that is skipped has no value (``NaN`` here, ``null`` in DHIS2); so has a side that divides by zero.
* Operators ``compulsory_pair`` ("if either side is present, the other must also be") and ``exclusive_pair``
  ("if either side is present, the other must not be") look only at whether each side has a value. For the
  comparison operators a side without a value skips the rule, except that a ``NEVER_SKIP`` side without a value
  (a division by zero) counts as 0, as in DHIS2.

Everything works on NumPy arrays (one cell per organisation unit × period) so a rule is evaluated for a whole
district at once; plain floats work too.

Outliers follow DHIS2 "Outlier detection" (Data Quality app), computed per data element × organisation unit
over a series of periods:

* **z-score**: z = (x − mean) ÷ sd. Unlike DHIS2, the mean and sd come from the *other* values of the series
  (leave-one-out), so one extreme value cannot widen its own yardstick; at least ``MIN_OTHERS`` (4) other
  values are needed. The sd is the population standard deviation (DHIS2 uses ``stddev_pop``). A series whose
  other values are all equal (sd = 0) is not scored, as DHIS2 skips ``std_dev = 0``.
* **modified z-score** (Iglewicz & Hoaglin 1993): M = 0.6745 × (x − median) ÷ MAD, MAD = median |xᵢ − median|,
  again from the other values. (DHIS2's own "modified z-score" divides |x − median| by the standard
  deviation; the median/MAD form is the robust one and is what is asked of us.) MAD = 0 is not scored.
* **min–max**: a value below the minimum or above the maximum. Bounds come from a stored min–max pair when
  there is one, otherwise they are generated as mean ± k × sd of the other values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# --- operators and strategies ------------------------------------------------------------------------

EQUAL_TO = "equal_to"
NOT_EQUAL_TO = "not_equal_to"
GREATER_THAN = "greater_than"
GREATER_THAN_OR_EQUAL_TO = "greater_than_or_equal_to"
LESS_THAN = "less_than"
LESS_THAN_OR_EQUAL_TO = "less_than_or_equal_to"
COMPULSORY_PAIR = "compulsory_pair"
EXCLUSIVE_PAIR = "exclusive_pair"
OPERATORS = (EQUAL_TO, NOT_EQUAL_TO, GREATER_THAN, GREATER_THAN_OR_EQUAL_TO, LESS_THAN, LESS_THAN_OR_EQUAL_TO,
             COMPULSORY_PAIR, EXCLUSIVE_PAIR)
PAIR_OPERATORS = (COMPULSORY_PAIR, EXCLUSIVE_PAIR)
#: How each operator is written between the two sides.
OPERATOR_SYMBOLS = {EQUAL_TO: "=", NOT_EQUAL_TO: "≠", GREATER_THAN: ">", GREATER_THAN_OR_EQUAL_TO: "≥",
                    LESS_THAN: "<", LESS_THAN_OR_EQUAL_TO: "≤", COMPULSORY_PAIR: "⇔", EXCLUSIVE_PAIR: "⊕"}

SKIP_IF_ANY_VALUE_MISSING = "SKIP_IF_ANY_VALUE_MISSING"
SKIP_IF_ALL_VALUES_MISSING = "SKIP_IF_ALL_VALUES_MISSING"
NEVER_SKIP = "NEVER_SKIP"
STRATEGIES = (SKIP_IF_ANY_VALUE_MISSING, SKIP_IF_ALL_VALUES_MISSING, NEVER_SKIP)

#: Relative and absolute tolerance for "equal": sides are sums of counts, but divisions give fractions.
TOLERANCE = 1e-9


class ExpressionError(ValueError):
    """The expression cannot be read; the message says where."""


# --- expressions -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(#\{[A-Za-z0-9_]+\})|(\d+(?:[.,]\d+)?)|([-+*/()×÷−]))")
_NORMALISE = {"×": "*", "÷": "/", "−": "-"}


@dataclass(frozen=True)
class Expression:
    """A parsed side of a rule: ``text`` as written, ``tree`` as nested tuples, ``codes`` it refers to."""

    text: str
    tree: tuple
    codes: tuple[str, ...]


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExpressionError(f"Tanda tidak dikenal pada posisi {pos + 1}: {text[pos:pos + 10]!r}")
        item, number, op = m.groups()
        if item:
            out.append(("item", item[2:-1]))
        elif number:
            out.append(("num", number.replace(",", ".")))
        else:
            out.append(("op", _NORMALISE.get(op, op)))
        pos = m.end()
    return out


def parse(text: str) -> Expression:
    """Read an expression such as ``#{TB_KOHORT_SEMBUH} + #{TB_KOHORT_LENGKAP}``.

    Grammar: expr := term (("+"|"-") term)*; term := factor (("*"|"/") factor)*;
    factor := ("-"|"+") factor | number | #{CODE} | "(" expr ")".
    """
    tokens = _tokens(text or "")
    if not tokens:
        raise ExpressionError("Ekspresi kosong.")
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else (None, None)

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def expr():
        node = term()
        while peek() in (("op", "+"), ("op", "-")):
            node = (take()[1], node, term())
        return node

    def term():
        node = factor()
        while peek() in (("op", "*"), ("op", "/")):
            node = (take()[1], node, factor())
        return node

    def factor():
        kind, value = peek()
        if kind is None:
            raise ExpressionError("Ekspresi berakhir terlalu cepat.")
        take()
        if (kind, value) in (("op", "-"), ("op", "+")):
            inner = factor()
            return ("neg", inner) if value == "-" else inner
        if kind == "num":
            return ("num", float(value))
        if kind == "item":
            return ("item", value)
        if value == "(":
            node = expr()
            if peek() != ("op", ")"):
                raise ExpressionError("Kurung tutup ')' tidak ada.")
            take()
            return node
        raise ExpressionError(f"{value!r} tidak pada tempatnya.")

    tree = expr()
    if pos != len(tokens):
        raise ExpressionError(f"{tokens[pos][1]!r} tidak pada tempatnya.")
    codes: list[str] = []

    def collect(node):
        if node[0] == "item":
            if node[1] not in codes:
                codes.append(node[1])
        elif node[0] == "neg":
            collect(node[1])
        elif node[0] != "num":
            collect(node[1])
            collect(node[2])

    collect(tree)
    return Expression(text=text.strip(), tree=tree, codes=tuple(codes))


def _compute(node: tuple, values: Mapping[str, np.ndarray], shape) -> np.ndarray:
    kind = node[0]
    if kind == "num":
        return np.full(shape, node[1])
    if kind == "item":
        v = values.get(node[1])
        if v is None:
            return np.zeros(shape)
        return np.nan_to_num(np.broadcast_to(np.asarray(v, dtype=float), shape), nan=0.0)
    if kind == "neg":
        return -_compute(node[1], values, shape)
    a, b = _compute(node[1], values, shape), _compute(node[2], values, shape)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    with np.errstate(divide="ignore", invalid="ignore"):
        return a / b


def _shape(values: Mapping[str, np.ndarray], codes) -> tuple:
    arrays = [np.asarray(values[c], dtype=float) for c in codes if c in values]
    return np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()


def side_value(expression: Expression, values: Mapping[str, np.ndarray | float | None], strategy: str,
               shape: tuple | None = None) -> np.ndarray:
    """The value of one side per cell; ``NaN`` where the side has no value (skipped or divided by zero).

    ``values`` maps a code to its values (``NaN`` or ``None`` = missing; a code not in the map is missing)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown missing value strategy {strategy!r}")
    arrays = {c: np.asarray(np.nan if v is None else v, dtype=float) for c, v in values.items()}
    if shape is None:
        shape = _shape(arrays, expression.codes)
    result = np.array(_compute(expression.tree, arrays, shape), dtype=float)
    result[~np.isfinite(result)] = np.nan
    if expression.codes:
        missing = np.stack([np.broadcast_to(np.isnan(arrays[c]), shape) if c in arrays else np.ones(shape, bool)
                            for c in expression.codes])
        if strategy == SKIP_IF_ANY_VALUE_MISSING:
            result[missing.any(axis=0)] = np.nan
        elif strategy == SKIP_IF_ALL_VALUES_MISSING:
            result[missing.all(axis=0)] = np.nan
    return result


def compare(operator: str, left, right) -> np.ndarray:
    """Whether ``left operator right`` holds (comparison operators only)."""
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    close = np.isclose(left, right, rtol=TOLERANCE, atol=TOLERANCE)
    if operator == EQUAL_TO:
        return close
    if operator == NOT_EQUAL_TO:
        return ~close
    if operator == GREATER_THAN:
        return (left > right) & ~close
    if operator == GREATER_THAN_OR_EQUAL_TO:
        return (left > right) | close
    if operator == LESS_THAN:
        return (left < right) & ~close
    if operator == LESS_THAN_OR_EQUAL_TO:
        return (left < right) | close
    raise ValueError(f"{operator!r} is not a comparison operator")


def violations(operator: str, left, right, left_strategy: str = SKIP_IF_ANY_VALUE_MISSING,
               right_strategy: str = SKIP_IF_ANY_VALUE_MISSING) -> np.ndarray:
    """Which cells violate the rule, given the side values from :func:`side_value` (DHIS2 ``isViolation``)."""
    left, right = np.array(left, dtype=float), np.array(right, dtype=float)
    left_absent, right_absent = np.isnan(left), np.isnan(right)
    if operator == COMPULSORY_PAIR:
        return left_absent != right_absent
    if operator == EXCLUSIVE_PAIR:
        return ~left_absent & ~right_absent
    if left_strategy == NEVER_SKIP:
        left[left_absent] = 0.0
    if right_strategy == NEVER_SKIP:
        right[right_absent] = 0.0
    evaluated = ~np.isnan(left) & ~np.isnan(right)
    with np.errstate(invalid="ignore"):
        return evaluated & ~compare(operator, np.nan_to_num(left), np.nan_to_num(right))


def evaluate(left: str | Expression, operator: str, right: str | Expression,
             values: Mapping[str, float | None], left_strategy: str = SKIP_IF_ANY_VALUE_MISSING,
             right_strategy: str = SKIP_IF_ANY_VALUE_MISSING) -> tuple[bool, float | None, float | None]:
    """One cell: (violated?, left value, right value), values ``None`` when a side has none."""
    left = parse(left) if isinstance(left, str) else left
    right = parse(right) if isinstance(right, str) else right
    lv = side_value(left, values, left_strategy, shape=())
    rv = side_value(right, values, right_strategy, shape=())
    bad = bool(violations(operator, lv, rv, left_strategy, right_strategy))
    return bad, (None if np.isnan(lv) else float(lv)), (None if np.isnan(rv) else float(rv))


# --- outliers ----------------------------------------------------------------------------------------

#: Fewest *other* values of the series a value is compared with.
MIN_OTHERS = 4
#: Iglewicz & Hoaglin: 0.6745 is the 0.75 quantile of the standard normal, so M ≈ z for normal data.
MAD_FACTOR = 0.6745


@dataclass(frozen=True)
class Scores:
    """Per cell of an (n series × T periods) matrix: the score, the centre and spread of the other values, how
    many other values there were, and the bounds centre ± threshold × spread (NaN where not scored)."""

    score: np.ndarray
    centre: np.ndarray
    spread: np.ndarray
    others: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _as_matrix(values) -> np.ndarray:
    m = np.array(values, dtype=float)
    return m[np.newaxis, :] if m.ndim == 1 else m


def zscores(values, threshold: float = 3.0, min_others: int = MIN_OTHERS) -> Scores:
    """Leave-one-out z-scores of each value against the other values of its row (NaN = no value).

    For value xᵢ of a row with n present values, the other n − 1 values have mean mᵢ = (S − xᵢ) ÷ (n − 1) and
    population variance vᵢ = (Q − xᵢ²) ÷ (n − 1) − mᵢ², with S = Σx and Q = Σx² of the row; zᵢ = (xᵢ − mᵢ) ÷ √vᵢ.
    Rows are centred on their mean first so the sums stay small."""
    x = _as_matrix(values)
    present = ~np.isnan(x)
    n = present.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_mean = np.where(n > 0, np.nansum(x, axis=1, keepdims=True) / np.maximum(n, 1), 0.0)
        c = np.where(present, x - row_mean, 0.0)
        s, q = c.sum(axis=1, keepdims=True), (c * c).sum(axis=1, keepdims=True)
        others = np.where(present, n - 1, 0)
        k = np.maximum(others, 1)
        mean_c = (s - c) / k
        second = (q - c * c) / k
        var = second - mean_c * mean_c
        # A variance that is zero up to rounding is zero: all the other values are equal.
        var[var <= 1e-12 * np.maximum(1.0, second)] = 0.0
        sd = np.sqrt(var)
        ok = present & (others >= min_others) & (sd > 0)
        centre = np.where(present & (others >= min_others), mean_c + row_mean, np.nan)
        spread = np.where(present & (others >= min_others), sd, np.nan)
        score = np.where(ok, (c - mean_c) / np.where(sd > 0, sd, 1.0), np.nan)
    return Scores(score=score, centre=centre, spread=spread, others=others,
                  lower=centre - threshold * spread, upper=centre + threshold * spread)


def modified_zscores(values, threshold: float = 3.0, min_others: int = MIN_OTHERS, chunk: int = 2048) -> Scores:
    """Leave-one-out modified z-scores: Mᵢ = 0.6745 × (xᵢ − medianᵢ) ÷ MADᵢ over the other values of the row.

    The bounds are medianᵢ ± threshold × MADᵢ ÷ 0.6745 (where |M| = threshold)."""
    x = _as_matrix(values)
    rows, t = x.shape
    centre = np.full(x.shape, np.nan)
    mad = np.full(x.shape, np.nan)
    eye = np.eye(t, dtype=bool)
    for start in range(0, rows, chunk):
        block = x[start:start + chunk]
        # others[r, i, j] = block[r, j] for j ≠ i
        others = np.where(eye[np.newaxis, :, :], np.nan, block[:, np.newaxis, :])
        with np.errstate(all="ignore"), _quiet():
            med = np.nanmedian(others, axis=2)
            dev = np.nanmedian(np.abs(others - med[:, :, np.newaxis]), axis=2)
        centre[start:start + chunk], mad[start:start + chunk] = med, dev
    present = ~np.isnan(x)
    counts = np.where(present, present.sum(axis=1, keepdims=True) - 1, 0)
    enough = present & (counts >= min_others)
    centre, mad = np.where(enough, centre, np.nan), np.where(enough, mad, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(enough & (mad > 0), MAD_FACTOR * (x - centre) / np.where(mad > 0, mad, 1.0), np.nan)
    half_width = threshold * mad / MAD_FACTOR
    return Scores(score=score, centre=centre, spread=mad, others=counts,
                  lower=centre - half_width, upper=centre + half_width)


class _quiet:
    """Silence NumPy's "All-NaN slice" warnings (a row with no other values simply has no median)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", category=RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def outside(values, lower, upper) -> np.ndarray:
    """Which values lie below ``lower`` or above ``upper`` (a NaN bound is no bound; NaN values never)."""
    x = np.asarray(values, dtype=float)
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(x) & ((~np.isnan(lo) & (x < lo)) | (~np.isnan(hi) & (x > hi)))


def flagged(scores: Scores, threshold: float) -> np.ndarray:
    """|score| ≥ threshold (DHIS2 flags at or above the threshold)."""
    with np.errstate(invalid="ignore"):
        return ~np.isnan(scores.score) & (np.abs(scores.score) >= threshold)


def minmax_bounds(values, stored_lower, stored_upper, k: float = 3.0,
                  min_others: int = MIN_OTHERS) -> tuple[np.ndarray, np.ndarray]:
    """The bounds each value of an (n × T) matrix is checked against. A row with a stored minimum or maximum
    (``stored_lower``/``stored_upper``: one per row, NaN = none) uses them; a missing side is no bound. Other
    rows get generated bounds mean ± k × sd of the other values (NaN where not scored, see :func:`zscores`)."""
    x = _as_matrix(values)
    z = zscores(x, threshold=k, min_others=min_others)
    generated = ~np.isnan(z.score)
    lo = np.asarray(stored_lower, dtype=float).reshape(-1, 1)
    hi = np.asarray(stored_upper, dtype=float).reshape(-1, 1)
    stored = ~np.isnan(lo) | ~np.isnan(hi)
    lower = np.where(stored, lo, np.where(generated, z.lower, np.nan))
    upper = np.where(stored, hi, np.where(generated, z.upper, np.nan))
    return lower, upper


def round_value(x: float | None, digits: int = 4) -> float | None:
    """A float for display and storage: ``None`` for NaN, rounded to ``digits`` decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), digits)
