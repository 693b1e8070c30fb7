"""Default deny: every URL's view declares how it is scoped, and an undeclared view is refused."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from binasehat.core.scope import AREA, OWN, PUBLIC, area_scoped, policy_of


def _walk(patterns, prefix="", namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback, namespaces


def test_every_url_pattern_declares_its_scope():
    undeclared = []
    checked = 0
    for route, callback, namespaces in _walk(get_resolver().url_patterns):
        if "admin" in namespaces:
            continue  # Django's admin: the middleware reserves the whole namespace for superusers
        checked += 1
        if policy_of(callback) not in {PUBLIC, AREA, OWN}:
            undeclared.append(route)
    assert checked > 15
    assert undeclared == [], f"views without a declared scope: {undeclared}"


def test_public_views_are_only_the_expected_ones():
    public = sorted(route for route, cb, ns in _walk(get_resolver().url_patterns)
                    if "admin" not in ns and policy_of(cb) == PUBLIC)
    assert public == ["akun/keluar/", "akun/masuk/", "api/docs", "api/openapi.json", "bahasa/",
                      "lapangan/manifest.webmanifest", "sehat/"]  # the manifest: browsers fetch it without cookies


def undeclared_view(request):
    return HttpResponse("secret posyandu list")


@area_scoped
def declared_view(request):
    return HttpResponse("ok")


def _real_patterns():
    from binasehat.urls import urlpatterns as real

    return list(real)


urlpatterns = [path("undeclared/", undeclared_view), path("declared/", declared_view), *_real_patterns()]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_middleware_refuses_a_view_that_declares_nothing(client, make_user):
    client.force_login(make_user("dinkes1", "dinkes"))
    response = client.get("/undeclared/")
    assert response.status_code == 403
    assert b"secret" not in response.content
    assert client.get("/declared/").status_code == 200


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_scoped_view_sends_anonymous_users_to_login(client):
    response = client.get("/declared/")
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


@pytest.mark.django_db
def test_admin_does_not_exist_for_non_superusers(client, make_user):
    client.force_login(make_user("dinkes2", "dinkes", is_staff=True))
    assert client.get("/admin/").status_code == 404
