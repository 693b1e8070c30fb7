"""URLs for the error-page tests: the real site plus one view that fails."""

from django.urls import path

from binasehat.core.scope import public
from binasehat.urls import urlpatterns as site_urlpatterns


@public
def boom(request):
    raise RuntimeError("boom: a deliberate failure with local secret-looking-value-123")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
handler400 = "binasehat.core.errors.bad_request"
handler404 = "binasehat.core.errors.not_found"
handler403 = "binasehat.core.errors.forbidden"
handler500 = "binasehat.core.errors.server_error"
