from django.urls import path

from . import views

app_name = "field"

urlpatterns = [
    path("", views.today, name="today"),
    path("desa/", views.desa, name="desa"),
    path("posyandu/<int:pk>/", views.day, name="day"),
    path("kirim/", views.sync, name="sync"),
    path("sw.js", views.service_worker, name="sw"),
]
