from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PosyanduConfig(AppConfig):
    name = "binasehat.posyandu"
    label = "posyandu"
    verbose_name = _("Kegiatan posyandu")
