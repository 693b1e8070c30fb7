"""The growth source's counts (children 0–59 months measured, stunted, …; each child once per period by its
latest measurement): computed from one read per year with NumPy, checked against a hand-worked case and against
the per-window SQL (``ROW_NUMBER() OVER (PARTITION BY child ORDER BY measured_on DESC, id DESC)``) on random data."""

import datetime as dt
import random

from django.db import connection

from binasehat.core.bulk import insert_dicts
from binasehat.facilities.models import Posyandu
from binasehat.growth.indicator_inputs import MAX_AGE_DAYS, TERMS, GrowthSource, _shift, quarter_start
from binasehat.growth.models import Child, Measurement

YEARS = (2019, 2020)  # before the demo's own visits: only this test's rows are counted


def _child(desa, posyandu, n, birth):
    return Child.objects.create(nik="", name=f"Anak Hitung {n}", sex="LP"[n % 2], birth_date=birth,
                                mother_name=f"Ibu {n}", desa_id=desa, posyandu_id=posyandu)


def _measure(child, day, **terms):
    return Measurement.objects.create(child=child, measured_on=day, age_days=(day - child.birth_date).days,
                                      weight_kg=10, lenhei_cm=80, **terms)


def _as_dict(rows):
    return {(i, r, m): v for i, r, m, v in rows}


def test_a_child_counts_once_per_quarter_by_its_latest_measurement(demo):
    # Hand-worked: one child in desa D, stunted on 10 Jan 2019 and not stunted on 20 Feb 2019 (wasting unknown
    # on both). January: 1 measured, 1 stunted of 1 assessed. February: 1 measured, 0 stunted. The quarter
    # (Jan–Mar, stored on January): the child once, by its February visit: 1 measured, 0 stunted of 1 assessed;
    # February's January → February count: the same. A visit at 1,827 days old (60 months) is not counted.
    posyandu = Posyandu.objects.order_by("pk").first()
    desa = posyandu.desa_id
    child = _child(desa, posyandu.pk, 1, dt.date(2018, 1, 1))
    _measure(child, dt.date(2019, 1, 10), stunting=True, underweight=False)
    _measure(child, dt.date(2019, 2, 20), stunting=False, underweight=False)
    old = _child(desa, posyandu.pk, 2, dt.date(2019, 2, 1) - dt.timedelta(days=MAX_AGE_DAYS))
    _measure(old, dt.date(2019, 2, 1), stunting=True)
    got = _as_dict(GrowthSource().compute({dt.date(2019, 1, 1): [desa], dt.date(2019, 2, 1): [desa]}))
    jan, feb = dt.date(2019, 1, 1), dt.date(2019, 2, 1)
    assert got[("balita_diukur", desa, jan)] == 1 and got[("stunting", desa, jan)] == 1
    assert got[("stunting_n", desa, jan)] == 1 and got[("wasting_n", desa, jan)] == 0
    assert got[("balita_diukur", desa, feb)] == 1 and got[("stunting", desa, feb)] == 0
    assert got[("balita_diukur@q", desa, jan)] == 1 and got[("stunting@q", desa, jan)] == 0
    assert got[("stunting_n@q", desa, jan)] == 1
    assert got[("balita_diukur@ytd", desa, feb)] == 1 and got[("stunting@ytd", desa, feb)] == 0
    assert got[("underweight_n@ytd", desa, feb)] == 1


def _reference(cells):
    """The per-window SQL the source ran before: one query per month, window and chunk of desa."""
    m_table, c_table = Measurement._meta.db_table, Child._meta.db_table
    sums = ", ".join(f"SUM(CASE WHEN {t} THEN 1 ELSE 0 END), SUM(CASE WHEN {t} IS NOT NULL THEN 1 ELSE 0 END)"
                     for t in TERMS)
    cols = ", ".join(f"m.{t}" for t in TERMS)
    out = {}
    for month, codes in cells.items():
        windows = [("", month, _shift(month, 1)), ("@ytd", dt.date(month.year, 1, 1), _shift(month, 1))]
        if quarter_start(month) == month:
            windows.append(("@q", month, _shift(month, 3)))
        for suffix, start, end in windows:
            sql = (f"SELECT desa_id, COUNT(*), {sums} FROM (SELECT c.desa_id AS desa_id, {cols}, ROW_NUMBER() "
                   f"OVER (PARTITION BY m.child_id ORDER BY m.measured_on DESC, m.id DESC) AS rn FROM {m_table} m "
                   f"JOIN {c_table} c ON c.id = m.child_id WHERE m.measured_on >= %s AND m.measured_on < %s AND "
                   f"m.age_days < %s AND c.desa_id IN ({', '.join(['%s'] * len(codes))})) t WHERE rn = 1 "
                   f"GROUP BY desa_id")
            with connection.cursor() as cur:
                cur.execute(sql, [start, end, MAX_AGE_DAYS, *codes])
                for row in cur.fetchall():
                    out[(f"balita_diukur{suffix}", row[0], month)] = float(row[1])
                    for i, t in enumerate(TERMS):
                        out[(f"{t}{suffix}", row[0], month)] = float(row[2 + 2 * i])
                        out[(f"{t}_n{suffix}", row[0], month)] = float(row[3 + 2 * i])
    return out


def test_counts_agree_with_the_per_window_sql_on_random_visits(demo):
    rng = random.Random(11)
    posyandu = list(Posyandu.objects.values_list("pk", "desa_id")[:6])
    children = [_child(d, p, n, dt.date(2016, 6, 1) + dt.timedelta(days=rng.randint(0, 1200)))
                for n, (p, d) in enumerate(posyandu * 8)]
    rows = []
    for child in children:
        for day in sorted(rng.sample(range(0, 730), rng.randint(1, 9))):
            on = dt.date(2019, 1, 1) + dt.timedelta(days=day)
            if on < child.birth_date:
                continue
            rows.append({"child_id": child.pk, "measured_on": on, "age_days": (on - child.birth_date).days,
                         **{t: rng.choice([True, False, None]) for t in TERMS}})
    insert_dicts(Measurement, rows)
    desa = sorted({d for _p, d in posyandu})
    months = [dt.date(y, m, 1) for y in YEARS for m in range(1, 13)]
    cells = {m: desa[i % 3:] for i, m in enumerate(months)}
    got = _as_dict(GrowthSource().compute(cells))
    expected = _reference(cells)
    assert len(expected) > 500
    assert got == expected
