"""The map's classes and labels, small cells on the dashboard, its in-place ranking and its XLSX: hand-worked
cases, then the demo district through the views."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from binasehat.reports import maps, rules
from binasehat.reports.maps import NO_DATA, RAMP, UNIFORM, classes, label_fit


def test_classes_follow_the_values_themselves():
    # Present: 0, 0, 10, 20, 30, 40, 50 (N = 7), 6 distinct values, so k = 5 classes. Middle ranks:
    # 0 → 1 (two values below rank 2), 10 → 2.5, 20 → 3.5, 30 → 4.5, 40 → 5.5, 50 → 6.5; class = floor(5 × rank ÷ 7):
    # 0 → 0, 10 → 1, 20 → 2, 30 → 3, 40 → 3, 50 → 4.
    colours, legend = classes([0, 0, 10, 20, 30, 40, 50, None], "up")
    assert colours == [RAMP[0], RAMP[0], RAMP[1], RAMP[2], RAMP[3], RAMP[3], RAMP[4], NO_DATA]
    assert [(c.lo, c.hi) for c in legend] == [(0, 0), (10, 10), (20, 20), (30, 40), (50, 50)]
    # "Lower is better": the same classes, the ramp reversed (green at the low end).
    colours, legend = classes([0, 0, 10, 20, 30, 40, 50, None], "down")
    assert colours[0] == RAMP[-1] and colours[6] == RAMP[0]


def test_two_values_get_both_ends_of_the_ramp():
    # k = 2: 1 → floor(2 × 0.5 ÷ 2) = 0, 2 → floor(2 × 1.5 ÷ 2) = 1; two classes spread to red and green.
    colours, legend = classes([1, 2], "up")
    assert colours == [RAMP[0], RAMP[-1]]
    assert [(c.lo, c.hi) for c in legend] == [(1, 1), (2, 2)]


def test_equal_or_missing_values_make_no_false_range():
    """The bidan's single desa (or a district where every desa has 0,0) is not a red block with "0,0–0,0"."""
    colours, legend = classes([0.0, 0.0, None], "up")
    assert colours == [UNIFORM, UNIFORM, NO_DATA]
    assert [(c.lo, c.hi) for c in legend] == [(0.0, 0.0)]
    assert classes([None, None], "up") == ([NO_DATA, NO_DATA], [])


def test_a_name_is_drawn_only_where_it_fits():
    # "Tanjung Labu": 12 characters × 0.55 em = 6.6 em: 6.6 × 20 = 132 units large, 6.6 × 9 = 59.4 small.
    assert label_fit("Tanjung Labu", 140) == "l"
    assert label_fit("Tanjung Labu", 120) == "s"
    assert label_fit("Tanjung Labu", 80) == "s"
    assert label_fit("Tanjung Labu", 50) == ""


def test_label_point_is_the_middle_of_the_largest_ring():
    proj = maps.Projection(106.0, -3.0, 107.0, -2.0)
    small = [[[106.0, -3.0], [106.1, -3.0], [106.1, -2.9], [106.0, -3.0]]]
    large = [[[106.2, -2.8], [106.8, -2.8], [106.8, -2.2], [106.2, -2.2], [106.2, -2.8]]]
    x, y, width = maps.label_point({"type": "MultiPolygon", "coordinates": [small, large]}, proj)
    cx, cy = proj.xy(106.5, -2.5)
    assert (round(x, 6), round(y, 6)) == (round(cx, 6), round(cy, 6))
    assert width == pytest.approx(proj.xy(106.8, -2.5)[0] - proj.xy(106.2, -2.5)[0])


def test_small_cells_of_diagnosis_indicators_only():
    # Families with TB (PIS-PK 6) per desa of one kecamatan: 3, 12, 0, 7. Primary: 3 (0 < 3 < 5). The kecamatan
    # total is shown, so one more cell of the group goes: the smallest non-zero shown one, 7.
    assert rules.hidden_cells("PISPK_06", [3, 12, 0, 7], ["a", "a", "a", "a"], threshold=5) == {0, 3}
    # Two groups: each loses its own small cell; group b has two hidden already and needs no second one.
    assert rules.hidden_cells("PISPK_08", [4, 9, 1, 2, 30], ["a", "a", "b", "b", "b"], threshold=5) == {0, 1, 2, 3}
    # An indicator that reveals no diagnosis (posyandu aktif; PIS-PK 1, family planning) is never hidden.
    assert rules.hidden_cells("POSYANDU_AKTIF", [1, 2], threshold=5) == set()
    assert rules.hidden_cells("PISPK_01", [1, 2], threshold=5) == set()


def _small_desa(ind_code, year, threshold=5):
    from binasehat.core.periods import Period
    from binasehat.indicators import engine
    from binasehat.indicators.models import Indicator
    from binasehat.regions.models import Region

    ind = Indicator.objects.get(code=ind_code)
    desa = list(Region.objects.filter(code__startswith="19.03.", level=4))
    values = engine.table([ind], [d.code for d in desa], [Period(year)])
    return {d.code: values[(ind_code, d.code, str(year))] for d in desa
            if 0 < (values[(ind_code, d.code, str(year))].denominator or 0) < threshold}


