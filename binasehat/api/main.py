"""The one NinjaAPI: every operation requires a token or a logged-in session (``auth.AUTH``); only the OpenAPI
document and its docs page are open. Errors answer ``{"detail": …}`` in the user's language (Indonesian)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .auth import AUTH
from .endpoints import areas, dhis2, indicators, programs

DESCRIPTION = """API Bina Sehat: wilayah, fasilitas, data program dan indikator, dengan cakupan wilayah yang sama
dengan halaman web. Kirim `Authorization: Bearer <token>` (buat token di /api/token/), atau pakai sesi browser
yang sudah masuk (dengan header `X-CSRFToken` untuk POST). Objek di luar wilayah Anda dijawab 404."""


class BinaSehatAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__


api = BinaSehatAPI(title="Bina Sehat API", version="1", urls_namespace="api", auth=AUTH, description=DESCRIPTION)


def _detail(request, message, status: int):
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    message = exc.message if exc.message != "Unauthorized" else _(
        "Perlu autentikasi: kirim header Authorization: Bearer <token>, atau masuk lewat browser.")
    response = _detail(request, message, 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return _detail(request, _("Tidak ditemukan."), 404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _detail(request, str(exc) or _("Anda tidak berhak melakukan ini."), 403)


@api.exception_handler(HttpError)
def http_error(request, exc):
    message = exc.message
    if message.startswith("Cannot parse request body"):  # ninja's own, in English
        message = _("Isi permintaan tidak dapat dibaca: kirim JSON yang sah.")
    return _detail(request, message, exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(request, {"detail": _("Permintaan tidak valid."), "errors": exc.errors}, status=422)


for module in (areas, programs, indicators, dhis2):
    api.add_router("", module.router)
