from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("", views.kader_list, name="list"),
    path("baru/", views.kader_create, name="create"),
    path("tingkat/", views.levels, name="levels"),
    path("<int:pk>/", views.kader_detail, name="detail"),
    path("<int:pk>/ubah/", views.kader_edit, name="edit"),
]
