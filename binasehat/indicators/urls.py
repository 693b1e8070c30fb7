from django.urls import path

from . import views

app_name = "settings"
urlpatterns = [
    path("", views.index, name="index"),
    path("target/", views.targets, name="targets"),
    path("target/<str:code>/", views.target_edit, name="target_edit"),
]
