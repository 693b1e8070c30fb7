"""/api/: the token page and the NinjaAPI's operations, OpenAPI document and docs.

The ScopeMiddleware refuses views that do not declare a policy. The operations are marked ``area``: they read
only through selectors given ``request.user``, and ninja's auth (token or session, ``auth.AUTH``) answers 401
before any of them runs — a redirect to the login page would be useless to a program. The OpenAPI document and
its docs page hold no record data and are ``public``."""

from django.urls import URLPattern, path

from binasehat.core.scope import AREA, PUBLIC, SCOPE_ATTR

from . import views
from .main import api

app_name = "api"
PUBLIC_NAMES = {"openapi-json", "openapi-view"}


def _declared(patterns):
    for p in patterns:
        if isinstance(p, URLPattern):
            if p.name == "api-root":
                p = path("", views.root, name="api-root")
            else:
                setattr(p.callback, SCOPE_ATTR, PUBLIC if p.name in PUBLIC_NAMES else AREA)
        yield p


ninja_patterns, _app, namespace = api.urls
assert namespace == app_name

urlpatterns = [
    path("token/", views.tokens, name="tokens"),
    *_declared(ninja_patterns),
]
