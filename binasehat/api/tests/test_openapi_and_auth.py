"""The OpenAPI document is open and lists every endpoint; every operation in it refuses a call without a token or
session (so a new endpoint that forgets auth fails here), and a session needs CSRF for unsafe methods."""

import json

import pytest
from django.test import Client

from binasehat.core.scope import AREA, PUBLIC, policy_of

EXPECTED = {
    ("get", "/api/areas"), ("get", "/api/areas/{code}"),
    ("get", "/api/puskesmas"), ("get", "/api/puskesmas/{code}"),
    ("get", "/api/posyandu"), ("get", "/api/posyandu/{code}"),
    ("get", "/api/data-elements"), ("get", "/api/data-sets"),
    ("get", "/api/data-values"), ("post", "/api/data-values"),
    ("get", "/api/indicators"), ("get", "/api/indicator-values"),
    ("get", "/api/dataValueSets"), ("get", "/api/dataValueSets.json"), ("get", "/api/dataValueSets.csv"),
    ("post", "/api/dataValueSets"), ("get", "/api/system/info"), ("get", "/api/me"),
}


def _schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in item:
            yield method, path


@pytest.mark.django_db
def test_schema_is_open_json_listing_every_endpoint(client):
    schema = _schema(client)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Bina Sehat API"
    assert set(_operations(schema)) == EXPECTED
    # Every operation documents its answers with a schema and declares its security.
    for method, path in _operations(schema):
        op = schema["paths"][path][method]
        assert op["security"] == [{"TokenAuth": []}, {"ApiTokenAuth": []}, {"BasicAuth": []},
                                  {"SessionAuth": []}], (method, path)
        assert "401" in op["responses"], (method, path)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["BasicAuth"] == {"type": "http", "scheme": "basic"}
    assert schemes["ApiTokenAuth"] == {"type": "apiKey", "in": "header", "name": "Authorization"}
    paged = schema["components"]["schemas"]["PagedAreaOut"]["properties"]
    assert {"count", "limit", "offset", "items"} <= set(paged)
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_every_operation_refuses_a_call_without_auth(client):
    anonymous = Client()
    operations = list(_operations(_schema(client)))
    assert len(operations) >= len(EXPECTED)
    for method, path in operations:
        url = path.replace("{code}", "19.03")
        if method == "post":
            response = anonymous.post(url, "[]", content_type="application/json")
        else:
            response = getattr(anonymous, method)(url)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert "Authorization" in response.json()["detail"]


def test_session_needs_csrf_for_post_but_not_for_get(demo, make_user):
    user = make_user("bidan_csrf", "bidan_desa", areas=["19.03.02.2001"])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/areas").status_code == 200
    body = json.dumps([{"dataElement": "DBD_KASUS", "period": "2025-03", "orgUnit": "19.03.02.2001", "value": 2}])
    response = browser.post("/api/data-values?dry_run=true", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    browser.get("/api/token/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post("/api/data-values?dry_run=true", body, content_type="application/json",
                            headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.content
    assert response.json()["dryRun"] is True


def test_the_scope_middleware_lets_api_views_through_with_their_policies():
    from django.urls import resolve

    assert policy_of(resolve("/api/areas").func) == AREA
    assert policy_of(resolve("/api/dataValueSets").func) == AREA
    assert policy_of(resolve("/api/openapi.json").func) == PUBLIC
    assert policy_of(resolve("/api/docs").func) == PUBLIC
    assert policy_of(resolve("/api/token/").func) == "own"
