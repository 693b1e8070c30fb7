"""Tokens: created and revoked on /api/token/ (audited), the key shown once and stored only as a hash; a Bearer
call with the key works until the token is revoked or its user deactivated."""

import hashlib
import re

from django.test import Client

from binasehat.api.models import ApiToken
from binasehat.core.models import AuditEntry


def _create_on_page(client, name="Aplikasi laporan"):
    response = client.post("/api/token/", {"action": "create", "name": name})
    assert response.status_code == 200
    match = re.search(r"d2pat_[A-Za-z0-9_-]{43}", response.content.decode())
    assert match, "the new key is shown on the page"
    return match.group(0)


def test_token_created_on_page_calls_the_api_until_revoked(demo, client_for):
    page = client_for("dinkes")
    key = _create_on_page(page)
    token = ApiToken.objects.get(user__username="dinkes", name="Aplikasi laporan")
    # Stored hashed, with a short visible prefix; the key itself is nowhere in the row.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:12] and len(token.prefix) < len(key)
    assert key not in str([getattr(token, f.attname) for f in ApiToken._meta.concrete_fields])
    # Shown once: the list page afterwards shows the prefix only.
    listing = page.get("/api/token/").content.decode()
    assert token.prefix in listing and key not in listing

    api = Client(headers={"Authorization": f"Bearer {key}"})
    response = api.get("/api/areas?level=3")
    assert response.status_code == 200
    assert response.json()["count"] == 8
    token.refresh_from_db()
    assert token.last_used is not None

    page.post("/api/token/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked is not None
    response = api.get("/api/areas")
    assert response.status_code == 401
    assert "dicabut" in response.json()["detail"]

    entries = AuditEntry.objects.filter(model="api.apitoken", object_pk=str(token.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].actor.username == "dinkes"
    assert entries[1].after["revoked"] is not None and entries[1].before["revoked"] is None
    assert key not in str([(e.before, e.after) for e in entries])


def test_unknown_key_and_inactive_user_answer_401(demo, make_user, bearer):
    user = make_user("dinkes_api", "dinkes", areas=["19.03"])
    client = bearer(user)
    assert client.get("/api/areas").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/areas").status_code == 401
    wrong = Client(headers={"Authorization": "Bearer bs_" + "x" * 43})
    assert wrong.get("/api/areas").status_code == 401
    # A bad token is refused even when the browser also has a session of an active user.
    session = Client(headers={"Authorization": "Bearer bs_salah"})
    session.force_login(make_user("dinkes_b", "dinkes", areas=["19.03"]))
    assert session.get("/api/areas").status_code == 401
    assert Client().get("/api/areas").status_code == 401


def test_token_needs_a_name_and_others_tokens_cannot_be_revoked(demo, client_for, make_user):
    page = client_for("dinkes")
    response = page.post("/api/token/", {"action": "create", "name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user__username="dinkes").exists()
    from binasehat.api.services import token_create

    other, _key = token_create(actor=make_user("lain", "dinkes", areas=["19.03"]), name="milik orang lain")
    assert page.post("/api/token/", {"action": "revoke", "token": other.pk}).status_code == 404
    assert page.post("/api/token/", {"action": "revoke", "token": "abc"}).status_code == 404
    other.refresh_from_db()
    assert other.revoked is None


def test_token_page_needs_login(client):
    response = client.get("/api/token/")
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]
