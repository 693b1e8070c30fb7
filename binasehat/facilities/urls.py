from django.urls import path

from . import views

app_name = "facilities"

urlpatterns = [
    path("wilayah/", views.area_index, name="area_index"),
    path("wilayah/<str:code>/", views.area_detail, name="area"),
    *views.kind_urls(),
]
