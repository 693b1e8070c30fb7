from django.urls import path

from . import views

app_name = "growth"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("prevalensi/", views.prevalence, name="prevalence"),
    path("<int:pk>/", views.child_detail, name="child"),
]
