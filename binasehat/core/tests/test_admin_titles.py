"""Django's admin is titled Bina Sehat (not "Administrasi Django") and names every section and model in the
language of the page: django-axes' section and the aggregate fill state get Indonesian names."""

import re

import pytest
from django.conf import settings
from django.contrib import admin

from binasehat.core.admin_site import BinaAdminSite

pytestmark = pytest.mark.django_db


def _sections_and_models(html: str) -> tuple[list[str], list[str]]:
    sections = re.findall(r'<caption>\s*<a [^>]*>([^<]+)</a>', html)
    models = re.findall(r'<th scope="row" id="[^"]*">\s*(?:<a [^>]*>)?([^<]+)', html)
    return [s.strip() for s in sections], [m.strip() for m in models]


def test_admin_is_titled_bina_sehat_with_indonesian_sections(demo, client_for):
    assert isinstance(admin.site, BinaAdminSite)
    client = client_for("admin")
    html = client.get("/admin/").content.decode()
    assert "Administrasi Django" not in html and "Django administration" not in html
    assert "<title>Administrasi Bina Sehat | Bina Sehat</title>" in html
    assert "Bina Sehat — administrasi" in html
    sections, models = _sections_and_models(html)
    assert "Pembatasan login" in sections and "Axes" not in sections
    assert "Status pengisian agregat" in models and "Fill states" not in models
    assert "Indikator KKS" in models and "Kks indicators" not in models
    # the section's own page carries the same name
    assert "Pembatasan login" in client.get("/admin/axes/").content.decode()


def test_admin_in_english(demo, client_for):
    client = client_for("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/admin/").content.decode()
    assert 'lang="en"' in html
    sections, models = _sections_and_models(html)
    assert "Bina Sehat administration" in html
    assert "Login throttling" in sections
    assert "Aggregate fill states" in models
