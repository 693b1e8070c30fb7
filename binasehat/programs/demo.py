"""Programme data for the demo district: TB and mental health per puskesmas, dengue and larva surveys per
desa, January 2024 to the last demo month, at rates of the order Indonesian districts report.

No percentage can pass 100 % for any area and period, also when counts against a yearly denominator are annualised
for a quarter or a month (value × 12 / months): every month's count stays below a twelfth of its yearly
denominator (TB notifications vs the estimated incidence, presumptive TB served vs its target, ODGJ served for the
first time vs the projection, screening vs its target), so every sum over months does too; D ≤ S, N ≤ D, treated ≤
notified, new and relapse ≤ notified, positive ≤ inspected.

Dengue in Kecamatan Toboali (the seed's story) is exactly ``DENGUE_RISE`` cases higher in 2025 than in 2024, most
of the increase in the risk kelurahan Teladan."""

from __future__ import annotations

import math
import random

from binasehat.core.periods import Period
from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Population, Region

from .models import DataElement
from .services import NewValue, OrgUnit, datavalues_write

#: Rainy-season weight of dengue per calendar month (Bangka: December–April).
DENGUE_SEASON = (1.8, 1.7, 1.5, 1.2, 0.8, 0.5, 0.4, 0.4, 0.5, 0.7, 1.0, 1.5)
DENGUE_KECAMATAN, DENGUE_DESA, DENGUE_RISE, DENGUE_RISE_DESA = "19.03.01", "19.03.01.1002", 13, 11


