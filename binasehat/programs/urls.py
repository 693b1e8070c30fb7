from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.index, name="index"),
    path("isi/<str:dataset_code>/", views.entry, name="entry"),
    path("nilai/", views.values, name="values"),
    path("kelengkapan/", views.completeness, name="completeness"),
]
