from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("pokjanal/", views.pokjanal, name="pokjanal"),
    path("posyandu/<int:pk>/", views.posyandu_year, name="posyandu_year"),
]
