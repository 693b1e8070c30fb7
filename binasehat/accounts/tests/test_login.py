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
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle timeout, renewed by activity


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
