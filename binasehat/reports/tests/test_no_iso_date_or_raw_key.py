"""The whole demo, swept as every role reads it: no page shows a date in ISO form (2026-10-10: Indonesians write
10 Okt 2026 or 10/10/2026) or a raw database key (``desa_id``, ``posyandu_id: 29``) as visible text. Input values,
links and attributes may carry ISO dates (an <input type="date"> must); only text a user reads is checked.
The pages are the ones a user reaches by clicking from the home page (menu, lists, drill-downs, detail pages),
as in test_no_impossible_figure, plus every parameterless route."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import get_resolver

from binasehat.reports.tests.test_no_impossible_figure import ROLES, _routes

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_id\b|\b[a-z_]+_pk\b")
LOCAL_DATE = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}\b|\b\d{2}/\d{2}/\d{4}\b")
SKIP = ("format=", "keluar", "/admin/", "/api/", "/static/", "/bahasa/", "/ekspor", ".xlsx", ".csv", ".pdf")


class _VisibleText(HTMLParser):
    """Text nodes a browser shows: outside <script>, <style>, <template>, and not the source of <code>/<pre>
    blocks documenting the API or file formats."""

    HIDDEN = frozenset({"script", "style", "template", "code", "pre", "textarea"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def problems(html: str) -> list[str]:
    text = visible_text(html)
    found = []
    for rx in (ISO_DATE, RAW_KEY):
        for m in rx.finditer(text):
            found.append(text[max(0, m.start() - 40):m.end() + 20].replace("\n", " "))
    return found


def test_visible_text_parser_finds_iso_dates_and_keys_but_not_attributes():
    html = ('<p>lahir 2024-06-01</p><input type="date" value="2024-06-01"><a href="/x?d=2024-06-01">1 Jun 2024</a>'
            '<script>var d="2024-06-01"</script><li>posyandu_id: 29</li><p>31 Des 2025 · 31/12/2025</p>')
    found = problems(html)
    assert len(found) == 2
    assert "lahir 2024-06-01" in found[0] and "posyandu_id" in found[1]


def _pages(client):
    """The pages a user reaches from the home page, three clicks deep (at most 150), and the static routes."""
    seen, frontier = [], ["/"]
    static = sorted({r for r in _routes(get_resolver().url_patterns)
                     if not any(s in r for s in ("akun/keluar", "bahasa/", "api/")) and "^" not in r and "(?P" not in r})
    frontier += static
    for _depth in range(4):
        found = []
        for url in frontier:
            if url in seen or len(seen) >= 150:
                continue
            seen.append(url)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            yield url, html
            for href in re.findall(r'href="(/[^"#]*)"', html):
                href = href.replace("&amp;", "&")
                if not any(s in href for s in SKIP):
                    found.append(href)
        frontier = list(dict.fromkeys(found))


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_an_iso_date_or_a_raw_key(demo, client_for, role):
    client = client_for(role)
    bad, pages, dated = [], 0, 0
    for url, html in _pages(client):
        pages += 1
        bad += [(url, p) for p in problems(html)]
        dated += bool(LOCAL_DATE.search(visible_text(html)))
    assert pages > 10
    assert dated > 0  # the sweep reaches pages that show dates (as 31 Des 2025 / 31/12/2025)
    assert bad == []


@pytest.mark.parametrize("role", ("kader", "dinkes"))
def test_no_page_in_english_shows_an_iso_date_or_a_raw_key(demo, client_for, settings, role):
    client = client_for(role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    bad, dated = [], 0
    for url, html in _pages(client):
        assert 'lang="en"' in html, url
        bad += [(url, p) for p in problems(html)]
        dated += bool(re.search(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b",
                                visible_text(html)))
    assert dated > 0
    assert bad == []


def _admin_pages(client):
    """Every changelist of the admin and the change page of the first records of each (a superuser sees all)."""
    from django.contrib import admin
    from django.urls import reverse

    yield "/admin/", client.get("/admin/")
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        url = reverse("admin:%s_%s_changelist" % info)
        yield url, client.get(url)
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:2]:
            change = reverse("admin:%s_%s_change" % info, args=[pk])
            yield change, client.get(change)
            history = reverse("admin:%s_%s_history" % info, args=[pk])
            yield history, client.get(history)


def test_admin_names_objects_in_indonesian_without_iso_dates_or_raw_keys(demo, client, django_user_model):
    """The admin's changelists, change and history pages, as a superuser reads them: objects named with dates as
    31 Des 2025 (never 2025-03-01), models by their Indonesian names (never a class name such as "fill state")."""
    from django.contrib import admin

    from binasehat.core.models import AuditEntry

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    superuser = django_user_model.objects.create_superuser("root-sweep", "root@example.org", "x-Very-long-1")
    # A failed login and a login: django-axes records them (its own names are English with ISO times).
    client.post("/akun/masuk/", {"username": "root-sweep", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    AccessFailureLog.objects.create(username="root-sweep", ip_address="10.0.0.9", user_agent="test",
                                    path_info="/akun/masuk/", locked_out=True)  # kept when enabled in settings
    client.force_login(superuser)
    assert AccessAttempt.objects.exists() and AccessFailureLog.objects.exists() and AccessLog.objects.exists()
    bad, pages = [], 0
    for url, response in _admin_pages(client):
        assert response.status_code == 200, url
        pages += 1
        html = response.content.decode()
        bad += [(url, p) for p in problems(html)]
        text = visible_text(html)
        bad += [(url, w) for w in ("Access Log for", "Attempted Access", "Failed access", " object (", "Axes") if w in text]
    assert pages > 40
    assert bad == [], "\n".join(map(str, bad))
    english = []
    for model in admin.site._registry:
        meta = model._meta
        if "verbose_name" not in meta.original_attrs or "verbose_name_plural" not in meta.original_attrs:
            english.append(meta.label)
        # Field labels too: "rebuilt at", "order", "key" are English; posyandu/puskesmas/program are Indonesian.
        if model.__module__.startswith("binasehat"):
            english += [f"{meta.label}.{f.name}" for f in meta.get_fields()
                        if getattr(f, "concrete", False) and not f.auto_created
                        and f.verbose_name == f.name.replace("_", " ")
                        and f.name not in ("posyandu", "puskesmas", "program", "operator", "tatanan")]
    assert english == [], english
    assert AuditEntry.objects.exists()
