from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.ranked_list, name="list"),
    path("aturan/", views.ruleset_page, name="ruleset"),
    path("wilayah/<str:code>/<int:year>/", views.explanation, name="explanation"),
    path("wilayah/<str:code>/<int:year>/tetapkan/", views.designate, name="designate"),
    path("penetapan/", views.designation_list, name="designations"),
    path("penetapan/<int:pk>/", views.plan, name="plan"),
    path("penetapan/<int:pk>/profil.pdf", views.plan_pdf, name="plan_pdf"),
    path("penetapan/<int:pk>/rencana.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("penetapan/<int:pk>/<str:what>/", views.plan_change, name="plan_change"),
    path("kegiatan/<int:pk>/kemajuan/", views.activity_progress, name="progress"),
    path("lampiran/<int:pk>/", views.attachment, name="attachment"),
]
