from django.urls import path

from . import validation_views as views

app_name = "validation"
urlpatterns = [
    path("", views.index, name="index"),
    path("jalankan/", views.run, name="run"),
    path("<int:pk>/tindak-lanjut/", views.follow_up, name="follow_up"),
    path("aturan/", views.rules, name="rules"),
    path("aturan/baru/", views.rule_edit, name="rule_new"),
    path("aturan/<int:pk>/", views.rule_edit, name="rule_edit"),
]
