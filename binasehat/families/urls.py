from django.urls import path

from . import views

app_name = "families"

urlpatterns = [
    path("", views.family_list, name="list"),
    path("iks/", views.area_report, name="report"),
    path("kunjungan-rumah/", views.home_visits, name="home_visits"),
    path("<int:pk>/", views.family_detail, name="detail"),
]
