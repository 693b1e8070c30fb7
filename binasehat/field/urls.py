from django.urls import path

from . import family_views, views

app_name = "field"

urlpatterns = [
    path("", views.today, name="today"),
    path("desa/", views.desa, name="desa"),
    path("posyandu/<int:pk>/", views.day, name="day"),
    path("keluarga/", family_views.families, name="families"),
    path("keluarga/penugasan/", family_views.assignments, name="assignments"),
    path("keluarga/<int:pk>/", family_views.family, name="family"),
    path("kirim/", views.sync, name="sync"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
