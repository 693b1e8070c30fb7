from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("siaga/", views.siaga_list, name="siaga"),
    path("siaga/aturan/", views.siaga_parameters, name="siaga_parameters"),
    path("siaga/<str:code>/", views.siaga_desa, name="siaga_desa"),
    path("siaga/<str:code>/ubah/", views.siaga_edit, name="siaga_edit"),
    path("kks/", views.kks_index, name="kks"),
    path("kks/mulai/", views.kks_start, name="kks_start"),
    path("kks/<int:pk>/", views.kks_detail, name="kks_detail"),
    path("kks/<int:pk>/langkah/<slug:step>/", views.kks_step, name="kks_step"),
    path("kks/<int:pk>/dasar/", views.kks_basic, name="kks_basic"),
    path("kks/<int:pk>/unduh/", views.kks_export, name="kks_export"),
    path("kks/jawaban/<int:pk>/", views.kks_answer, name="kks_answer"),
    path("kks/jawaban/<int:pk>/opd/", views.kks_owner, name="kks_owner"),
    path("kks/bukti/<int:pk>/", views.kks_evidence, name="kks_evidence"),
]
