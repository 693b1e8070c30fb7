from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/simpan/", views.commit, name="commit"),
    path("templat/<str:kind>.<str:fmt>", views.template, name="template"),
]