@pytest.mark.django_db
def test_dashboard_ranking_and_map_hide_small_cells_from_roles_without_sensitive_view(demo, client_for):
    year = 2025
    small = _small_desa("PISPK_06", year)
    if not small:
        pytest.skip("the demo has no desa with 1-4 families with TB")
    query = {"wilayah": "19.03", "tahun": year, "ind": "PISPK_06"}
    hidden_html = client_for("provinsi").get(reverse("reports:dashboard"), query).content.decode()
    for code in small:
        row = re.search(rf'<tr data-area="{re.escape(code)}"[^>]*>(.*?)</tr>', hidden_html, re.S).group(1)
        assert "&lt; 5 keluarga" in row, code
        shape = re.search(rf'<path class="map-shape" id="map-{re.escape(code)}"[^>]*data-detail="([^"]*)"',
                          hidden_html).group(1)
        assert "disembunyikan" in shape, code
        assert f'id="map-{code}" d="' in hidden_html
    # The pivot table (desa rows) and the dashboard's XLSX hide the same cells.
    pivot = client_for("provinsi").get(reverse("reports:pivot"), {
        "wilayah": "19.03", "tahun": year, "tingkat": "desa", "periode": "year", "ind": "PISPK_06",
        "halaman": 1}).content.decode()
    pivot_pages = [pivot] + [client_for("provinsi").get(reverse("reports:pivot"), {
        "wilayah": "19.03", "tahun": year, "tingkat": "desa", "periode": "year", "ind": "PISPK_06",
        "halaman": n}).content.decode() for n in (2,)]
    for code in small:
        cell = next(m.group(1) for html in pivot_pages for m in [re.search(
            rf'<tr data-indicator="PISPK_06" data-area="{re.escape(code)}">.*?data-period="{year}"[^>]*>([^<]*)</td>',
            html, re.S)] if m)
        assert cell == "&lt; 5", code
    response = client_for("provinsi").get(reverse("reports:dashboard"), {**query, "format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    for code in small:
        row = next(r for r in rows if r[2] == code)
        assert row[3] == "disembunyikan (sel kecil)" and row[4] is None and row[5] is None, row
    shown_html = client_for("dinkes").get(reverse("reports:dashboard"), query).content.decode()
    code, value = next(iter(small.items()))
    row = re.search(rf'<tr data-area="{re.escape(code)}"[^>]*>(.*?)</tr>', shown_html, re.S).group(1)
    assert "keluarga</span>" not in row
    assert f'<td class="num">{int(value.denominator)}</td>' in row


@pytest.mark.django_db
def test_ranking_changes_in_place_with_htmx(demo, client_for):
    """The ranking's indicator answers an htmx request with only the ranking and the map (and the export links
    and the filter form's indicator out of band), not the whole page."""
    client = client_for("dinkes")
    response = client.get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025, "ind": "STUNTING"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ranking-map")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="ranking-map">')
    assert "<html" not in html and 'id="indicator-table"' not in html
    assert '<option value="STUNTING" selected>' in html
    assert 'id="dashboard-export" hx-swap-oob="true"' in html and "ind=STUNTING&amp;format=xlsx" in html
    assert 'id="dashboard-ind" value="STUNTING" hx-swap-oob="true"' in html
    # Without JS, the same form is a plain GET of the whole page.
    page = client.get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025, "ind": "STUNTING"})
    body = page.content.decode()
    assert 'id="indicator-table"' in body and '<div id="ranking-map">' in body
    assert 'hx-swap-oob' not in body
    assert re.search(r'<form method="get" action="/laporan/dasbor/"[^>]*hx-get=', body)


@pytest.mark.django_db
def test_dashboard_xlsx_is_the_dashboard(demo, client_for):
    from binasehat.core.periods import Period
    from binasehat.indicators import engine
    from binasehat.indicators.models import Indicator

    client = client_for("dinkes")
    html = client.get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025}).content.decode()
    href = re.search(r'<a href="([^"]*)" id="dashboard-xlsx">', html).group(1).replace("&amp;", "&")
    assert href.startswith("/laporan/dasbor/?")
    response = client.get(href)
    assert response.status_code == 200
    assert 'filename="dasbor-19.03-2025.xlsx"' in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Dasbor indikator Kabupaten Bangka Selatan 2025" or rows[0][0].startswith("Dasbor indikator")
    assert rows[1][0].startswith("Wilayah: ") and "19.03" in rows[1][0]
    assert rows[2][0] == "Periode: Januari s.d. Desember 2025"
    assert rows[3][0].startswith("Dicetak oleh Dewi Lestari pada ")
    header = next(i for i, r in enumerate(rows) if r[0] == "Kode indikator")
    cards = {r[0]: r for r in rows[header + 1:] if r[0] and r[0] in set(Indicator.objects.values_list("code", flat=True))}
    values = engine.table(list(Indicator.objects.all()), ["19.03"], [Period(2025)])
    for ind in Indicator.objects.all():
        v = values[(ind.code, "19.03", "2025")].value
        assert cards[ind.code][3] == (None if v is None else round(v, ind.decimals)), ind.code
    ranking = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Peringkat Kecamatan"))
    assert rows[ranking + 1][:3] == ("#", "Wilayah", "Kode wilayah")
    assert any(r[0] and str(r[0]).startswith("Peringkat") and "Desa" in str(r[0]) for r in rows)
