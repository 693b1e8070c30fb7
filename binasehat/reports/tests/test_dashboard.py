"""The district dashboard: every indicator with target, trend and map; the same values in the pivot table and
its XLSX; scoped; no query per row."""

import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binasehat.core.periods import Period
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.reports.models import Boundary
from binasehat.reports.templatetags.dashboard import ivalue

pytestmark = pytest.mark.django_db


def _row(html: str, code: str) -> str:
    m = re.search(rf'<tr data-indicator="{code}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, code
    return m.group(1)


def test_dashboard_shows_every_indicator_with_target_trend_and_map(demo, client_for):
    html = client_for("dinkes").get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025}).content.decode()
    values = engine.table(list(Indicator.objects.all()), ["19.03"], [Period(2025)])
    for ind in Indicator.objects.all():
        row = _row(html, ind.code)
        v = values[(ind.code, "19.03", "2025")]
        assert f"<b>{ivalue(v.value, ind)}</b>" in row, ind.code
        if v.value is not None:
            assert 'class="trend"' in row
        else:
            assert "tidak ada data" in row
        # National where one is in force in 2025, the demo district's own where none is; else a dash.
        target = ind.target_for(2025)
        if target is not None:
            assert ivalue(target, ind) in row
            if ind.target_is_district(2025):
                assert "target daerah (contoh demo)" in row
    assert html.count("<path class=\"map-shape\"") == 53  # the demo's (stand-in) desa boundaries
    assert html.count("<g class=\"map-point\"") == 122


def test_dashboard_pivot_and_xlsx_agree(demo, client_for):
    client = client_for("dinkes")
    html = client.get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025}).content.decode()
    pivot = client.get(reverse("reports:pivot"), {"wilayah": "19.03", "tahun": 2025, "tingkat": "self",
                                                  "periode": "year"}).content.decode()
    response = client.get(reverse("reports:pivot"), {"wilayah": "19.03", "tahun": 2025, "tingkat": "self",
                                                     "periode": "year", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Kode indikator")
    xlsx = {r[0]: r[5] for r in rows[header + 1:] if r and r[0]}
    checked = 0
    for ind in Indicator.objects.all():
        shown = re.search(r"<b>([^<]*)</b>", _row(html, ind.code)).group(1)
        cell = re.search(rf'<tr data-indicator="{ind.code}" data-area="19.03">.*?data-period="2025"[^>]*>([^<]*)</td>',
                         pivot, re.S).group(1)
        assert shown == cell, ind.code
        assert ivalue(xlsx[ind.code], ind) == shown or (xlsx[ind.code] is None and shown == "—"), ind.code
        checked += 1
    assert checked == Indicator.objects.count() >= 30


def test_dashboard_does_not_query_per_row(demo, client_for, settings):
    """The same page with 40 more posyandu on the map and the ranking needs the same number of queries (the page
    computed each time: the page cache in front of it is tested in test_page_cache.py)."""
    from binasehat.facilities.models import Posyandu

    settings.PAGE_CACHE = False
    client = client_for("dinkes")
    url = reverse("reports:dashboard")
    client.get(url, {"wilayah": "19.03", "tahun": 2025})  # warm up (sessions, pending aggregates)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"wilayah": "19.03", "tahun": 2025}).status_code == 200
    template = Posyandu.objects.filter(latitude__isnull=False).first()
    Posyandu.objects.bulk_create([Posyandu(code=f"X{i:04d}", name=f"Posyandu X{i}", desa_id=template.desa_id,
                                           latitude=template.latitude, longitude=template.longitude)
                                  for i in range(40)])
    with CaptureQueriesContext(connection) as after:
        html = client.get(url, {"wilayah": "19.03", "tahun": 2025}).content.decode()
    assert html.count('<g class="map-point"') == 122 + 40
    assert len(after) == len(before) < 60


@pytest.mark.parametrize("name", ["reports:dashboard", "reports:pivot", "reports:map", "reports:profile"])
def test_scoping(demo, client_for, make_user, name):
    url = reverse(name)
    assert client_for("bidan").get(url, {"wilayah": "19.03"}).status_code == 404  # above the bidan's desa
    assert client_for("kader").get(url).status_code == 404
    if name != "reports:profile":
        assert client_for("bidan").get(url).status_code == 200  # its own desa
        assert client_for("provinsi").get(url, {"wilayah": "19.03"}).status_code == 200
    assert client_for("dinkes").get(url, {"wilayah": "19.03", "ind": "NOPE"}).status_code == 404


def test_profile_pdf(demo, client_for):
    response = client_for("dinkes").get(reverse("reports:profile"), {"wilayah": "19.03", "tahun": 2025})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def _feature(code, ring):
    return {"type": "Feature", "properties": {"KDEPUM": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


SQUARE = [[106.1, -2.9], [106.2, -2.9], [106.2, -2.8], [106.1, -2.8], [106.1, -2.9]]


def test_boundary_upload(demo, client_for, tmp_path):
    client = client_for("dinkes")
    url = reverse("reports:boundaries")
    path = tmp_path / "desa.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _feature("1903011001", SQUARE),
        _feature("19.03.01.1002", [[500000, 9680000], [510000, 9680000], [510000, 9690000], [500000, 9680000]]),
        _feature("32.01.01.2001", SQUARE),
    ]}))
    before = Boundary.objects.get(region_id="19.03.01.1001").geometry
    with path.open("rb") as f:
        html = client.post(url, {"berkas": f}).content.decode()
    assert "Koordinat di luar Indonesia" in html  # UTM metres, not degrees
    assert "32.01.01.2001" in html
    assert Boundary.objects.get(region_id="19.03.01.1001").geometry == before  # all or nothing
    with path.open("rb") as f:
        client.post(url, {"berkas": f, "sebagian": "1"})
    saved = Boundary.objects.get(region_id="19.03.01.1001")
    assert saved.geometry["coordinates"] == [[SQUARE]] and saved.min_lon == 106.1 and saved.max_lat == -2.8
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with bad.open("rb") as f:
        assert "JSON tidak terbaca" in client.post(url, {"berkas": f}).content.decode()
    assert client_for("provinsi").get(url).status_code == 403


