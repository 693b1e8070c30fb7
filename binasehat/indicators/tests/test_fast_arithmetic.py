"""The engine's integer arithmetic (``rules.value_parts``, ``target_parts``, ``compare_parts``) against the exact
``Fraction`` reference (``rules.exact_value``, ``target_in_period``, ``compare``): the same float, bit for bit, and
the same comparison with the target, on many random numerators and denominators, ties at .x5 included."""

import random
from fractions import Fraction

import pytest

from binasehat.indicators import rules

OPS = (">=", ">", "<=", "<")
KINDS = (("month", 1), ("quarter", 3), ("year", 12), ("ytd", 7), ("ytd", 11))
BEHAVIOURS = (rules.SUM, rules.ANNUALISED, rules.YEARLY, rules.DISTINCT)


def reference(num, den, factor, target, behaviour, kind, months, op):
    scale = rules.period_scale(behaviour, kind, months)
    exact = rules.exact_value(num, den, factor, scale)
    t = rules.target_in_period(target, behaviour, kind, months)
    return (None if exact is None else float(exact), None if t is None else float(t),
            rules.compare(exact, t, op), float(scale))


def fast(num, den, factor, target, behaviour, kind, months, op):
    scale = rules.scale_parts(behaviour, kind, months)
    exact = rules.value_parts(num, den, rules.parts(factor), scale)
    t = rules.target_parts(target, behaviour, kind, months)
    return rules.to_float(exact), rules.to_float(t), rules.compare_parts(exact, t, op), scale[0] / scale[1]


def test_hand_worked_cases_from_the_rules():
    # RULES.md: ABJ 1,899 of 2,000 houses free of larvae is 94.95 %: shown as 95.0 but it does not meet "≥ 95".
    abj = rules.value_parts(1899.0, 2000.0, rules.parts(100.0))
    assert rules.to_float(abj) == 94.95 and rules.compare_parts(abj, rules.target_parts(95.0, "sum", "month", 1),
                                                                 ">=") is False
    assert rules.compare_parts(rules.value_parts(1900.0, 2000.0, (100, 1)), (95, 1), ">=") is True
    # 4 of 5 is 0.8 exactly: not "> 0.8" (a float comparison would say 0.8000000000000002 > 0.8 for 4/5 × 1.0).
    assert rules.compare_parts(rules.value_parts(4, 5, (1, 1)), rules.target_parts(0.8, "sum", "month", 1),
                               ">") is False
    # PWS: 90 % a year prorated to January → November is 82.5 %: 75 of 100 does not meet it, 83 does.
    t = rules.target_parts(90.0, rules.ANNUALISED, "ytd", 11)
    assert Fraction(*t) == Fraction(165, 2)
    assert rules.compare_parts(rules.value_parts(75, 100, (100, 1)), t, ">=") is False
    assert rules.compare_parts(rules.value_parts(83, 100, (100, 1)), t, ">=") is True
    # Incidence in July: 2 cases in 40,000 people per 100,000, annualised × 12 = 60.
    assert rules.to_float(rules.value_parts(2, 40_000, (100_000, 1), rules.scale_parts(rules.ANNUALISED,
                                                                                       "month", 1))) == 60.0
    assert rules.value_parts(3, 0.0, (100, 1)) is None
    assert rules.to_float(rules.value_parts(7.0, None, (1, 1))) == 7.0


