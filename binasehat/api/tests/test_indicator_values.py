"""Indicator values through the API are the engine's, and DBD_IR recomputes by hand from the stored rows."""

import pytest
from django.db.models import Q, Sum

from binasehat.core.periods import Period
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.programs.models import DataValue
from binasehat.regions.models import Population

KECAMATAN = [f"19.03.0{i}" for i in range(1, 9)]


@pytest.fixture
def dinkes(demo, bearer):
    return bearer("dinkes")


def test_values_are_the_engines(dinkes):
    response = dinkes.get("/api/indicator-values?indicator=DBD_IR&indicator=SKDN_DS&area=19.03&children=true"
                          "&period=2025&period=2025Q1&limit=1000")
    assert response.status_code == 200
    body = response.json()
    expected = engine.evaluate(list(Indicator.objects.filter(code__in=["DBD_IR", "SKDN_DS"]).order_by("sort", "code")),
                               ["19.03", *KECAMATAN], [Period.parse("2025"), Period.parse("2025Q1")])
    assert body["count"] == len(expected) == 2 * 9 * 2
    got = {(r["indicator"], r["area"], r["period"]): r for r in body["items"]}
    for v in expected:
        r = got[(v.indicator, v.area, v.period)]
        assert (r["numerator"], r["denominator"], r["value"], r["target"], r["meets"]) == \
            (v.numerator, v.denominator, v.value, v.target, v.meets)
    assert got[("DBD_IR", "19.03", "2025")]["area_name"] == "Kabupaten Bangka Selatan"


def test_dbd_incidence_rate_by_hand(dinkes):
    below = Q(region__code="19.03") | Q(region__code__startswith="19.03.")
    cases = DataValue.objects.filter(below, element__code="DBD_KASUS", period__startswith="2025-").aggregate(
        s=Sum("value"))["s"]
    people = Population.objects.filter(below, year=2025, region__level=4).aggregate(s=Sum("total"))["s"]
    assert cases > 0 and people > 0
    rate = cases / people * 100000

    row, = dinkes.get("/api/indicator-values?indicator=DBD_IR&area=19.03&period=2025").json()["items"]
    assert row["numerator"] == cases
    assert row["denominator"] == people
    assert row["value"] == pytest.approx(rate)
    assert row["target"] == 49
    assert row["meets"] is (round(rate, 1) < 49)


def test_bad_periods_and_indicators_are_explained(dinkes):
    response = dinkes.get("/api/indicator-values?period=2025-13")
    assert response.status_code == 422
    assert "Periode tidak dikenal" in response.json()["detail"]
    response = dinkes.get("/api/indicator-values?indicator=TIDAK_ADA&period=2025")
    assert response.status_code == 422
    assert "TIDAK_ADA" in response.json()["detail"]
    assert dinkes.get("/api/indicator-values").status_code == 422  # period is required


def test_indicator_definitions_carry_targets(dinkes):
    body = dinkes.get("/api/indicators?limit=1000").json()
    by_code = {i["code"]: i for i in body["items"]}
    national = [t for t in by_code["DBD_IR"]["targets"] if not t["district"]]
    assert national[0] == {"value": 49.0, "from_year": 2020, "to_year": 2024, "district": False,
                           "source": "Renstra Kemenkes 2020–2024: IR DBD < 49 per 100.000 penduduk"}
    assert by_code["DBD_IR"]["behaviour"] == "annualised"
    assert by_code["DBD_IR"]["factor"] == 100000
    assert by_code["DBD_IR"]["numerator"] == ["de:DBD_KASUS"]
    assert body["count"] == Indicator.objects.count()