def test_puskesmas_user_opens_on_its_wilayah_kerja(demo, client_for):
    from binasehat.facilities.models import Puskesmas
    from binasehat.programs.models import DataValue

    pkm = Puskesmas.objects.get(code="P19030101")
    html = client_for("puskesmas").get(reverse("reports:dashboard"), {"tahun": 2025}).content.decode()
    assert "Wilayah kerja Puskesmas" in html
    notified = sum(DataValue.objects.filter(element__code="TB_NOTIFIKASI", puskesmas=pkm, period__startswith="2025-")
                   .values_list("value", flat=True))
    estimate = DataValue.objects.get(element__code="TB_ESTIMASI_INSIDEN", puskesmas=pkm, period="2025").value
    tc = Indicator.objects.get(code="TB_TC")
    assert f"<b>{ivalue(notified / estimate * 100, tc)}</b>" in _row(html, "TB_TC")
    other = Puskesmas.objects.exclude(pk=pkm.pk).first()
    assert client_for("puskesmas").get(reverse("reports:dashboard"), {"wilayah": f"pkm:{other.code}"}).status_code == 404


def test_dashboard_shows_reporting_completeness_of_each_data_set(demo, client_for):
    """DHIS2's reporting rate on the dashboard: completed reports ÷ expected (units × ended periods)."""
    from binasehat.accounts.models import User
    from binasehat.programs.completeness import reporting_rates

    html = client_for("dinkes").get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025}).content.decode()
    assert 'id="reporting-table"' in html
    rates = reporting_rates(User.objects.get(username="dinkes"), period=Period(2025), area="19.03")
    assert rates
    for r in rates:
        assert r.expected > 0 and 0 <= r.actual <= r.expected
        assert f"<td>{r.data_set}</td>" in html
