"""The "Data program" page shows only the links its reader can open: a kader (own posyandu) saw a "Dasbor
indikator" button that answered 404. Every link of the page, for every demo role, answers 200."""

import re

import pytest
from django.urls import reverse

from binasehat.reports.tests.test_no_impossible_figure import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_the_programme_page_opens(demo, client_for, role):
    client = client_for(role)
    response = client.get(reverse("programs:index"))
    if response.status_code != 200:
        pytest.skip(f"{role} does not reach the page ({response.status_code})")
    main = response.content.decode().split("<main>", 1)[1]
    links = sorted({h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', main)})
    assert links
    dead = [(href, code) for href in links if (code := client.get(href).status_code) in (403, 404)]
    assert dead == []


def test_kader_sees_no_dashboard_button(demo, client_for):
    html = client_for("kader").get(reverse("programs:index")).content.decode()
    assert reverse("reports:dashboard") not in html.split("<main>", 1)[1]
