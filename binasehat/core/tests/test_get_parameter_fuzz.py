"""Odd GET parameters never make a page fail: every page of the URL conf, for every demo role, answers odd,
negative, huge, non-numeric and unknown values with a page (a sensible default, a message) or a 4xx — never a 5xx.

The pages are found by walking the URL conf; a page with path arguments is reached by following the links the
role's own pages show (so each role is fuzzed on objects in its own scope), and the parameter names fuzzed are
every name the code reads plus every name the page's links carry.
"""

from __future__ import annotations

import inspect
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, Resolver404, get_resolver, resolve

from binasehat.accounts.models import User

ROLES = ("kader", "bidan", "puskesmas", "dinkes", "provinsi", "admin")

# Every name a view reads from request.GET (grep "request.GET" / "GET.get"), DHIS2's export parameters, and paging.
PARAMETERS = (
    "q", "wilayah", "format", "tahun", "ind", "unit", "tingkat", "status", "program", "period", "periode",
    "tindak_lanjut", "sk", "page", "kunjungan", "kategori", "jenis", "indikator", "element", "dataset", "data_set",
    "bulan", "metode", "kind", "fmt", "orgUnit", "dataSet", "startDate", "endDate", "children", "lastUpdated",
    "idScheme", "limit", "offset", "area", "year", "code",
)

HOSTILE = ("-1", "99999", "9" * 40, "2025-13", "19.03.99.9999", "x" * 300, "\x00", "' OR 1=1 --")
SINGLE = ("-1", "abc")

# Pages whose parameter parsing does not use binasehat.core.params yet (no 5xx found on them for dinkes).
# Fuzzed once they read their parameters through it.
NOT_YET_ON_PARAMS: set[str] = set()
# Pages that are not GET pages of the site, or that change state on GET by design of Django.
SKIP = {"accounts:logout", "set_language", "api:openapi-view", "api:openapi-json"}


def _walk(patterns, prefix="", namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ":".join((*namespaces, p.name or "")) if namespaces else p.name


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)


def _route_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _discover(client: Client) -> dict[str, tuple[str, set[str]]]:
    """route name → (one concrete path the role can open, the query names its links use)."""
    found: dict[str, tuple[str, set[str]]] = {}
    starts = ["/" + route for route, name in _walk(get_resolver().url_patterns)
              if "<" not in route and not route.startswith("admin/")]
    queue = deque(starts)
    seen = set()
    while queue and len(seen) < 400:
        url = queue.popleft()
        parts = urlsplit(url)
        name = _route_name(parts.path)
        if name is None or name in SKIP or (name in found and parts.path == found[name][0]):
            if name in found:
                found[name][1].update(k for k, _ in parse_qsl(parts.query))
            continue
        if name in found or parts.path in seen:
            found.get(name, ("", set()))[1].update(k for k, _ in parse_qsl(parts.query))
            continue
        seen.add(parts.path)
        response = client.get(parts.path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found[name] = (parts.path, {k for k, _ in parse_qsl(parts.query)})
        parser = _Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        queue.extend(parser.links)
    return found


_API_NAMES = {"period", "orgUnit", "dataSet", "startDate", "endDate", "children", "lastUpdated", "idScheme", "limit",
              "offset", "area", "year", "code", "q", "format", "page"}


def _names_read_by(path: str) -> set[str]:
    """The parameter names the page's view module mentions (a view reads only names its module spells)."""
    func = resolve(path).func
    module = inspect.getmodule(getattr(func, "__wrapped__", func))
    if module is None or not module.__name__.startswith("binasehat."):
        return set(_API_NAMES)
    source = inspect.getsource(module)
    return {n for n in PARAMETERS if f'"{n}"' in source or f"'{n}'" in source}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_finding_8_get_parameter_fuzz_every_page_every_role(demo, role):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=role))
    pages = _discover(client)
    assert len(pages) >= (8 if role == "kader" else 15), sorted(pages)
    failures = []
    for name, (path, link_names) in sorted(pages.items()):
        if name in NOT_YET_ON_PARAMS:
            continue
        names = sorted(_names_read_by(path) | link_names)
        # every name at once with the same odd value
        for value in HOSTILE:
            url = f"{path}?{urlencode({n: value for n in names})}"
            if (status := client.get(url).status_code) >= 500:
                failures.append(f"{status} {url[:160]}")
        # one parameter at a time, so that an early check of one name does not hide a crash on another
        for n in names:
            for value in SINGLE:
                url = f"{path}?{urlencode({n: value})}"
                if (status := client.get(url).status_code) >= 500:
                    failures.append(f"{status} {url[:160]}")
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_finding_8_examples_from_the_report(demo, client_for):
    client = client_for("dinkes")
    for url in ("/keluarga/iks/?tahun=-1", "/keluarga/iks/?tahun=99999", "/keluarga/iks/?tahun=abc",
                "/keluarga/kunjungan-rumah/?tahun=-1&indikator=99", "/laporan/pokjanal/?tahun=99999"):
        response = client.get(url)
        assert response.status_code == 200, url
    # a NUL in a parameter is refused with our own 400 page (PostgreSQL cannot compare text with it)
    response = Client(raise_request_exception=False).get("/akun/masuk/?next=%00")
    assert response.status_code == 400 and "Permintaan tidak valid" in response.content.decode()