@pytest.mark.parametrize("seed", range(4))
def test_random_values_equal_the_fraction_reference(seed):
    rnd = random.Random(seed)
    checked = 0
    for _ in range(5000):
        den = float(rnd.choice([rnd.randint(1, 40), rnd.randint(1, 5000), rnd.randint(1, 10 ** 7), 2000, 400, 8]))
        if rnd.random() < 0.3:  # ties: values ending in .x5 exactly (1,899 / 2,000 = 94.95 %)
            den = rnd.choice([2000.0, 200.0, 400.0, 40.0])
            num = float(rnd.randint(0, int(den)))
        else:
            num = float(rnd.randint(-5, int(den) * 2))
        if rnd.random() < 0.1:  # decimals, as population estimates are written
            num, den = round(num + rnd.random(), rnd.randint(1, 3)), round(den + rnd.random(), 2)
        if rnd.random() < 0.05:
            den = rnd.choice([0.0, None, -den])
        factor = rnd.choice([100.0, 1.0, 1000.0, 100000.0, 0.5, 1.5, 100])
        target = rnd.choice([None, 95.0, 94.95, 80.0, 0.8, 14.0, 90.0, 82.5, float(rnd.randint(0, 100)),
                             round(rnd.random() * 100, 2)])
        behaviour = rnd.choice(BEHAVIOURS)
        kind, months = rnd.choice(KINDS)
        op = rnd.choice(OPS)
        args = (num, den, factor, target, behaviour, kind, months, op)
        assert fast(*args) == reference(*args), args
        # Exactly at the target: the comparison must see equality (≥ true, > false).
        if target is not None and den not in (None, 0.0) and behaviour == rules.SUM:
            t = Fraction(str(target)) / 100
            at = t * Fraction(repr(den))
            if at.denominator == 1:
                args = (float(at.numerator), den, 100.0, target, behaviour, kind, months, op)
                assert fast(*args) == reference(*args), args
                checked += 1
    assert checked  # the equality cases were reached


def test_ties_at_x5_round_the_same_as_the_reference():
    # Every a / 2000 × 100 for a = 0 … 2000: 0.05 steps, half of them ties at .x5 when shown with one decimal.
    for a in range(0, 2001):
        for den in (2000.0, 200.0, 40.0):
            args = (float(a), den, 100.0, 95.0, rules.SUM, "month", 1, ">=")
            assert fast(*args) == reference(*args)
            assert Fraction(*rules.value_parts(float(a), den, (100, 1))) == rules.exact_value(float(a), den, 100.0)


def _constants(rnd, n_terms):
    """Random constants of one indicator and kind of period, as the engine works them out (``_Constants``)."""
    from binasehat.indicators import engine

    c = object.__new__(engine._Constants)
    c.ind = None
    c.counts = tuple(f"n{k}" for k in range(rnd.choice([0, 1, 2])))
    c.numerator = tuple((f"x{k}", rnd.choice([1, 1, -1])) for k in range(n_terms))
    c.denominator = rnd.choice([None, (("d0", 1),), (("d0", 1), ("d1", -1))])
    c.factor = rules.parts(rnd.choice([100.0, 1.0, 1000.0, 100000.0, 0.5, 1.5, 100, 2.0 ** 60]))
    behaviour, (kind, months) = rnd.choice(BEHAVIOURS), rnd.choice(KINDS)
    c.scale = rules.scale_parts(behaviour, kind, months)
    c.target = rules.target_parts(rnd.choice([None, 95.0, 94.95, 0.8, 82.5, 12.3456, 1e-3, 5000.5, 14.0]),
                                  behaviour, kind, months)
    c.op = rnd.choice(OPS)
    c.compare = engine._COMPARE.get(c.op)
    c.fp, c.fq = c.factor[0] * c.scale[0], c.factor[1] * c.scale[1]
    c.tp, c.tq = c.target or (None, None)
    return c


