"""Logging in: Indonesian messages, throttled after five failures, sessions that expire, strong passwords."""

from django.conf import settings
from django.urls import reverse


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR="10.1.2.3")


def test_good_login_lands_on_home(client, demo):
    response = login(client, "dinkes", "bina-sehat-demo")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Kabupaten Bangka Selatan" in client.get("/").content.decode()


def test_wrong_password_message_in_indonesian(client, demo):
    response = login(client, "dinkes", "salah")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(client, demo):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bidan", "tebakan-salah")
    response = login(client, "bidan", "bina-sehat-demo")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked (lockout is per username and address).
    assert login(client, "dinkes", "bina-sehat-demo").status_code == 302


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert 0 < settings.SESSION_RENEW_SECONDS <= 300  # idle timeout, renewed by activity


def test_activity_renews_the_session_at_most_once_a_minute(client, demo):
    """A session idle for 2 hours ends; activity moves its end, but a page view writes the session row only when the
    last renewal is a minute old or more (not on every request)."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    assert login(client, "dinkes", "bina-sehat-demo").status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get("/")  # the first page after logging in renews
    # Pretend the last renewal was 61 s ago and the session ends in 10 minutes.
    store = client.session
    store["_renewed"] -= 61
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=10))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert any(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in queries.captured_queries)
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Right after a renewal, further page views do not write the session.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not any("django_session" in q["sql"] and not q["sql"].startswith("SELECT")
                   for q in queries.captured_queries)
    assert Session.objects.get(session_key=key).expire_date == expires


def test_an_expired_session_is_not_renewed(client, demo):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert login(client, "dinkes", "bina-sehat-demo").status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    response = client.get("/")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_password_change_follows_validators(client_for, make_user):
    client = client_for(make_user("kader_pw", "kader"))
    response = client.post(reverse("accounts:profile"), {
        "old_password": "Rahasia-Sekali-2025", "new_password1": "12345678", "new_password2": "12345678"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "terlalu" in page or "angka" in page  # Django's validators, in Indonesian
    response = client.post(reverse("accounts:profile"), {
        "old_password": "Rahasia-Sekali-2025", "new_password1": "Posyandu-Mawar-77", "new_password2": "Posyandu-Mawar-77"})
    assert response.status_code == 302


def test_logout_requires_post_and_ends_the_session(client_for, demo):
    client = client_for("dinkes")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302
