from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "binasehat.cadres"
    label = "cadres"
    verbose_name = _("Kader")

    def ready(self):
        from .reference import load_reference

        post_migrate.connect(lambda sender, **kw: load_reference() if sender is self else None,
                             weak=False, dispatch_uid="cadres-reference")
