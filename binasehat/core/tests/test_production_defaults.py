"""Production defaults: DEBUG off unless asked for, our own error pages in Indonesian, errors logged with the
request id the user sees, security headers, and `check --deploy` clean with production-like settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

PROJECT = Path(__file__).resolve().parents[3]
TEMPLATES = PROJECT / "binasehat" / "templates"


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECRET_KEY", "TLS", "DATABASE_URL", "LOG_FILE", "PROXY_SSL_HEADER",
                        "STATIC_FROM_SOURCE", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE",
                        "IMPORTS_RUN_INLINE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "binasehat.settings", "BINASEHAT_VAR_DIR": str(tmp_path / "var"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    env.update(extra)
    return env


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_finding_7_debug_is_off_unless_explicitly_on(tmp_path):
    show = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    off = _python(show, _env(tmp_path, SECRET_KEY="x" * 60))
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "False"
    on = _python(show, _env(tmp_path, DEBUG="1"))
    assert on.stdout.strip() == "True"
    # without DEBUG and without a secret key the server refuses to start instead of using a known key
    refused = _python(show, _env(tmp_path))
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr


def test_finding_7_make_run_turns_debug_on_and_says_so():
    makefile = (PROJECT / "Makefile").read_text()
    assert "DEBUG ?= 1" in makefile and "export DEBUG" in makefile
    run = makefile[makefile.index("\nrun:"):]
    assert "DEBUG=$(DEBUG)" in run.split("\n\n")[0]


def test_finding_7_server_error_is_logged_with_the_request_id_shown_to_the_user(tmp_path):
    log_file = tmp_path / "binasehat.log"
    code = (
        "import django; django.setup()\n"
        "from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='binasehat.core.tests.boom_urls'):\n"
        "    r = Client(raise_request_exception=False).get('/boom/')\n"
        "print(r.status_code); print(r.headers['X-Request-ID']); print(r.content.decode())\n"
    )
    done = _python(code, _env(tmp_path, SECRET_KEY="x" * 60, LOG_FILE=str(log_file), ALLOWED_HOSTS="testserver",
                              STATIC_FROM_SOURCE="1"))
    assert done.returncode == 0, done.stderr
    status, request_id, page = done.stdout.split("\n", 2)
    assert status == "500" and re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert "Terjadi kesalahan sistem" in page and request_id in page
    assert "secret-looking-value-123" not in page and "Traceback" not in page and "SECRET_KEY" not in page
    logged = log_file.read_text()
    assert f"[{request_id}] django.request" in logged
    assert "Traceback" in logged and "RuntimeError: boom" in logged


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="binasehat.core.tests.boom_urls")
def test_finding_7_own_error_pages_in_indonesian():
    client = Client(raise_request_exception=False)
    missing = client.get("/tidak-ada-halaman-ini/")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in missing.content.decode()
    bad = client.get("/", HTTP_HOST="bukan-host-kami.invalid")
    assert bad.status_code == 400 and "Permintaan tidak valid" in bad.content.decode()
    forged = Client(enforce_csrf_checks=True).post("/akun/masuk/", {"username": "x", "password": "y"})
    assert forged.status_code == 403 and "kedaluwarsa" in forged.content.decode()
    boom = client.get("/boom/")
    assert boom.status_code == 500 and boom.headers["X-Request-ID"] in boom.content.decode()


@pytest.mark.django_db
def test_finding_7_security_headers(client, settings):
    response = client.get("/akun/masuk/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{12}", response.headers["X-Request-ID"])
    settings.SECURE_HSTS_SECONDS = 31536000
    secure = Client().get("/akun/masuk/", secure=True)  # a new handler reads the setting
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.name.endswith("_pdf.html"):  # rendered to PDF by WeasyPrint, never served as a page
            continue
        yield path


def test_finding_7_no_inline_script_in_any_page_template():
    offenders = []
    for path in _served_templates():
        text = path.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1) and "application/json" not in m.group(1):
                offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
        if re.search(r"<style\b", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: <style> element")
    assert offenders == []


@pytest.mark.django_db
def test_finding_7_pages_render_without_inline_script(client_for, demo):
    for url in ("/", "/laporan/pokjanal/", "/laporan/peta/", "/api/docs", "/keluarga/iks/"):
        page = client_for("dinkes").get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        inline = [m.group(0) for m in re.finditer(r"<script\b([^>]*)>", html)
                  if "src=" not in m.group(1) and "application/json" not in m.group(1)]
        assert inline == [], url
        assert not re.search(r"<[^>]+\son(change|click|submit|load|input)=", html), url


def test_finding_7_check_deploy_is_clean_with_production_settings(tmp_path):
    env = _env(tmp_path, DEBUG="0", SECRET_KEY="k" * 20 + "-Zq8#Lw2!pR5@tY7$uI9%oP1^aS3&dF4*gH6",
               ALLOWED_HOSTS="sehat.example.go.id", CSRF_TRUSTED_ORIGINS="https://sehat.example.go.id", TLS="1",
               PROXY_SSL_HEADER="1")
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
