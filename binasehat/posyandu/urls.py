from django.urls import path

from . import views

app_name = "posyandu"

urlpatterns = [
    path("<int:pk>/<int:year>-<str:month>/", views.month, name="month"),
]
