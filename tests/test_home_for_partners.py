"""A partner (mitra) or an OPD has no area: its home page says what the account is for and links to its pages,
instead of "your account is not linked to any area" (which reads as a broken account)."""

import re

from django.urls import reverse


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_mitra_home_names_its_institution_and_pages(demo, client_for):
    from binasehat.accounts.models import User

    user = User.objects.get(username="mitra")
    html = client_for(user).get("/").content.decode()
    assert 'id="home-mitra"' in html and "belum terhubung" not in html
    assert f"Anda masuk untuk {user.institution.name}." in _text(html)
    assert f'href="{reverse("risk:designations")}"' in html and f'href="{reverse("followups:actions")}"' in html


def test_opd_home_links_to_kks(demo, client_for):
    html = client_for("opd_pupr").get("/").content.decode()
    assert 'id="home-opd"' in html and "belum terhubung" not in html
    assert f'href="{reverse("community:kks")}"' in html


def test_a_user_without_any_binding_is_still_told_to_ask_the_admin(demo, client_for, make_user):
    html = client_for(make_user("bidan-baru", "bidan")).get("/").content.decode()
    assert "belum terhubung" in html and 'id="home-mitra"' not in html
