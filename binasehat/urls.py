from django.contrib import admin
from django.urls import include, path

from binasehat.core import views as core_views
from binasehat.field import views as field_views

urlpatterns = [
    path("", field_views.home, name="home"),
    path("lapangan/", include("binasehat.field.urls")),
    path("sehat/", core_views.health, name="health"),
    path("bahasa/", core_views.set_language, name="set_language"),
    path("akun/", include("binasehat.accounts.urls")),
    path("impor/", include("binasehat.imports.urls")),
    path("kader/", include("binasehat.cadres.urls")),
    path("kegiatan/", include("binasehat.posyandu.urls")),
    path("anak/", include("binasehat.growth.urls")),
    path("keluarga/", include("binasehat.families.urls")),
    path("data/validasi/", include("binasehat.programs.validation_urls")),
    path("data/", include("binasehat.programs.urls")),
    path("komunitas/", include("binasehat.community.urls")),
    path("laporan/", include("binasehat.reports.urls")),
    path("risiko/", include("binasehat.risk.urls")),
    path("pengaturan/", include("binasehat.indicators.urls")),
    path("tindak-lanjut/", include("binasehat.followups.urls")),
    path("api/", include("binasehat.api.urls")),
    path("", include("binasehat.facilities.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "binasehat.core.errors.bad_request"
handler404 = "binasehat.core.errors.not_found"
handler403 = "binasehat.core.errors.forbidden"
handler500 = "binasehat.core.errors.server_error"