@pytest.mark.parametrize("seed", range(3))
def test_values_on_arrays_equal_values_one_by_one(seed):
    """``_vector`` (whole counts on arrays, the rest one by one) against ``_scalar`` (one by one, the arithmetic
    checked above against fractions) on random grids: whole counts, ties at .x5, decimals, zeros, negative
    denominators, counts beyond 2⁵³, no report; the same floats bit for bit (``repr`` tells 0.0 from -0.0) and
    the same comparisons."""
    from binasehat.indicators import engine

    rnd = random.Random(seed)
    vectorised = 0
    for _ in range(300):
        periods, areas = rnd.randint(1, 4), rnd.randint(1, 9)
        c = _constants(rnd, rnd.randint(0, 3))

        def number():
            kind = rnd.random()
            if kind < 0.55:
                return float(rnd.randint(0, 2000))
            if kind < 0.65:
                return rnd.choice([2000.0, 200.0, 40.0, 0.0])
            if kind < 0.75:
                return round(rnd.random() * 500, rnd.randint(1, 3))
            if kind < 0.85:
                return float(rnd.choice([2 ** 53 - 1, 2 ** 53, 2 ** 60, 2 ** 45 + 1, -(2 ** 50)]))
            return float(rnd.randint(-30, 30))

        names = {name for name, _s in c.numerator} | {name for name, _s in c.denominator or ()} | set(c.counts)
        grid = {name: [[number() if not name.startswith("n") else float(rnd.choice([0, 0, 1, 3]))
                         for _a in range(areas)] for _j in range(periods)] for name in names | {"x0"}}
        one_by_one = engine._scalar(c, grid, range(periods), areas)
        js = None if rnd.random() < 0.5 else sorted(rnd.sample(range(periods), rnd.randint(1, periods)))
        on_arrays = engine._vector(c, grid, {}, js, areas)
        want = one_by_one if js is None else engine._scalar(c, grid, js, areas)
        assert repr(on_arrays) == repr(want), seed
        vectorised += sum(v is not None for v in on_arrays[2])
    assert vectorised > 1000


@pytest.mark.django_db
@pytest.mark.parametrize("one_by_one", [False, True], ids=["arrays", "one-by-one"])
@pytest.mark.parametrize("case", ["levels", "kecamatan-months"])
def test_engine_values_equal_the_fraction_reference_on_the_demo(demo, monkeypatch, case, one_by_one):
    """Every shipped indicator for the demo district, its kecamatan and its desa, over months, quarters, the year
    and January → month (and for the district's kecamatan over the months of a year, read straight from the year
    rows of the roll-ups): the engine's values equal the reference computed with fractions from the same sums,
    on arrays and value by value."""
    from binasehat.core.inputs import MONTH
    from binasehat.core.periods import Period
    from binasehat.indicators import engine
    from binasehat.indicators.models import Indicator
    from binasehat.regions.models import Region

    monkeypatch.setattr(engine, "VECTOR_FROM", 10 ** 9 if one_by_one else 0)
    indicators = list(Indicator.objects.all())
    if case == "levels":
        areas = ["19.03", *Region.objects.filter(code__startswith="19.03.").order_by("code")
                 .values_list("code", flat=True)[:40]]
        periods = [*(Period.month(2025, m) for m in (1, 6, 12)), Period(2025, "quarter", 2), Period(2025),
                   Period(2024), Period.to_month(2025, 11)]
    else:
        areas = list(Region.objects.filter(level=3, code__startswith="19.03.").order_by("code")
                     .values_list("code", flat=True))
        periods = [*(Period.month(2025, m) for m in range(1, 13)), Period.month(2024, 12)]
    got = engine.evaluate_uncached(indicators, areas, periods)
    names = engine.input_names(indicators)
    known = engine.kinds_of(names)
    kinds = {n: known.get(n, MONTH) for n in names}
    stored = {(i, m) for p in periods for n, k in kinds.items() for i, m in engine._reads(n, k, p)}
    sums = engine.input_sums({i for i, _m in stored}, areas, {m for _i, m in stored})
    expected = []
    for area in areas:
        for period in periods:
            values = engine._period_inputs(sums, kinds, area, period)
            for ind in indicators:
                scale = rules.period_scale(ind.behaviour, period.kind, period.month_count)
                num, den, exact = engine.value_of(ind, values, scale)
                target = rules.target_in_period(ind.target_for(period.year), ind.behaviour, period.kind,
                                                period.month_count)
                expected.append(engine.Value(ind.code, area, str(period), num, den,
                                             None if exact is None else float(exact),
                                             None if target is None else float(target),
                                             rules.compare(exact, target, ind.target_op), float(scale)))
    assert got == expected
    assert sum(v.value is not None for v in got) > 500 and any(v.meets is False for v in got) \
        and any(v.meets for v in got)
