"""Exports by role: every export link a page shows answers with a file (never 403), and the lists of individuals
export only for roles with ``individuals.export`` (a bidan exports her own desa's children, families and kader)."""

import csv
import io
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("kader", "bidan", "puskesmas", "dinkes", "provinsi")
#: Lists of individuals: (url name, query).
INDIVIDUALS = (("growth:list", ""), ("families:list", ""), ("cadres:list", ""), ("families:home_visits", ""))
#: Pages of aggregates (each with export links).
AGGREGATES = (
    ("facilities:posyandu_list", ""), ("facilities:puskesmas_list", ""), ("reports:pokjanal", "tahun=2025"),
    ("reports:pivot", "tahun=2025&periode=year&tingkat=self"), ("families:report", "tahun=2025"),
    ("community:siaga", "tahun=2025"),
)
MAY_EXPORT_INDIVIDUALS = {"kader": False, "bidan": True, "puskesmas": True, "dinkes": True, "provinsi": False}


def _export_links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*format=(?:csv|xlsx)[^"]*)"', html)]


def _get(client, name, query, extra=""):
    url = reverse(name)
    return client.get(f"{url}?{query}{'&' if query and extra else ''}{extra}")


@pytest.mark.parametrize("role", ROLES)
def test_every_export_link_shown_answers_with_a_file(demo, client_for, role):
    client = client_for(role)
    checked = 0
    for name, query in INDIVIDUALS + AGGREGATES:
        page = _get(client, name, query)
        if page.status_code != 200:
            continue  # a page this role cannot open shows no link either
        base = reverse(name)
        for href in _export_links(page.content.decode()):
            url = href if href.startswith("/") else base + href
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            assert response["Content-Disposition"].startswith("attachment"), (role, url)
            checked += 1
    assert checked >= 4, role


@pytest.mark.parametrize("role", ROLES)
def test_lists_of_individuals_export_only_for_roles_that_may(demo, client_for, role):
    client = client_for(role)
    may = MAY_EXPORT_INDIVIDUALS[role]
    for name, query in INDIVIDUALS:
        page = _get(client, name, query)
        if page.status_code != 200:
            assert not may, (role, name, page.status_code)
            continue
        assert bool(_export_links(page.content.decode())) == may, (role, name)
        response = _get(client, name, query, "format=csv")
        assert response.status_code == (200 if may else 403), (role, name)


def test_bidan_exports_only_her_desa(demo, client_for):
    """The demo's bidan is bound to Tanjung Labu (19.03.02.2001): every exported child lives there."""
    from binasehat.growth.models import Child

    response = client_for("bidan").get(reverse("growth:list"), {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the demo has children in the bidan's desa"
    assert {r["desa_code"] for r in rows} == {"19.03.02.2001"}
    assert len(rows) == Child.objects.filter(desa_id="19.03.02.2001").count()
