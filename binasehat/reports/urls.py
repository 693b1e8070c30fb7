from django.urls import path

from . import dashboard_views, letterhead_views, views

app_name = "reports"

urlpatterns = [
    path("pokjanal/", views.pokjanal, name="pokjanal"),
    path("posyandu/<int:pk>/", views.posyandu_year, name="posyandu_year"),
    path("dasbor/", dashboard_views.dashboard_page, name="dashboard"),
    path("pivot/", dashboard_views.pivot_page, name="pivot"),
    path("peta/", dashboard_views.map_page, name="map"),
    path("peta/batas/", dashboard_views.boundaries_page, name="boundaries"),
    path("profil/", dashboard_views.profile_pdf, name="profile"),
    path("kop/", letterhead_views.letterhead_page, name="letterhead"),
]
