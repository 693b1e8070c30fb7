"""One settings module for every environment; everything that differs comes from environment variables.

Embedded default: SQLite in ``var/``. DEBUG is off unless ``DEBUG=1`` is set (``make run`` sets it for developers).
Production: set ``DATABASE_URL`` (PostgreSQL), ``SECRET_KEY``, ``ALLOWED_HOSTS`` and, behind HTTPS, ``TLS=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("BINASEHAT_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "ya", "on"}


# The test run sets what it needs itself (pytest-django turns DEBUG off inside every test).
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-development-key-only-for-the-embedded-demo" if DEBUG or TESTING else ""
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set unless DEBUG=1 (development): export SECRET_KEY=... or DEBUG=1")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "binasehat.core.admin_site.BinaAdminConfig",  # django.contrib.admin, titled and named in Indonesian
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",  # serves its bundled Swagger UI for /api/docs (no CDN)
    # Our apps, in dependency order: an app may import only from apps listed before it.
    "binasehat.core",
    "binasehat.regions",
    "binasehat.facilities",
    "binasehat.accounts",
    "binasehat.imports",
    "binasehat.cadres",
    "binasehat.posyandu",
    "binasehat.growth",
    "binasehat.families",
    "binasehat.assessments",
    "binasehat.programs",
    "binasehat.indicators",
    "binasehat.field",
    "binasehat.reports",
    "binasehat.risk",
    "binasehat.followups",
    "binasehat.community",
    "binasehat.api",
    "binasehat.demo",
]

MIDDLEWARE = [
    "binasehat.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "binasehat.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "binasehat.core.middleware.SessionRenewalMiddleware",
    "binasehat.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "binasehat.core.middleware.ScopeMiddleware",
    "binasehat.core.middleware.OddInputMiddleware",
    # Axes must be last: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "binasehat.urls"
WSGI_APPLICATION = "binasehat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "binasehat.core.context_processors.site",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'binasehat.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME") or None}

if (DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and os.environ.get("PG_PREPARED_STATEMENTS", "1") != "0"):
    # The indicator engine's roll-up read asks psycopg to prepare it on the server: parsed and planned once per
    # connection, with one generic plan (an index range per input; its parameters are areas and months). Django's
    # own cursors bind parameters on the client and never prepare, so a threshold no query reaches prepares only
    # what asks to be, and the plan mode applies only to those statements. PG_PREPARED_STATEMENTS=0 turns it off
    # (a connection pooler that cannot keep prepared statements, e.g. PgBouncer before 1.21 in transaction mode).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("prepare_threshold", 2**31 - 1)
    _options["options"] = (_options.get("options", "") + " -c plan_cache_mode=force_generic_plan").strip()

# Django's cache holds evaluated indicator values (binasehat.indicators.engine) and rendered dashboard tables.
# Every server process must see the same cache (a write handled by one process invalidates them for all), so by
# default it is a table in the database ("db"; created by `migrate`): shared by every process and machine, and
# backed up and restored with the data it was computed from. CACHE_BACKEND=locmem keeps it in each process
# (only for a single-process server).
CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "db")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "binasehat_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    }
    if CACHE_BACKEND == "db"
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}
}

#: Rendered pages kept until a table they read is written (``binasehat/core/pagecache.py``); 0 turns it off.
PAGE_CACHE = env_bool("PAGE_CACHE", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user's area codes with the user (one query less per request).
    "binasehat.accounts.backends.AreaModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after two idle hours and when the browser closes. Activity renews them, at most once a minute
# (core.middleware.SessionRenewalMiddleware), not with a write on every request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
SESSION_RENEW_SECONDS = int(os.environ.get("SESSION_RENEW_SECONDS", "60"))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login throttling (django-axes): five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
# Display formats per language (dates "31 Des 2025", numbers "1.234,5"; English "31 Dec 2025", "1,234.5").
# Numbers get their thousands separator through the `num`/`count` filters, not USE_THOUSAND_SEPARATOR, so that
# years, ids and codes written into links and form values stay plain.
FORMAT_MODULE_PATH = ["binasehat.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Without DEBUG, static files are served from STATIC_ROOT after `collectstatic` (hashed names); tests and
# development read them from the source folders.
STATIC_FROM_SOURCE = DEBUG or TESTING or env_bool("STATIC_FROM_SOURCE", False)
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_FROM_SOURCE
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served: uploaded files are read only by the import mechanism

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
#: Photos and documents attached to plans and action items.
FOLLOWUP_UPLOAD_MAX_BYTES = int(os.environ.get("FOLLOWUP_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# Web imports are queued and run by `manage.py import_worker` (its own process; the job page shows progress).
# Inline (in the request) for tests and for development with DEBUG on, unless IMPORTS_RUN_INLINE says otherwise.
IMPORTS_RUN_INLINE = env_bool("IMPORTS_RUN_INLINE", "pytest" in sys.modules or DEBUG)
# Caps per import (the XLSX sheet is measured by streaming before it is loaded).
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "1000000"))
IMPORT_MAX_CELLS = int(os.environ.get("IMPORT_MAX_CELLS", "20000000"))
# XLSX sheets larger than this many cells are read as a stream of rows (bounded memory, 3–4x slower to read);
# smaller ones are loaded whole by python-calamine.
IMPORT_STREAM_CELLS = int(os.environ.get("IMPORT_STREAM_CELLS", "4000000"))
# Uploaded files are deleted after the commit or a refusal; `manage.py import_cleanup` (cron) deletes previews
# older than this.
IMPORT_FILE_RETENTION_HOURS = float(os.environ.get("IMPORT_FILE_RETENTION_HOURS", "72"))

# Small cells: a count of families or people with a diagnosis below this is not shown to roles without
# sensitive.view (binasehat/core/disclosure.py).
SMALL_CELL_THRESHOLD = int(os.environ.get("SMALL_CELL_THRESHOLD", "5"))

# Demo data is marked on every page while this is on (the `demo` command turns it on in the database too).
PAGE_SIZE = 25

# E-mail (the weekly follow-up digest): printed to the console unless a backend is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Bina Sehat <noreply@localhost>")

# Errors (with their traceback) and warnings go to the console and, when LOG_FILE is set, to that file; every
# line carries the request id that the error page shows to the user.
LOG_FILE = os.environ.get("LOG_FILE", "")
_log_handlers = {
    "console": {"class": "logging.StreamHandler", "formatter": "request", "filters": ["request_id"]},
}
if LOG_FILE:
    _log_handlers["file"] = {"class": "logging.handlers.WatchedFileHandler", "filename": LOG_FILE,
                             "formatter": "request", "filters": ["request_id"], "encoding": "utf-8"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "binasehat.core.logs.RequestIdFilter"}},
    "formatters": {"request": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": _log_handlers,
    "loggers": {
        "binasehat": {"handlers": list(_log_handlers), "level": os.environ.get("LOG_LEVEL", "INFO"),
                      "propagate": False},
        "django": {"handlers": list(_log_handlers), "level": "WARNING", "propagate": False},
        "axes": {"handlers": list(_log_handlers), "level": "WARNING", "propagate": False},
    },
}

# Security headers. TLS=1 when users reach the system over HTTPS (directly, or through a proxy that terminates
# TLS: then also PROXY_SSL_HEADER=1 so that Django trusts its X-Forwarded-Proto).
TLS = env_bool("TLS", False)
if env_bool("PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if TLS:
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^sehat/$"]  # the load balancer's health check may speak plain HTTP
SESSION_COOKIE_SECURE = TLS or not (DEBUG or TESTING)
CSRF_COOKIE_SECURE = TLS or not (DEBUG or TESTING)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere (event handlers live in static/binasehat/app.js); style attributes carry the colours
# and widths of charts drawn on the server.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), serial=(), bluetooth=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)
CSRF_FAILURE_VIEW = "binasehat.core.errors.csrf_failure"

# The aggregate read index covers its value column on PostgreSQL; SQLite ignores INCLUDE, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
