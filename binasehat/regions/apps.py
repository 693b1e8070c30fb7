from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "binasehat.regions"
    label = "regions"
    verbose_name = _("Wilayah")

    def ready(self):
        from binasehat.core.inputs import register

        from .indicator_inputs import PopulationSource

        register(PopulationSource())
