import logging

from django.http import Http404
from django.shortcuts import render

from .scope import policy_of, scope_of

log = logging.getLogger("binasehat.scope")


class ScopeMiddleware:
    """Default deny: a view that does not declare how it is scoped is refused.

    Also puts the user's scope on ``request.scope``. Django's admin (namespace ``admin``) is reserved for
    superusers; to anyone else it does not exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = scope_of(getattr(request, "user", None))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and "admin" in match.namespaces:
            if request.user.is_authenticated and request.user.is_superuser:
                return None
            raise Http404
        if policy_of(view_func) is None:
            log.error("view %s declares no scope; refused", getattr(view_func, "__qualname__", view_func))
            return render(request, "403.html", {"reason": "undeclared-scope"}, status=403)
        return None


class LanguageMiddleware:
    """Indonesian unless the user picked another language in the menu (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in Indonesia are set
    to English; Bina Sehat is Indonesian first, so only an explicit choice switches the language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class RequestIdMiddleware:
    """Gives every request an id (``request.request_id``, the ``X-Request-ID`` response header) that every log
    line written while serving it carries; the 500 page shows it to the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .logs import bind_request_id, new_request_id, unbind_request_id

        request.request_id = new_request_id()
        token = bind_request_id(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            unbind_request_id(token)
        response.headers.setdefault("X-Request-ID", request.request_id)
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django's SecurityMiddleware sets HSTS,
    Referrer-Policy, nosniff and Cross-Origin-Opener-Policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class OddInputMiddleware:
    """Refuses, with the 400 page, a request whose query string carries a NUL character: no page takes one, and
    PostgreSQL cannot compare a text with it (it would be a server error deep inside a query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import SuspiciousOperation

        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                raise SuspiciousOperation("NUL character in a query parameter")
        return self.get_response(request)


class SessionRenewalMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` seconds without activity: a request renews its session (a new
    expiry date written to the session row) when the last renewal is older than ``SESSION_RENEW_SECONDS``.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` would write the row on every request (a transaction per page view);
    renewing at most once a minute keeps the idle timeout to within that minute at a fraction of the writes.
    Placed after SessionMiddleware, so that its response step runs first and the session middleware saves."""

    KEY = "_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings

        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or session.modified:
            return response
        renewed = session.get(self.KEY)
        if session.session_key is None or not session.keys():  # an unknown or expired session: nothing to renew
            return response
        now = int(time.time())
        if not isinstance(renewed, int) or now - renewed >= settings.SESSION_RENEW_SECONDS:
            session[self.KEY] = now
        return response
