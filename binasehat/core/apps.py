from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "binasehat.core"
    label = "core"
    verbose_name = _("Inti")

    def ready(self):
        # Every app registers its kinds of import in its own importers.py.
        autodiscover_modules("importers")