def _monthly_cap(yearly: float) -> int:
    """The largest monthly count whose annualised value (× 12) stays below ``yearly``."""
    return max(0, math.ceil(yearly / 12) - 1)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth: fine for the small means used here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def build_programs(rng: random.Random, months: list[tuple[int, int]], district: str) -> int:
    el = {e.code: e for e in DataElement.objects.all()}
    values: list[NewValue] = []

    def put(code, unit, period, value):
        values.append(NewValue(el[code], unit, period, float(value)))

    years = sorted({y for y, _m in months})
    pop = {(p.region_id, p.year): p.total for p in Population.objects.filter(region__code__startswith=district + ".")}
    for pk in Puskesmas.objects.filter(kecamatan__code__startswith=district + ".").order_by("code"):
        unit = OrgUnit(pk.code, pk.kecamatan_id, pk.pk, pk.name)
        served_pop = sum(pop.get((d, years[-1]), 0) for d in pk.wilayah_kerja.values_list("code", flat=True)) or 15000
        estimate = round(served_pop * 354 / 100000)  # Global TB Report incidence for Indonesia, per 100,000
        odgj = round(served_pop / 4 * 0.0018 * 4.2)  # Riskesdas 2018: 1.8 per mil households, ~4 persons each
        skrining_target = round(served_pop * 0.62 * 0.2)
        detection = rng.uniform(0.55, 0.95)
        for year in years:
            p = Period(year)
            put("TB_ESTIMASI_INSIDEN", unit, p, estimate)
            put("TB_TERDUGA_SASARAN", unit, p, estimate * 10)
            put("ODGJ_PROYEKSI", unit, p, odgj)
            put("JIWA_SKRINING_SASARAN", unit, p, skrining_target)
        left = {y: odgj for y in years}
        for year, month in months:
            p = Period.month(year, month)
            trend = 1 + 0.08 * (year - years[0])
            notified = min(_monthly_cap(estimate), _poisson(rng, estimate * detection * trend / 12))
            put("TB_NOTIFIKASI", unit, p, notified)
            put("TB_KASUS_BARU_KAMBUH", unit, p, notified - sum(rng.random() < 0.06 for _ in range(notified)))
            put("TB_DIOBATI", unit, p, max(0, notified - _poisson(rng, 0.2)))
            put("TB_TERDUGA_DILAYANI", unit, p, min(_monthly_cap(estimate * 10),
                                                    _poisson(rng, estimate * 10 * rng.uniform(0.6, 1.0) / 12)))
            cohort = _poisson(rng, estimate * detection / 12)
            cured = sum(rng.random() < 0.45 for _ in range(cohort))
            completed = sum(rng.random() < 0.80 for _ in range(cohort - cured))
            put("TB_KOHORT_DIOBATI", unit, p, cohort)
            put("TB_KOHORT_SEMBUH", unit, p, cured)
            put("TB_KOHORT_LENGKAP", unit, p, completed)
            first = min(left[year], _monthly_cap(odgj), _poisson(rng, odgj * 0.9 / 12 if month < 6 else odgj * 0.05))
            left[year] -= first
            put("ODGJ_DILAYANI", unit, p, first)
            put("JIWA_SKRINING", unit, p, min(_monthly_cap(skrining_target),
                                              _poisson(rng, skrining_target * rng.uniform(0.3, 0.9) * trend / 12)))
    desa_list = list(Region.objects.filter(code__startswith=district + ".", level=4).order_by("code"))
    dengue: dict[str, dict[tuple[int, int], int]] = {}
    risks: dict[str, float] = {}
    for desa in desa_list:
        people = pop.get((desa.code, years[-1]), 2500)
        risk = risks[desa.code] = rng.uniform(0.4, 1.8)
        dengue[desa.code] = {(year, month): _poisson(rng, people * 75 / 100000 / 12 * DENGUE_SEASON[month - 1] * risk *
                                                     {years[0]: 1.25}.get(year, 0.9 if year == years[1] else 1.0))
                             for year, month in months}
    if 2024 in years and 2025 in years:
        _dengue_rise(dengue, DENGUE_KECAMATAN, DENGUE_DESA)
    for desa in desa_list:
        unit = OrgUnit(desa.code, desa.code)
        people = pop.get((desa.code, years[-1]), 2500)
        risk = risks[desa.code]
        houses = max(20, round(people / 4 * 0.1))
        for year, month in months:
            p = Period.month(year, month)
            cases = dengue[desa.code][(year, month)]
            put("DBD_KASUS", unit, p, cases)
            put("DBD_MENINGGAL", unit, p, sum(rng.random() < 0.006 for _ in range(cases)))
            inspected = houses + rng.randint(-5, 5)
            positive = sum(rng.random() < 0.06 * risk * DENGUE_SEASON[month - 1] for _ in range(inspected))
            containers = round(inspected * rng.uniform(2.2, 3.4))
            put("JENTIK_RUMAH_DIPERIKSA", unit, p, inspected)
            put("JENTIK_RUMAH_POSITIF", unit, p, positive)
            put("JENTIK_KONTAINER_DIPERIKSA", unit, p, containers)
            put("JENTIK_KONTAINER_POSITIF", unit, p, min(containers, inspected,
                                                         positive + _poisson(rng, positive * 0.4)))
    summary = datavalues_write(actor=None, values=values, source="demo")
    return summary.imported


def _dengue_rise(dengue: dict[str, dict[tuple[int, int], int]], kecamatan: str, risk_desa: str) -> None:
    """Make the kecamatan's 2025 dengue cases exactly ``DENGUE_RISE`` above 2024: its other desa have 2025 months
    equal to 2024 except two more cases in the rainy season of one desa; the risk desa carries the rest
    (``DENGUE_RISE_DESA``), added in its rainy months."""
    others = sorted(c for c in dengue if c.startswith(kecamatan + ".") and c != risk_desa)
    for code in others:
        for month in range(1, 13):
            dengue[code][(2025, month)] = dengue[code][(2024, month)]
    if others:
        dengue[others[0]][(2025, 1)] += DENGUE_RISE - DENGUE_RISE_DESA
    risk = dengue[risk_desa]
    target = sum(risk[(2024, m)] for m in range(1, 13)) + (DENGUE_RISE_DESA if others else DENGUE_RISE)
    for month in range(1, 13):  # the 2024 pattern, then the rise spread over the rainy months
        risk[(2025, month)] = risk[(2024, month)]
    order = sorted(range(1, 13), key=lambda m: (-DENGUE_SEASON[m - 1], m))
    i = 0
    while sum(risk[(2025, m)] for m in range(1, 13)) < target:
        risk[(2025, order[i % 5])] += 1
        i += 1
