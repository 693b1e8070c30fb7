from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "binasehat.community"
    label = "community"
    verbose_name = _("Desa Siaga dan Kabupaten/Kota Sehat")

    def ready(self):
        from . import importers  # noqa: F401  (registers `import_data siaga`)
        from .reference import load_reference

        post_migrate.connect(lambda sender, **kw: load_reference() if sender is self else None,
                             weak=False, dispatch_uid="community-reference")
