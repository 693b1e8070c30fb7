from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PosyanduConfig(AppConfig):
    name = "binasehat.posyandu"
    label = "posyandu"
    verbose_name = _("Kegiatan posyandu")

    def ready(self):
        from binasehat.core.inputs import register

        from .indicator_inputs import PosyanduMonthSource

        register(PosyanduMonthSource())
