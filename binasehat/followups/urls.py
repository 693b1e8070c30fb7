from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.action_list, name="actions"),
    path("aksi/<int:pk>/", views.action_detail, name="action"),
    path("bukti/<int:pk>/", views.evidence_file, name="evidence"),
    path("rapat/", views.meeting_list, name="meetings"),
    path("rapat/<int:pk>/", views.meeting_detail, name="meeting"),
    path("rapat/<int:pk>/<str:what>/", views.meeting_add, name="meeting_add"),
    path("kunjungan/", views.visit_list, name="visits"),
    path("kunjungan/<int:pk>/", views.visit_detail, name="visit"),
]
