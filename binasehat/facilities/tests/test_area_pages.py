"""The area tree pages: counts come from the records, totals are sums, and the number of queries does not
grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binasehat.facilities.models import Posyandu
from binasehat.facilities.selectors import area_breakdown, totals


def test_district_breakdown_matches_records(demo):
    from binasehat.accounts.models import User

    dinkes = User.objects.get(username="dinkes")
    from binasehat.regions.models import Region

    rows = area_breakdown(dinkes, Region.objects.get(code="19.03"))
    assert len(rows) == 8
    t = totals(rows)
    assert t["posyandu"] == 122 and t["posyandu_active"] == 122 and t["desa_kelurahan"] == 53
    for row in rows:
        assert row.posyandu == Posyandu.objects.filter(desa__code__startswith=row.region.code + ".").count()


def test_home_sentence_comes_from_records(demo, client_for):
    page = client_for("dinkes").get("/").content.decode()
    assert "122 dari 122 posyandu di 8 wilayah tercatat beroperasi" in page


@pytest.mark.parametrize("url", ["/", "/wilayah/19.03/", "/wilayah/19.03.01/", "/posyandu/", "/puskesmas/", "/pustu/"])
def test_query_count_does_not_grow_per_row(demo, client_for, url):
    client = client_for("dinkes")
    client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 20, [q["sql"][:120] for q in ctx.captured_queries]


def test_desa_page_lists_its_posyandu(demo, client_for):
    p = Posyandu.objects.first()
    page = client_for("dinkes").get(reverse("facilities:area", args=[p.desa_id])).content.decode()
    assert p.name in page


def test_area_export(demo, client_for):
    response = client_for("dinkes").get("/wilayah/19.03/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert body[0].startswith("code,name,desa,kelurahan,puskesmas")
    assert len(body) == 1 + 8
