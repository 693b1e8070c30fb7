from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "binasehat.growth"
    label = "growth"
    verbose_name = _("Pertumbuhan anak")

    def ready(self):
        from binasehat.core.inputs import register

        from .indicator_inputs import GrowthSource

        register(GrowthSource())
