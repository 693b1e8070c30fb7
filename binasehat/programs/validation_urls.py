from django.urls import path

from . import validation_views as views

app_name = "validation"
urlpatterns = [
    path("", views.index, name="index"),
    path("jalankan/", views.run, name="run"),
    path("<int:pk>/tindak-lanjut/", views.follow_up, name="follow_up"),
]
