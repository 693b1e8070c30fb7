"""The settings pages the district owns: in the menu and open for dinkes and admin, refused (403) to
puskesmas, bidan desa, kader and provinsi."""

import pytest
from django.urls import reverse

from binasehat.programs.models import ValidationRule

pytestmark = pytest.mark.django_db


def _pages():
    rule = ValidationRule.objects.order_by("pk").first()
    return [reverse("settings:index"), reverse("settings:targets"), reverse("settings:target_edit", args=["ABJ"]),
            reverse("validation:rules"), reverse("validation:rule_edit", args=[rule.pk]),
            reverse("validation:rule_new"), reverse("cadres:levels")]


@pytest.mark.parametrize("username", ["dinkes", "admin"])
def test_dinkes_and_admin_open_every_page(demo, client_for, username):
    client = client_for(username)
    home = client.get(reverse("settings:index"))
    assert home.status_code == 200
    text = home.content.decode()
    assert f'href="{reverse("settings:index")}"' in text  # in the menu
    assert "Tingkat perkembangan posyandu" in text and "Frekuensi penimbangan" in text  # national, read-only
    for url in _pages():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("username", ["puskesmas", "bidan", "kader", "provinsi"])
def test_other_roles_are_refused(demo, client_for, username):
    client = client_for(username)
    assert f'href="{reverse("settings:index")}"' not in client.get(reverse("home")).content.decode()
    for url in _pages():
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("cadres:levels"), {"level": "purwa", "min_groups": "3"}).status_code == 403
    assert client.post(reverse("settings:target_edit", args=["ABJ"]), {}).status_code == 403


def test_a_dinkes_user_below_the_district_reads_only(demo, make_user, client_for):
    user = make_user("dinkes-kec", "dinkes", areas=["19.03.01"])
    client = client_for(user)
    page = client.get(reverse("settings:target_edit", args=["ABJ"])).content.decode()
    assert 'id="target-form"' not in page
    assert 'id="read-only"' in client.get(reverse("settings:index")).content.decode()
    rule = ValidationRule.objects.order_by("pk").first()
    assert client.post(reverse("validation:rule_edit", args=[rule.pk]), {}).status_code == 403
    assert client.post(reverse("cadres:levels"), {"level": "purwa", "min_groups": "3"}).status_code == 403
