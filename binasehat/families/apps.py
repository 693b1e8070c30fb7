from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "binasehat.families"
    label = "families"
    verbose_name = _("Keluarga sehat (PIS-PK)")

    def ready(self):
        from binasehat.core.inputs import register

        from .indicator_inputs import FamilySource

        register(FamilySource())
