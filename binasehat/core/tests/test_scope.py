"""The area scope: a code belongs to an area when it is the area or lies below it."""

import pytest

from binasehat.core.scope import Scope


def test_covers_self_and_descendants_not_siblings_or_ancestors():
    s = Scope(area_codes=frozenset({"19.03.01"}))
    assert s.covers("19.03.01")
    assert s.covers("19.03.01.2008")
    assert not s.covers("19.03.02.2001")
    assert not s.covers("19.03")  # the kabupaten above is not inside a kecamatan scope
    assert not s.covers("19.03.010")  # a prefix without the dot is not a descendant
    assert not s.covers("")


def test_empty_scope_sees_nothing_and_everything_sees_all():
    assert Scope().is_empty
    assert not Scope().covers("19")
    assert Scope(everything=True).covers("91.03.01.3001")


def test_top_codes_drop_nested_areas():
    s = Scope(area_codes=frozenset({"19.03", "19.03.01.2008", "51.08"}))
    assert s.top_codes() == ["19.03", "51.08"]


@pytest.mark.django_db
def test_region_q_filters_by_prefix(demo):
    from binasehat.regions.models import Region

    s = Scope(area_codes=frozenset({"19.03.02", "19.03.01.2008"}))
    codes = set(Region.objects.filter(s.region_q("code")).values_list("code", flat=True))
    assert "19.03.02" in codes and "19.03.01.2008" in codes
    assert all(c.startswith("19.03.02") or c == "19.03.01.2008" for c in codes)
    assert Region.objects.filter(Scope().region_q("code")).count() == 0
