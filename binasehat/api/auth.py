"""How an API call says who it is: ``Authorization: Bearer <key>`` or ``Authorization: ApiToken <key>`` (DHIS2's
personal access token header), HTTP Basic with a user name and password (as DHIS2 clients log in; failures
count towards the same django-axes lockout as the login page), or the logged-in session of the browser (with
Django's CSRF check on unsafe methods). Either way ``request.user`` and ``request.scope`` become that user's, so
the endpoints read through the same selectors and scope as the pages."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from django.contrib.auth import authenticate
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBasicAuth, HttpBearer
from ninja.security.http import DecodeError
from ninja.utils import check_csrf

from .services import token_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _act_as(request, user):
    request.user = user
    request.scope = user.scope
    return user


class TokenAuth(HttpBearer):
    """A key created on /api/token/. A key that is unknown, revoked or whose user is inactive answers 401,
    even when the browser also has a session: the caller asked to be that key's user."""

    def __call__(self, request):
        header = request.headers.get(self.header) or ""
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request, token):
        user = token_user(token)
        if user is None:
            raise AuthenticationError(message=_("Token API tidak dikenal, sudah dicabut, atau penggunanya nonaktif."))
        return _act_as(request, user)


class ApiTokenAuth(APIKeyHeader):
    """``Authorization: ApiToken d2pat_…``: DHIS2 2.40's header for personal access tokens; the same keys as
    Bearer (documented as an API key in the Authorization header)."""

    param_name = "Authorization"

    def __call__(self, request):
        scheme, _sep, key = (request.headers.get(self.param_name) or "").partition(" ")
        if scheme.lower() != "apitoken":
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request, key):
        return TokenAuth.authenticate(self, request, key)


class BasicAuth(HttpBasicAuth):
    """HTTP Basic: checked by Django's authentication with the request, so django-axes counts failures and
    refuses a locked-out user name and address exactly as on the login page."""

    def __call__(self, request):
        header = request.headers.get(self.header) or ""
        if not header.lower().startswith("basic "):
            return None
        try:
            username, password = self.decode_authorization(header)
        except DecodeError:
            raise AuthenticationError(message=_("Header Authorization Basic tidak dapat dibaca.")) from None
        return self.authenticate(request, username, password)

    def authenticate(self, request, username, password):
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            raise AuthenticationError(message=_("Nama pengguna atau kata sandi salah, atau akun dikunci sementara."))
        return _act_as(request, user)


class SessionAuth(APIKeyCookie):
    """The browser's Django session. Unsafe methods need the CSRF token (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise HttpError(403, _("Pemeriksaan CSRF gagal: kirim header X-CSRFToken, atau pakai token API."))
        return _act_as(request, user)


AUTH = [TokenAuth(), ApiTokenAuth(), BasicAuth(), SessionAuth()]
