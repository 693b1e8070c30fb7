"""The dashboard's indicator table is rendered once per data version: the same page again is served from the
cache (fewer queries, the same HTML), a write shows at once, and the table is grouped by programme with the
headline figures in each section's summary.

Hand-worked case (demo district 19.03, 2025, DBD_CFR = deaths ÷ cases × 100): writing 5 more dengue cases and
5 more deaths in March 2025 for desa 19.03.01.2004 adds 5 to the numerator and the denominator the page shows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.core.periods import Period
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.programs.models import DataElement, DataValue
from binasehat.programs.services import NewValue, datavalues_write, org_unit_of
from binasehat.reports.templatetags.dashboard import count

pytestmark = pytest.mark.django_db
DESA = "19.03.01.2004"
PARAMS = {"wilayah": "19.03", "tahun": 2025}


def _table(html: str) -> str:
    return html[html.index('<div id="indicator-table"'):html.index('id="ranking-map"')]


def _row(html: str, code: str) -> str:
    return re.search(rf'<tr data-indicator="{code}"[^>]*>(.*?)</tr>', html, re.S).group(1)


def test_the_same_page_again_comes_from_the_cache(demo, client_for):
    client = client_for("dinkes")
    url = reverse("reports:dashboard")
    with CaptureQueriesContext(connection) as first:
        html1 = client.get(url, PARAMS).content.decode()
    with CaptureQueriesContext(connection) as second:
        html2 = client.get(url, PARAMS).content.decode()
    assert _table(html1) == _table(html2)
    computed = [q["sql"] for q in first.captured_queries if "indicators_aggregate" in q["sql"]]
    assert computed and not [q["sql"] for q in second.captured_queries if "indicators_aggregate" in q["sql"]]
    assert len(second) < len(first)


def test_a_write_shows_at_once(demo, client_for):
    client = client_for("dinkes")
    url = reverse("reports:dashboard")
    before = engine.evaluate_uncached([Indicator.objects.get(code="DBD_CFR")], ["19.03"], [Period(2025)])[0]
    row = _row(client.get(url, PARAMS).content.decode(), "DBD_CFR")
    assert f"{count(before.numerator)} / {count(before.denominator)}" in row
    el = {e.code: e for e in DataElement.objects.filter(code__in=["DBD_MENINGGAL", "DBD_KASUS"])}
    unit = org_unit_of(DESA, "desa")
    stored = {e: DataValue.objects.filter(element__code=e, org_unit=DESA, period="2025-03").values_list(
        "value", flat=True).first() or 0 for e in el}
    datavalues_write(actor=User.objects.get(username="dinkes"), values=[
        NewValue(el["DBD_MENINGGAL"], unit, Period.parse("2025-03"), float(stored["DBD_MENINGGAL"]) + 5),
        NewValue(el["DBD_KASUS"], unit, Period.parse("2025-03"), float(stored["DBD_KASUS"]) + 5)])
    row = _row(client.get(url, PARAMS).content.decode(), "DBD_CFR")
    assert f"{count(before.numerator + 5)} / {count(before.denominator + 5)}" in row


def test_programme_sections_with_headline_figures(demo, client_for):
    html = client_for("dinkes").get(reverse("reports:dashboard"), PARAMS).content.decode()
    table = _table(html)
    sections = re.findall(r'<details class="programme" id="program-(\w+)" data-fold-narrow open><summary>(.*?)'
                          r'</summary>(.*?)</details>', table, re.S)
    by_programme = {}
    for ind in Indicator.objects.all():
        by_programme.setdefault(ind.program, []).append(ind.code)
    assert {code for code, _s, _b in sections} == set(by_programme)
    met_total = 0
    for code, summary, body in sections:
        rows = re.findall(r'<tr data-indicator="(\w+)"', body)
        assert sorted(rows) == sorted(by_programme[code])
        met = len(re.findall(r'<span class="badge met">tercapai</span>', body))
        not_met = len(re.findall(r'<span class="badge status-invalid">belum tercapai</span>', body))
        assert f"{len(rows)} indikator" in summary
        assert (f"{met} tercapai" in summary) == bool(met)
        assert (f"{not_met} belum tercapai" in summary) == bool(not_met)
        met_total += met
    assert f"{met_total} dari {Indicator.objects.count()} indikator mencapai target." in table


def test_the_key_follows_the_viewer_the_language_and_the_data(demo):
    from django.utils import translation

    from binasehat.regions.models import Region
    from binasehat.reports import dashboard

    inds = dashboard.indicators()
    args = {"area": Region.objects.get(code="19.03"), "year": 2025, "program": None, "last_month": None,
            "selected": inds[0].code, "inds": inds}
    key = dashboard.cards_key(**args, sees_small_cells=True)
    assert dashboard.cards_key(**args, sees_small_cells=True) == key
    assert dashboard.cards_key(**args, sees_small_cells=False) != key  # small cells hidden: another table
    with translation.override("en"):
        assert dashboard.cards_key(**args, sees_small_cells=True) != key
    engine._bump_versions([2024])  # the previous year's trend is on the page too
    assert dashboard.cards_key(**args, sees_small_cells=True) != key
