"""The pages many people open at once make a fixed number of queries, whatever the size of the district: the same
count on the demo district and on the district with twice its posyandu, months, kader, children and measurements,
and under a ceiling (the counts measured when this was written, plus a small margin)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binasehat.cadres.models import Kader
from binasehat.facilities.models import Posyandu
from binasehat.growth.models import Child, Measurement
from binasehat.posyandu.models import PosyanduMonth

DESA = "19.03.01.1001"


def _pages(kader_posyandu: int) -> dict[str, int]:
    """URL → the most queries it may make (measured on PostgreSQL: dashboard 47, data entry 13, posyandu month 19
    with the figures computed from the weighings, lists 6–10;
    before the session stopped being written on every request each was 3 more)."""
    year = dt.date.today().year
    return {
        "/laporan/dasbor/": 50,
        f"/data/isi/DBD_BULANAN/?unit={DESA}&period={year - 1}-03": 16,
        f"/kegiatan/{kader_posyandu}/{year - 1}-04/": 20,
        "/posyandu/?page=2": 9,
        "/kader/?page=3": 13,
        "/anak/?page=5": 9,
    }


def _count(client, url: str) -> int:
    assert client.get(url).status_code == 200, url  # once first: what a first visit fills in is not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def _double_the_district() -> None:
    """A copy of every posyandu (new code) with its months and kader, and of every child with its measurements."""
    twins = {}
    for p in Posyandu.objects.order_by("pk"):
        original = p.pk
        p.pk, p.id, p.code = None, None, p.code + "X"
        p.save()
        twins[original] = p.pk
    PosyanduMonth.objects.bulk_create([
        PosyanduMonth(**{**{f.attname: getattr(m, f.attname) for f in m._meta.concrete_fields if f.attname != "id"},
                         "posyandu_id": twins[m.posyandu_id]}) for m in PosyanduMonth.objects.all()])
    kader = []
    for n, k in enumerate(Kader.objects.all()):
        values = {f.attname: getattr(k, f.attname) for f in k._meta.concrete_fields if f.attname != "id"}
        kader.append(Kader(**{**values, "posyandu_id": twins[k.posyandu_id], "nik": f"{9000000000000000 + n}"}))
    Kader.objects.bulk_create(kader)
    for c in Child.objects.prefetch_related("measurements"):
        measurements = list(c.measurements.all())
        c.pk, c.id = None, None
        c.nik = ""
        c.posyandu_id = twins.get(c.posyandu_id)
        c.save()
        for m in measurements:
            m.pk, m.id, m.child_id = None, None, c.pk
            m.posyandu_id = twins.get(m.posyandu_id)
        Measurement.objects.bulk_create(measurements)


def test_dashboard_entry_and_list_pages_make_as_many_queries_with_twice_the_data(demo, client_for, settings):
    """Pages computed each time (the page cache in front of them is tested in reports/tests/test_page_cache.py)."""
    from binasehat.accounts.models import User

    settings.PAGE_CACHE = False
    kader_posyandu = User.objects.get(username="kader").posyandu.get().pk
    client = client_for("dinkes")
    pages = _pages(kader_posyandu)
    sizes = (Posyandu.objects.count(), PosyanduMonth.objects.count(), Child.objects.count(),
             Measurement.objects.count())
    before = {url: _count(client, url) for url in pages}
    _double_the_district()
    assert (Posyandu.objects.count(), PosyanduMonth.objects.count(), Child.objects.count(),
            Measurement.objects.count()) == tuple(2 * n for n in sizes)
    after = {url: _count(client, url) for url in pages}
    assert after == before
    over = {url: (n, pages[url]) for url, n in after.items() if n > pages[url]}
    assert not over, over


@pytest.mark.parametrize("role", ["kader", "bidan"])
def test_entry_pages_of_field_roles_make_a_fixed_number_of_queries(demo, client_for, role):
    from binasehat.accounts.models import User

    user = User.objects.get(username=role)
    client = client_for(user)
    year = dt.date.today().year
    if role == "kader":
        url = f"/kegiatan/{user.posyandu.get().pk}/{year - 1}-04/"
    else:
        url = f"/data/isi/DBD_BULANAN/?unit={user.areas.first().code}&period={year - 1}-03"
    before = _count(client, url)
    _double_the_district()
    assert _count(client, url) == before <= 18
