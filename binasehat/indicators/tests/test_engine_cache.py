"""Evaluated values come from the cache while nothing they read has changed, and a write shows at once.

Hand-worked case (demo district, desa 19.03.01.2004, DBD_CFR = deaths ÷ cases × 100, March 2025): after writing
2 cases and 1 death for that desa and month, the desa's DBD_CFR for 2025-03 is 1 ÷ 2 × 100 = 50 %; writing 4
cases instead makes it 1 ÷ 4 × 100 = 25 %, and the cached 50 must not be served."""

import pytest
from django.core.cache import cache
from django.db import transaction

from binasehat.accounts.models import User
from binasehat.core.periods import Period
from binasehat.indicators import aggregates, engine
from binasehat.indicators.models import Indicator
from binasehat.programs.models import DataElement
from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

pytestmark = pytest.mark.django_db
DESA = "19.03.01.2004"


def _write(cases, deaths, period="2025-03"):
    el = {e.code: e for e in DataElement.objects.filter(code__in=["DBD_MENINGGAL", "DBD_KASUS"])}
    unit = org_unit_of(DESA, "desa")
    datavalues_write(actor=User.objects.get(username="dinkes"),
                     values=[NewValue(el["DBD_MENINGGAL"], unit, Period.parse(period), deaths),
                             NewValue(el["DBD_KASUS"], unit, Period.parse(period), cases)])


def _cfr(period="2025-03"):
    return engine.table([Indicator.objects.get(code="DBD_CFR")], [DESA], [Period.parse(period)])[
        ("DBD_CFR", DESA, period)]


def test_cached_values_equal_the_computed_ones_to_the_last_digit(demo):
    inds = list(Indicator.objects.all())
    areas = ["19.03", "19.03.01", DESA]
    periods = [Period(2025), Period(2025, "quarter", 2), Period.month(2025, 7), Period.to_month(2025, 9)]
    first = engine.evaluate(inds, areas, periods)  # computed and stored
    assert cache.get(engine._cache_key(inds, areas, periods, engine.data_version([2025]))) == first
    assert engine.evaluate(inds, areas, periods) == first == engine.evaluate_uncached(inds, areas, periods)
    assert len(first) == len(inds) * len(areas) * len(periods)


def test_a_write_shows_at_once(demo):
    _write(2, 1)
    assert _cfr().value == 50.0 and (_cfr().numerator, _cfr().denominator) == (1.0, 2.0)
    _write(4, 1)
    assert _cfr().value == 25.0 and _cfr().denominator == 4.0


def test_a_write_of_another_year_keeps_this_years_values(demo):
    before_2025, before_2019 = engine.data_version([2025]), engine.data_version([2019])
    _write(3, 0, period="2019-05")
    assert engine.data_version([2025]) == before_2025
    assert engine.data_version([2019]) != before_2019


def test_a_rolled_back_write_keeps_the_version(demo):
    _cfr()
    before = engine.data_version([2025])
    with pytest.raises(RuntimeError), transaction.atomic():
        _write(7, 1)
        assert engine.data_version([2025]) != before  # inside the writing transaction: new already
        raise RuntimeError
    assert engine.data_version([2025]) == before  # the version row went back with the write


def test_a_rebuild_and_a_changed_definition_are_new_keys(demo):
    _write(2, 1)
    assert _cfr().value == 50.0
    version = engine.data_version([2025])
    aggregates.rebuild(["programs"])  # sends no signal: FillState.rebuilt_at changes
    assert engine.data_version([2025]) != version
    ind = Indicator.objects.get(code="DBD_CFR")
    ind.factor = 1000
    ind.save()
    assert _cfr().value == 500.0  # 1 ÷ 2 × 1000
